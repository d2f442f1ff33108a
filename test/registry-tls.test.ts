// A registry over HTTPS with a CA from certs.d and Bearer-token auth (a stub token server
// signing JWTs the registry checks against its rootcertbundle), on a non-loopback address of the
// test host, so the CA really is what makes TLS work (loopback registries are insecure by default).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { busyboxParts, pushImage, startRegistry, type TestRegistry } from './helpers/registry.js';

const IP = '192.0.2.10';
const TOKEN_SERVER = resolve(import.meta.dirname, 'helpers/token-server.js');
const creds = (user: string, password: string) => ({ 'X-Registry-Auth': Buffer.from(JSON.stringify({ username: user, password })).toString('base64url') });

function openssl(dir: string): void {
  const o = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=tether-test-ca']);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', `/CN=${IP}`]);
  writeFileSync(join(dir, 'san.ext'), `subjectAltName=IP:${IP}\n`);
  o(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '1', '-extfile', 'san.ext']);
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tok.key', '-out', 'tok.crt', '-days', '1', '-subj', '/CN=tether-test-token']);
}

describe('registry over HTTPS (certs.d CA) with Bearer-token auth', () => {
  let host: TestHost;
  let d: TestDaemon | undefined;
  let reg: TestRegistry | undefined;
  let tokens: ChildProcess | undefined;
  let pki: string;
  let certsDir: string;
  const pull = (headers: Record<string, string> = {}) => d!.api('POST', `/images/create?fromImage=${IP}:5443/busybox&tag=latest`, undefined, headers);

  before(async () => {
    host = createTestHost('rtls');
    host.sh(['ip', 'addr', 'add', `${IP}/32`, 'dev', 'lo']);
    pki = join(host.dir, 'pki');
    mkdirSync(pki);
    openssl(pki);
    // Fill the storage through a plain registry first, then serve it with TLS and tokens.
    const storage = join(host.dir, 'storage');
    const plain = await startRegistry(host, 5000, { storage });
    try {
      const parts = busyboxParts(host.dir);
      pushImage(plain, 'busybox', 'latest', parts.config, [parts.layer]);
    } finally {
      await plain.stop();
    }
    const args = ['5600', join(pki, 'tok.key'), join(pki, 'tok.crt'), 'test-registry', 'test-issuer', 'alice', 's3cret'];
    tokens = spawn('nsenter', [`--net=${host.nsPath}`, '--', process.execPath, TOKEN_SERVER, ...args], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (host.try(['curl', '-s', '-o', '/dev/null', 'http://127.0.0.1:5600/token']).code !== 0) {
      if (Date.now() > deadline) throw new Error('token server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    reg = await startRegistry(host, 5443, {
      ip: IP,
      storage,
      tls: { cert: join(pki, 'srv.crt'), key: join(pki, 'srv.key') },
      token: { realm: 'http://127.0.0.1:5600/token', service: 'test-registry', issuer: 'test-issuer', rootCert: join(pki, 'tok.crt') },
    });
    certsDir = join(host.dir, 'certs.d');
    d = await startDaemon(host, ['--certs-dir', certsDir]);
  });
  after(async () => {
    try {
      await d?.stop();
      await reg?.stop();
    } finally {
      if (tokens && tokens.exitCode === null) {
        const gone = new Promise((r) => tokens!.once('exit', r));
        tokens.kill('SIGKILL');
        await gone;
      }
      host?.dispose();
    }
  });

  it('refuses an unknown CA, then trusts certs.d/<host:port>/ca.crt', async () => {
    const r = await pull(creds('alice', 's3cret'));
    assert.equal(r.status, 500);
    assert.equal(r.json.message, `Get "https://${IP}:5443/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority`);
    mkdirSync(join(certsDir, `${IP}:5443`), { recursive: true });
    copyFileSync(join(pki, 'ca.crt'), join(certsDir, `${IP}:5443`, 'ca.crt'));
    const ok = await pull(creds('alice', 's3cret'));
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, new RegExp(`Status: Downloaded newer image for ${IP}:5443/busybox:latest`));
    const img = await d!.api('GET', `/images/${IP}:5443/busybox/json`);
    assert.equal(img.json.RepoTags[0], `${IP}:5443/busybox:latest`);
  });

  it('the token flow refuses wrong and missing credentials with "unauthorized"', async () => {
    const wrong = await pull(creds('alice', 'wrong'));
    assert.notEqual(wrong.status, 200);
    assert.match(wrong.json.message, /^unauthorized: /);
    const none = await pull();
    assert.match(none.json.message, /^unauthorized: /);
    const login = await d!.api('POST', '/auth', { username: 'alice', password: 's3cret', serveraddress: `${IP}:5443` });
    assert.deepEqual([login.status, login.json.Status], [200, 'Login Succeeded']);
  });
});
