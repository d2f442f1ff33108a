// A real distribution registry (Debian's docker-registry, the CNCF registry 2.8) inside a test
// host, on 127.0.0.1:<port> of that namespace only, plus plain-HTTP uploads (monolithic blob
// upload, manifest PUT) through curl in the namespace, so a test can put exactly the image it
// wants into the registry without our own push.
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { busyboxTar } from './image.js';
import type { TestHost } from './testhost.js';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export interface TestRegistry {
  /** 127.0.0.1:<port>, as a reference names it. */
  addr: string;
  /** The registry's storage root (docker/registry/v2/… below it). */
  storage: string;
  /** Uploads bytes as a blob of repo; returns its descriptor. */
  blob(repo: string, bytes: Buffer, mediaType: string): Descriptor;
  /** PUTs a manifest (or index) under repo:ref; returns its descriptor. */
  manifest(repo: string, ref: string, body: unknown, mediaType: string): Descriptor;
  /** The file holding a blob's bytes in the registry's storage. */
  blobFile(digest: string): string;
  stop(): Promise<void>;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

const digestOf = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface RegistryOptions {
  /** Basic auth (htpasswd) for this user. */
  basic?: { user: string; password: string };
  /** Bearer tokens from realm, signed by the key of rootCert (the registry's rootcertbundle). */
  token?: { realm: string; service: string; issuer: string; rootCert: string };
  /** HTTPS with this certificate and key. */
  tls?: { cert: string; key: string };
  /** Listen address in the test host (default 127.0.0.1). */
  ip?: string;
  /** Serve an existing storage directory (another registry's). */
  storage?: string;
}

/** Starts docker-registry in the host's namespace. */
export async function startRegistry(host: TestHost, port: number, opts: RegistryOptions = {}): Promise<TestRegistry> {
  const auth = opts.basic;
  const dir = mkdtempSync(join(host.dir, 'registry-'));
  const storage = opts.storage ?? join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  let authYaml = '';
  if (auth) {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, execFileSync('htpasswd', ['-Bbn', auth.user, auth.password]));
    authYaml = `auth:\n  htpasswd:\n    realm: test\n    path: ${file}\n`;
  }
  if (opts.token) {
    const t = opts.token;
    authYaml = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCert}\n`;
  }
  const ip = opts.ip ?? '127.0.0.1';
  const tlsYaml = opts.tls ? `  tls:\n    certificate: ${opts.tls.cert}\n    key: ${opts.tls.key}\n` : '';
  const config = join(dir, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\nhttp:\n  addr: ${ip}:${port}\n${tlsYaml}${authYaml}`);
  const child: ChildProcess = spawn('nsenter', [`--net=${host.nsPath}`, '--', 'docker-registry', 'serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `${opts.tls ? 'https' : 'http'}://${ip}:${port}`;
  const curlAuth = auth ? ['-u', `${auth.user}:${auth.password}`] : [];
  const curl = (args: string[]): string => host.sh(['curl', '-sS', '--max-time', '30', ...curlAuth, ...args]);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const code = host.try(['curl', '-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', `${base}/v2/`]).stdout;
    if (code === '200' || code === '401') break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let n = 0;
  const upload = (bytes: Buffer): string => {
    const file = join(dir, `upload-${++n}`);
    writeFileSync(file, bytes);
    return file;
  };
  return {
    addr: `${ip}:${port}`,
    storage,
    blob(repo, bytes, mediaType) {
      const digest = digestOf(bytes);
      const headers = curl(['-i', '-X', 'POST', `${base}/v2/${repo}/blobs/uploads/`]);
      const location = /^location:\s*(\S+)/im.exec(headers)?.[1];
      if (!location) throw new Error(`no upload location: ${headers}`);
      const url = new URL(location, base);
      url.searchParams.set('digest', digest);
      curl(['-f', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${upload(bytes)}`, url.toString()]);
      return { mediaType, digest, size: bytes.length };
    },
    manifest(repo, ref, body, mediaType) {
      const bytes = Buffer.from(JSON.stringify(body));
      curl(['-f', '-X', 'PUT', '-H', `Content-Type: ${mediaType}`, '--data-binary', `@${upload(bytes)}`, `${base}/v2/${repo}/manifests/${ref}`]);
      return { mediaType, digest: digestOf(bytes), size: bytes.length };
    },
    blobFile(digest) {
      const hex = digest.slice('sha256:'.length);
      return join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      if (child.pid && existsSync(`/proc/${child.pid}`) && readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes(config)) {
        throw new Error(`docker-registry ${child.pid} outlived SIGKILL`);
      }
    },
  };
}

/** The test busybox image's config and its one layer (uncompressed tar), from busyboxTar(). */
export function busyboxParts(workDir: string): { config: Buffer; layer: Buffer } {
  const dir = mkdtempSync(join(workDir, 'busybox-'));
  execFileSync('tar', ['-xf', busyboxTar(), '-C', dir]);
  const [m] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
  return { config: readFileSync(join(dir, m!.Config)), layer: readFileSync(join(dir, m!.Layers[0]!)) };
}

/** Pushes config + gzip layers as a Docker schema2 image under repo:tag; returns the manifest descriptor. */
export function pushImage(reg: TestRegistry, repo: string, tag: string, config: Buffer, layers: Buffer[]): Descriptor & { configDigest: string } {
  const cfg = reg.blob(repo, config, 'application/vnd.docker.container.image.v1+json');
  const ls = layers.map((l) => reg.blob(repo, gzipSync(l, { level: 1 }), 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
  const m = reg.manifest(repo, tag, { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: cfg, layers: ls }, DOCKER_MANIFEST);
  return { ...m, configDigest: cfg.digest };
}

/** The config with other values (a second image or platform from the same layers). */
export function withConfig(config: Buffer, change: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ ...(JSON.parse(config.toString('utf8')) as Record<string, unknown>), ...change }));
}
