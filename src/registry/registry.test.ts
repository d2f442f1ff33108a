import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDaemonArgs } from '../cmd/tetherd-flags.js';
import { decodeRegistryAuth, pullMessages } from '../api/docker/pull-json.js';
import { RegistryClient, parseChallenge } from './client.js';
import { layerCompression, parseManifest, parsePlatform, selectPlatform } from './manifest.js';
import { familiarName, familiarString, parseRegistryRef } from './reference.js';
import { loginDomain } from './login.js';

const D = `sha256:${'a'.repeat(64)}`;

test('references get Docker Hub defaults; other registries keep host and port', () => {
  assert.deepEqual(parseRegistryRef('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  assert.deepEqual(parseRegistryRef('docker.io/library/busybox:1.36'), { domain: 'docker.io', path: 'library/busybox', tag: '1.36' });
  assert.deepEqual(parseRegistryRef('index.docker.io/team/app'), { domain: 'docker.io', path: 'team/app', tag: 'latest' });
  assert.deepEqual(parseRegistryRef(`reg:5000/a/b@${D}`), { domain: 'reg:5000', path: 'a/b', digest: D });
  assert.deepEqual(parseRegistryRef('localhost/app:v1'), { domain: 'localhost', path: 'app', tag: 'v1' });
  assert.deepEqual(parseRegistryRef('team/app'), { domain: 'docker.io', path: 'team/app', tag: 'latest' });
  assert.equal(familiarName(parseRegistryRef('docker.io/library/busybox')), 'busybox');
  assert.equal(familiarString(parseRegistryRef(`127.0.0.1:5000/x@${D}`)), `127.0.0.1:5000/x@${D}`);
  for (const bad of ['Busybox', 'busybox@sha256:12', 'a:b:c', 'reg:5000/', 'busybox:-x']) assert.throws(() => parseRegistryRef(bad), /invalid reference format/, bad);
});

test('manifests: kinds by media type, schema 1 refused, platform choice as containerd matches', () => {
  const desc = { mediaType: 'x', digest: D, size: 1 };
  const index = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [
    { ...desc, platform: { os: 'linux', architecture: 'arm64' } },
    { ...desc, digest: `sha256:${'b'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } },
  ] })), 'application/vnd.oci.image.index.v1+json');
  assert.equal(index.kind, 'index');
  if (index.kind !== 'index') return;
  assert.equal(selectPlatform(index.manifests, parsePlatform('linux/arm64/v8')).digest, D);
  assert.equal(selectPlatform(index.manifests, parsePlatform('linux/x86_64')).digest, `sha256:${'b'.repeat(64)}`);
  assert.throws(() => selectPlatform(index.manifests, parsePlatform('linux/s390x')), /no matching manifest for linux\/s390x/);
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), undefined), /schema 1/);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'md5:x', size: 1 }, layers: [] })), undefined), /invalid manifest/);
  assert.throws(() => parsePlatform('linux'), /unknown operating system/);
  assert.equal(layerCompression('application/vnd.oci.image.layer.v1.tar+gzip'), 'gzip');
  assert.equal(layerCompression('application/vnd.oci.image.layer.v1.tar'), 'none');
  assert.equal(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd'), 'zstd');
});

test('X-Registry-Auth decodes as dockerd does; garbage means no credentials', () => {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  assert.deepEqual(decodeRegistryAuth(enc({ username: 'u', password: 'p?>' })), { username: 'u', password: 'p?>' });
  assert.deepEqual(decodeRegistryAuth(enc({ auth: Buffer.from('u:p:q').toString('base64') })), { username: 'u', password: 'p:q' });
  assert.equal(decodeRegistryAuth('e30='), undefined);
  assert.equal(decodeRegistryAuth('!!!'), undefined);
});

test('progress lines carry the layer id, progressDetail and moby\'s bar', () => {
  const line = JSON.parse(pullMessages({ kind: 'layer', id: 'abc', phase: 'downloading', current: 1_500_000, total: 3_000_000 }));
  assert.deepEqual(line.progressDetail, { current: 1_500_000, total: 3_000_000 });
  assert.equal(line.progress, `[${'='.repeat(25)}>${' '.repeat(24)}]    1.5MB/3MB`);
  assert.equal(pullMessages({ kind: 'done', digest: D, ref: 'busybox:latest', upToDate: true }), `{"status":"Digest: ${D}"}\r\n{"status":"Status: Image is up to date for busybox:latest"}\r\n`);
});

test('challenges, login addresses, insecure registries, mirrors and certs.d from flags and daemon.json', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"'), { scheme: 'bearer', realm: 'https://auth/token', service: 'reg', scope: 'repository:a:pull' });
  assert.equal(loginDomain('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(loginDomain('reg:5000'), 'reg:5000');
  const dir = mkdtempSync(join(tmpdir(), 'tether-flags-'));
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ 'insecure-registries': ['10.0.0.0/8', 'reg:5000'], 'registry-mirrors': ['http://mirror:5000/'] }));
  const c = parseDaemonArgs(['--config-file', file, '--certs-dir', dir]);
  assert.deepEqual([c.insecureRegistries, c.registryMirrors, c.certsDir], [['127.0.0.0/8', '10.0.0.0/8', 'reg:5000'], ['http://mirror:5000'], dir]);
  assert.throws(() => parseDaemonArgs(['--config-file', file, '--registry-mirror', 'ftp://x']), /invalid mirror/);
  const client = new RegistryClient(c);
  assert.deepEqual(client.endpoints('10.1.2.3:443').map((e) => [e.base, e.skipVerify]), [['https://10.1.2.3:443', true], ['http://10.1.2.3:443', false]]);
  assert.deepEqual(client.endpoints('example.com').map((e) => [e.base, e.skipVerify]), [['https://example.com', false]]);
  assert.deepEqual(client.endpoints('docker.io').map((e) => e.base), ['http://mirror:5000', 'https://registry-1.docker.io']);
});
