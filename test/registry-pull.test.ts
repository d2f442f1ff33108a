// docker pull from a real registry (Debian's docker-registry) inside the test host: by tag and by
// digest, progress lines, "up to date" with nothing downloaded, a multi-platform index, a
// tampered blob, zstd layers, an unknown image, Basic auth, and a daemon killed mid-pull.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient } from './helpers/cli.js';
import { busyboxParts, DOCKER_LIST, pushImage, startRegistry, withConfig, type TestRegistry } from './helpers/registry.js';

const DOCKER = dockerClients()[0];
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** Compressed by the zstd tool itself, as containerd or buildkit would push it. */
const zstd = (b: Buffer): Buffer => execFileSync('zstd', ['-q', '-c', '-3'], { input: b, maxBuffer: 1 << 30 });
const diffId = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const auth = (user: string, password: string): string => Buffer.from(JSON.stringify({ username: user, password, serveraddress: '127.0.0.1:5001' })).toString('base64url');

/** A one-file layer tar, unique to this test run. */
function uniqueLayer(dir: string, name: string, bytes: Buffer): Buffer {
  const root = join(dir, `layer-${name}`);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, name), bytes);
  return execFileSync('tar', ['-c', '-C', root, '--owner=0', '--group=0', '--numeric-owner', name], { maxBuffer: 1 << 30 });
}

describe('docker pull from a registry in the test host', () => {
  let host: TestHost;
  let d: TestDaemon;
  let reg: TestRegistry;
  let busybox: ReturnType<typeof pushImage>;
  let parts: { config: Buffer; layer: Buffer };
  const pull = (ref: string, query = '', headers: Record<string, string> = {}) =>
    d.api('POST', `/images/create?fromImage=${encodeURIComponent(ref)}${query}`, undefined, headers);
  const imageList = async (): Promise<string> => JSON.stringify((await d.api('GET', '/images/json')).json.map((i: { Id: string; RepoTags: string[] }) => [i.Id, i.RepoTags]).sort());

  before(async () => {
    host = createTestHost('reg');
    reg = await startRegistry(host, 5000);
    parts = busyboxParts(host.dir);
    busybox = pushImage(reg, 'busybox', 'latest', parts.config, [parts.layer]);
    d = await startDaemon(host, ['--insecure-registry', reg.addr, '--registry-mirror', `http://${reg.addr}`]);
  });
  after(async () => {
    try {
      await d?.stop();
    } finally {
      await reg?.stop();
      host?.dispose();
    }
  });

  it('pulls by tag with per-layer progress, then says up to date and downloads nothing', async () => {
    const r = await pull(`${reg.addr}/busybox`, '&tag=latest');
    assert.equal(r.status, 200, r.text);
    const layer = busybox.digest && JSON.parse(JSON.stringify(r.text.split('\r\n').filter(Boolean).map((l) => JSON.parse(l))));
    const statuses = (layer as { status: string; id?: string }[]).map((m) => `${m.id ?? ''}:${m.status}`);
    assert.equal(statuses[0], 'latest:Pulling from busybox');
    for (const s of ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) {
      assert.ok(statuses.some((x) => x.endsWith(`:${s}`)), `no "${s}" in ${r.text}`);
    }
    assert.deepEqual(statuses.slice(-2), [`:Digest: ${busybox.digest}`, `:Status: Downloaded newer image for ${reg.addr}/busybox:latest`]);
    const img = await d.api('GET', `/images/${reg.addr}/busybox/json`);
    assert.equal(img.json.Id, busybox.configDigest);
    assert.deepEqual(img.json.RepoDigests, [`${reg.addr}/busybox@${busybox.digest}`]);
    assert.equal(img.json.RootFS.Layers[0], diffId(parts.layer));

    const again = await pull(`${reg.addr}/busybox:latest`);
    assert.equal(again.status, 200);
    assert.doesNotMatch(again.text, /Downloading|Pulling fs layer/);
    assert.match(again.text, new RegExp(`Status: Image is up to date for ${reg.addr}/busybox:latest`));
  });

  it('the docker CLI draws the pull and runs the pulled image, also by digest', { skip: DOCKER ? false : 'no docker CLI' }, async () => {
    const docker = (args: string[]) => runClient([DOCKER!, ...args], d.socket);
    assert.equal(docker(['rmi', `${reg.addr}/busybox`]).code, 0);
    const p = docker(['pull', `${reg.addr}/busybox`]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /Using default tag: latest\nlatest: Pulling from busybox\n/);
    assert.match(p.stdout, /\n[0-9a-f]{12}: Pulling fs layer\n(.*\n)*[0-9a-f]{12}: Pull complete\n/);
    assert.match(p.stdout, new RegExp(`Digest: ${busybox.digest}\nStatus: Downloaded newer image for ${reg.addr}/busybox:latest\n${reg.addr}/busybox:latest\n$`));
    const run = docker(['run', '--rm', `${reg.addr}/busybox`, 'echo', 'pulled and running']);
    assert.equal(run.stdout, 'pulled and running\n', run.stderr);

    const byDigest = `${reg.addr}/busybox@${busybox.digest}`;
    assert.equal(docker(['rmi', '-f', busybox.configDigest]).code, 0);
    const pd = docker(['pull', byDigest]);
    assert.equal(pd.code, 0, pd.stderr);
    assert.match(pd.stdout, new RegExp(`Status: Downloaded newer image for ${byDigest.replace(/[.]/g, '\\.')}`));
    const ls = docker(['image', 'ls', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
    assert.match(ls.stdout, new RegExp(`${reg.addr}/busybox <none> ${busybox.digest}`));
    const runD = docker(['run', '--rm', byDigest, 'echo', 'by digest']);
    assert.equal(runD.stdout, 'by digest\n', runD.stderr);
  });

  it('Docker Hub images come from --registry-mirror', async () => {
    const hub = pushImage(reg, 'library/busybox', '1.0', parts.config, [parts.layer]);
    const r = await pull('busybox', '&tag=1.0');
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /"status":"Pulling from library\/busybox","id":"1.0"/);
    const img = await d.api('GET', '/images/busybox:1.0/json');
    assert.deepEqual(img.json.RepoTags, ['busybox:1.0']);
    // The same manifest was pulled from the registry by its own name first: both names are kept.
    assert.ok(img.json.RepoDigests.includes(`busybox@${hub.digest}`), img.json.RepoDigests.join());
  });

  it('a multi-platform index pulls the host platform; --platform picks another', async () => {
    const host64 = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const other = host64 === 'amd64' ? 'arm64' : 'amd64';
    const mine = pushImage(reg, 'multi', 'tmp-a', withConfig(parts.config, { architecture: host64 }), [parts.layer]);
    const theirs = pushImage(reg, 'multi', 'tmp-b', withConfig(parts.config, { architecture: other, variant: other === 'arm64' ? 'v8' : undefined }), [parts.layer]);
    const entry = (m: typeof mine, arch: string) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) } });
    reg.manifest('multi', 'latest', { schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [entry(theirs, other), entry(mine, host64)] }, DOCKER_LIST);

    assert.equal((await pull(`${reg.addr}/multi:latest`)).status, 200);
    const a = await d.api('GET', `/images/${reg.addr}/multi:latest/json`);
    assert.deepEqual([a.json.Id, a.json.Architecture], [mine.configDigest, host64]);
    const b = await pull(`${reg.addr}/multi:latest`, `&platform=linux/${other}`);
    assert.equal(b.status, 200, b.text);
    assert.match(b.text, /Already exists/);
    const bi = await d.api('GET', `/images/${reg.addr}/multi:latest/json`);
    assert.deepEqual([bi.json.Id, bi.json.Architecture], [theirs.configDigest, other]);
    const none = await pull(`${reg.addr}/multi:latest`, '&platform=linux/s390x');
    assert.equal(none.status, 404);
    assert.match(none.json.message, /no matching manifest for linux\/s390x in the manifest list entries/);
  });

  it('a tampered blob fails the pull with a digest error and leaves the store as it was', async () => {
    // A good new layer (unpacked before the bad one fails) and a tampered one, big enough that
    // the good one is in place first.
    const good = uniqueLayer(host.dir, 'good', randomBytes(100_000));
    const extra = uniqueLayer(host.dir, 'tampered', randomBytes(3_000_000));
    const config = withConfig(parts.config, { rootfs: { type: 'layers', diff_ids: [diffId(parts.layer), diffId(good), diffId(extra)] } });
    const img = pushImage(reg, 'tampered', 'latest', config, [parts.layer, good, extra]);
    const manifest = JSON.parse(readFileSync(reg.blobFile(img.digest), 'utf8')) as { layers: { digest: string; size: number }[] };
    const bad = manifest.layers[2]!;
    writeFileSync(reg.blobFile(bad.digest), randomBytes(bad.size));
    const before = await imageList();
    const layersBefore = readdirSync(join(d.dataRoot, 'images', 'layers')).sort();
    const r = await pull(`${reg.addr}/tampered:latest`);
    assert.match(r.text, new RegExp(`"error":"filesystem layer verification failed for digest ${bad.digest}"`));
    assert.match(r.text, new RegExp(`"status":"Pull complete","progressDetail":\\{\\},"id":"${manifest.layers[1]!.digest.slice(7, 19)}"`));
    assert.equal(await imageList(), before);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'images', 'layers')).sort(), layersBefore);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'images', 'tmp')), []);
  });

  it('zstd layers: decompressed while streaming, verified, unpacked, run, and pushed again as they are', async () => {
    // busybox plus a file of this run, in one layer: nothing of it is in the store yet.
    const root = join(host.dir, 'zstd-rootfs');
    mkdirSync(root, { recursive: true });
    execFileSync('tar', ['-x', '-C', root], { input: parts.layer });
    const proof = `zstd ${randomBytes(8).toString('hex')}\n`;
    writeFileSync(join(root, 'zstd-proof'), proof);
    const tar = execFileSync('tar', ['-c', '-C', root, '--owner=0', '--group=0', '--numeric-owner', '.'], { maxBuffer: 1 << 30 });
    const blob = zstd(tar);
    assert.equal(blob.readUInt32LE(0), 0xfd2fb528, 'a zstd frame');
    const config = withConfig(parts.config, { rootfs: { type: 'layers', diff_ids: [diffId(tar)] } });
    const cfg = reg.blob('zstd', config, 'application/vnd.oci.image.config.v1+json');
    const layer = reg.blob('zstd', blob, OCI_ZSTD);
    reg.manifest('zstd', 'latest', { schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfg, layers: [layer] }, OCI_MANIFEST);

    const r = await pull(`${reg.addr}/zstd:latest`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /Pull complete/);
    assert.match(r.text, new RegExp(`Status: Downloaded newer image for ${reg.addr}/zstd:latest`));
    const img = await d.api('GET', `/images/${reg.addr}/zstd:latest/json`);
    assert.deepEqual([img.json.Id, img.json.RootFS.Layers], [cfg.digest, [diffId(tar)]]);
    const layerDir = join(d.dataRoot, 'images', 'layers', diffId(tar).slice('sha256:'.length));
    assert.equal(readFileSync(join(layerDir, 'zstd-proof'), 'utf8'), proof);
    // The registry's bytes are kept, so a push sends the same blob.
    assert.ok(readFileSync(`${layerDir}.blob`).equals(blob));
    if (DOCKER) {
      const run = runClient([DOCKER, 'run', '--rm', `${reg.addr}/zstd`, 'cat', '/zstd-proof'], d.socket);
      assert.equal(run.stdout, proof, run.stderr);
    }

    assert.equal((await d.api('POST', `/images/${reg.addr}/zstd:latest/tag?repo=${reg.addr}/zstd-again&tag=v1`)).status, 201);
    const pushed = await d.api('POST', `/images/${reg.addr}/zstd-again/push?tag=v1`, undefined, { 'X-Registry-Auth': 'e30' });
    assert.equal(pushed.status, 200, pushed.text);
    assert.doesNotMatch(pushed.text, /errorDetail/);
    const m = JSON.parse(host.sh(['curl', '-s', '-H', `Accept: ${OCI_MANIFEST}`, `http://${reg.addr}/v2/zstd-again/manifests/v1`])) as { mediaType: string; layers: { mediaType: string; digest: string }[] };
    assert.deepEqual([m.mediaType, m.layers], [OCI_MANIFEST, [{ mediaType: OCI_ZSTD, digest: layer.digest, size: layer.size }]]);
  });

  it('a zstd layer that is not zstd fails the pull in zstd\'s words and leaves no zstd behind', async () => {
    const junk = randomBytes(200_000);
    const config = withConfig(parts.config, { rootfs: { type: 'layers', diff_ids: [diffId(junk)] } });
    const cfg = reg.blob('zstd-junk', config, 'application/vnd.oci.image.config.v1+json');
    const layer = reg.blob('zstd-junk', junk, OCI_ZSTD);
    reg.manifest('zstd-junk', 'latest', { schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfg, layers: [layer] }, OCI_MANIFEST);
    const before = await imageList();
    const r = await pull(`${reg.addr}/zstd-junk:latest`);
    assert.match(r.text, new RegExp(`"error":"layer ${layer.digest} is not valid zstd: zstd: [^"]+"`));
    assert.equal(await imageList(), before);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'images', 'tmp')), []);
    const zstds = execFileSync('ps', ['-eo', 'ppid=,comm=']).toString().split('\n').filter((l) => l.trim() === `${d.process.pid} zstd`);
    assert.deepEqual(zstds, []);
  });

  it('an unknown image is Docker\'s not-found, through the API and the CLI', async () => {
    const r = await pull(`${reg.addr}/nosuch:latest`);
    assert.equal(r.status, 404);
    assert.match(r.json.message, new RegExp(`^(manifest for ${reg.addr}/nosuch:latest not found: manifest unknown|repository ${reg.addr}/nosuch not found: name unknown)`));
    if (DOCKER) {
      const c = runClient([DOCKER, 'pull', `${reg.addr}/nosuch`], d.socket);
      assert.equal(c.code, 1);
      assert.match(c.stderr, /Error response from daemon: (manifest for .*nosuch:latest not found|repository .*nosuch not found)/);
    }
  });

  it('Basic auth: wrong credentials are Docker\'s "unauthorized", right ones pull', async () => {
    const secured = await startRegistry(host, 5001, { basic: { user: 'alice', password: 's3cret' } });
    try {
      pushImage(secured, 'private', 'latest', parts.config, [parts.layer]);
      const none = await pull('127.0.0.1:5001/private:latest');
      assert.match(none.json.message, /no basic auth credentials/);
      const wrong = await pull('127.0.0.1:5001/private:latest', '', { 'X-Registry-Auth': auth('alice', 'wrong') });
      assert.notEqual(wrong.status, 200);
      assert.match(wrong.json.message, /^unauthorized: authentication required/);
      const right = await pull('127.0.0.1:5001/private:latest', '', { 'X-Registry-Auth': auth('alice', 's3cret') });
      assert.equal(right.status, 200, right.text);
      assert.match(right.text, /Status: (Downloaded newer image|Image is up to date) for 127\.0\.0\.1:5001\/private:latest/);
      const bad = await d.api('POST', '/auth', { username: 'alice', password: 'nope', serveraddress: '127.0.0.1:5001' });
      assert.deepEqual([bad.status, bad.json.message], [401, 'login attempt to http://127.0.0.1:5001/v2/ failed with status: 401 Unauthorized']);
      if (DOCKER) {
        // docker login keeps the credentials in its own config dir, then sends them with the pull.
        const env = { ...process.env, DOCKER_HOST: `unix://${d.socket}`, DOCKER_CONFIG: join(host.dir, 'docker-config') };
        const cli = (args: string[], input?: string) => spawnSync(DOCKER, args, { env, input, encoding: 'utf8', timeout: 60_000 });
        const wrongLogin = cli(['login', '-u', 'alice', '--password-stdin', '127.0.0.1:5001'], 'nope\n');
        assert.equal(wrongLogin.status, 1);
        assert.match(wrongLogin.stderr, /Error response from daemon: login attempt to http:\/\/127\.0\.0\.1:5001\/v2\/ failed with status: 401 Unauthorized/);
        const goodLogin = cli(['login', '-u', 'alice', '--password-stdin', '127.0.0.1:5001'], 's3cret\n');
        assert.equal(goodLogin.status, 0, goodLogin.stderr);
        assert.match(goodLogin.stdout, /Login Succeeded/);
        assert.equal((await d.api('DELETE', '/images/127.0.0.1:5001/private:latest')).status, 200);
        const p = cli(['pull', '127.0.0.1:5001/private']);
        assert.equal(p.status, 0, p.stderr);
        assert.match(p.stdout, /Status: Downloaded newer image for 127\.0\.0\.1:5001\/private:latest/);
      }
    } finally {
      await secured.stop();
    }
  });

  it('a download cut mid-way resumes with a Range request and the pull succeeds', async () => {
    const layer = uniqueLayer(host.dir, 'cut', randomBytes(3_000_000));
    const config = withConfig(parts.config, { rootfs: { type: 'layers', diff_ids: [diffId(layer)] } });
    pushImage(reg, 'cut', 'latest', config, [layer]);
    const proxy = spawn('nsenter', [`--net=${host.nsPath}`, '--', process.execPath, resolve(import.meta.dirname, 'helpers/cutting-proxy.js'), '5002', '5000', '500000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let log = '';
    proxy.stdout.on('data', (b: Buffer) => (log += b.toString()));
    try {
      await waitFor(() => 'proxy listening', () => host.try(['curl', '-s', '-o', '/dev/null', 'http://127.0.0.1:5002/v2/']).code === 0, 10_000);
      const r = await pull('127.0.0.1:5002/cut:latest');
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /Status: Downloaded newer image for 127\.0\.0\.1:5002\/cut:latest/);
      assert.match(log, /\ncut\n(.*\n)*Range: bytes=\d+-\n/i);
      assert.equal((await d.api('GET', '/images/127.0.0.1:5002/cut:latest/json')).json.RootFS.Layers[0], diffId(layer));
    } finally {
      const gone = new Promise((r) => proxy.once('exit', r));
      proxy.kill('SIGKILL');
      await gone;
    }
  });

  it('a daemon killed mid-pull leaves nothing half-made after a restart', async () => {
    const big = uniqueLayer(host.dir, 'big', randomBytes(96 << 20));
    const config = withConfig(parts.config, { rootfs: { type: 'layers', diff_ids: [diffId(big)] } });
    pushImage(reg, 'big', 'latest', config, [big]);
    const before = await imageList();
    const layersBefore = readdirSync(join(d.dataRoot, 'images', 'layers')).sort();
    // Raw request so the daemon can be killed as soon as the first progress line arrives.
    const { request } = await import('node:http');
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: d.socket, method: 'POST', path: `/images/create?fromImage=${reg.addr}/big&tag=latest` }, (res) => {
        res.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('Downloading')) resolve();
        });
        res.on('end', () => reject(new Error('the pull finished before the daemon was killed')));
        res.on('error', () => undefined);
      });
      req.on('error', () => undefined);
      req.end();
    });
    await d.kill9();
    d = await startDaemon(host, ['--insecure-registry', reg.addr, '--registry-mirror', `http://${reg.addr}`], { dataRoot: d.dataRoot, execRoot: d.execRoot });
    assert.equal(await imageList(), before);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'images', 'layers')).sort(), layersBefore);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'images', 'tmp')), []);
  });
});
