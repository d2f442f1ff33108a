// Pull throughput from a local registry, tetherd side by side with dockerd: a generated image
// (default 200 MB in 4 incompressible layers) is put into Debian's docker-registry inside a
// throwaway test host (netns), and a tetherd and a dockerd (its own managed containerd), both in
// that namespace, pull it in turn — ours, docker, ours, docker… — with the image and its layers
// removed on both sides between runs, so every run downloads, verifies and unpacks everything.
// Prints the median MB/s of each side, their ratio, and curl fetching the same blobs (the
// registry's own ceiling on this machine). Not part of the test suite: it starts a real dockerd.
//   npm run build && node dist/bench/pull-throughput.js [--mb 200] [--layers 4] [--reps 3] [--no-docker]
// Everything (dockerd, containerd, registry, tetherd, netns, directories, mounts) goes in finally.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiCall, startDaemon, type TestDaemon } from '../test/helpers/daemon.js';
import { busyboxParts, pushImage, startRegistry, withConfig } from '../test/helpers/registry.js';
import { createTestHost, mountsUnder, type TestHost } from '../test/helpers/testhost.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '200' },
    layers: { type: 'string', default: '4' },
    reps: { type: 'string', default: '3' },
    'no-docker': { type: 'boolean', default: false },
  },
});
const totalMb = Number(values.mb);
const layerCount = Number(values.layers);
const reps = Number(values.reps);
const withDocker = !values['no-docker'];

/** Paths a dockerd could create outside its --data-root/--exec-root: reported if this run made them. */
const OUTSIDE = ['/etc/docker/key.json', '/var/lib/docker', '/run/docker', '/var/run/docker.sock', '/run/containerd', '/var/lib/containerd', '/etc/containerd'];
const existedBefore = new Set(OUTSIDE.filter((p) => existsSync(p)));

interface Side {
  name: string;
  socket: string;
}

const host = createTestHost('bnch');
let tether: TestDaemon | undefined;
let docker: DockerD | undefined;
try {
  const reg = await startRegistry(host, 5000);
  try {
    const parts = busyboxParts(host.dir);
    // Plain tars of random bytes: gzip cannot shrink them, so bytes on the wire ≈ image size.
    const layers = Array.from({ length: layerCount }, (_, i) => tarOf(`blob${i}`, randomBytes(Math.floor((totalMb << 20) / layerCount))));
    const diffIds = layers.map((l) => `sha256:${createHash('sha256').update(l).digest('hex')}`);
    const config = withConfig(parts.config, { rootfs: { type: 'layers', diff_ids: diffIds } });
    pushImage(reg, 'big', 'latest', config, layers);
    const manifest = JSON.parse(host.sh(['curl', '-s', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `http://${reg.addr}/v2/big/manifests/latest`])) as { layers: { digest: string; size: number }[] };
    const wire = manifest.layers.reduce((n, l) => n + l.size, 0);
    const ref = `${reg.addr}/big:latest`;

    tether = await startDaemon(host, ['--insecure-registry', reg.addr]);
    const sides: Side[] = [{ name: 'tetherd', socket: tether.socket }];
    if (withDocker) {
      docker = await startDockerd(host, reg.addr);
      sides.push({ name: 'dockerd', socket: docker.socket });
    }
    const version = withDocker ? ((await apiCall(docker!.socket, 'GET', '/version')).json as { Version: string; ApiVersion: string }) : undefined;

    const times = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    for (let i = 0; i < reps; i++) {
      for (const side of sides) {
        await removeImage(side, ref);
        const t0 = process.hrtime.bigint();
        const r = await apiCall(side.socket, 'POST', `/images/create?fromImage=${encodeURIComponent(`${reg.addr}/big`)}&tag=latest`);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (!/Downloaded newer image/.test(r.text)) throw new Error(`${side.name}: pull failed: ${r.text.slice(-500)}`);
        // Every layer must have been fetched again: the removal really removed them.
        if (/Already exists/.test(r.text)) throw new Error(`${side.name}: layers were still present at run ${i + 1}`);
        times.get(side.name)!.push(ms);
        console.error(`run ${i + 1}: ${side.name} ${ms.toFixed(0)} ms (${mbps(wire, ms)} MB/s)`);
      }
    }
    for (const side of sides) await removeImage(side, ref);

    const curls: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint();
      for (const l of manifest.layers) host.sh(['curl', '-s', '-o', '/dev/null', `http://${reg.addr}/v2/big/blobs/${l.digest}`]);
      curls.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const ours = median(times.get('tetherd')!);
    console.log(`image: ${layerCount} gzip layers, ${(wire / 1e6).toFixed(1)} MB on the wire; ${reps} runs each, alternating, medians`);
    console.log(`tetherd pull (download, verify, unpack, commit): ${ours.toFixed(0)} ms = ${mbps(wire, ours)} MB/s   runs: ${fmt(times.get('tetherd')!)}`);
    if (withDocker) {
      const theirs = median(times.get('dockerd')!);
      console.log(`dockerd ${version?.Version} (API ${version?.ApiVersion}, overlay2) pull: ${theirs.toFixed(0)} ms = ${mbps(wire, theirs)} MB/s   runs: ${fmt(times.get('dockerd')!)}`);
      console.log(`ratio tetherd/dockerd throughput: ${(theirs / ours).toFixed(2)} (>1: tetherd faster)`);
    }
    const c = median(curls);
    console.log(`curl, same blobs one after another (download only): ${c.toFixed(0)} ms = ${mbps(wire, c)} MB/s`);
  } finally {
    await reg.stop();
  }
} finally {
  try {
    await docker?.stop();
  } finally {
    try {
      await tether?.stop();
    } finally {
      host.dispose();
      // dockerd makes /run/docker/plugins (plugin discovery) whatever its --exec-root: empty
      // directories this run made go (rmdir leaves them if anything is inside).
      if (docker && !existedBefore.has('/run/docker')) spawnSync('rmdir', ['--ignore-fail-on-non-empty', '/run/docker/plugins', '/run/docker']);
      const created = OUTSIDE.filter((p) => !existedBefore.has(p) && existsSync(p));
      if (created.length > 0) console.error(`WARNING: a daemon created ${created.join(', ')} (left for you to check: another run may own it)`);
    }
  }
}

/** Removes the image and whatever layers no other image uses, as `docker rmi` + `docker image prune -a`. */
async function removeImage(side: Side, ref: string): Promise<void> {
  const del = await apiCall(side.socket, 'DELETE', `/images/${ref}?force=1`);
  if (del.status !== 200 && del.status !== 404) throw new Error(`${side.name}: rmi: ${del.status} ${del.text}`);
  const prune = await apiCall(side.socket, 'POST', `/images/prune?filters=${encodeURIComponent('{"dangling":["false"]}')}`);
  if (prune.status !== 200) throw new Error(`${side.name}: prune: ${prune.status} ${prune.text}`);
  const left = (await apiCall(side.socket, 'GET', '/images/json?all=1')).json as unknown[];
  if (left.length > 0) throw new Error(`${side.name}: images left after removal: ${JSON.stringify(left)}`);
}

interface DockerD {
  socket: string;
  stop(): Promise<void>;
}

/**
 * dockerd in the test host's namespace (nsenter --net only: the mount namespace stays the
 * machine's), all of its state below the host's directory, no iptables, no bridge, and the
 * managed containerd it starts itself. Its trust key goes below the directory too (else
 * /etc/docker/key.json).
 */
async function startDockerd(h: TestHost, registry: string): Promise<DockerD> {
  const dir = join(h.dir, 'dk');
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  // The trust key's path is a daemon.json key only (dockerd 20.10 has no flag for it).
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': join(dir, 'key.json') }));
  const args = [
    `--net=${h.nsPath}`, '--', 'dockerd',
    '--config-file', join(dir, 'daemon.json'), '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'x'),
    '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${socket}`, '--insecure-registry', registry, '--max-concurrent-downloads', '3',
    '--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false', '--bridge=none',
    '--storage-driver', 'overlay2', '--log-level', 'warn',
  ];
  const child: ChildProcess = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM'); // dockerd stops its managed containerd on the way out
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    // A containerd left by a killed dockerd, and any mount below the directory, go with the host
    // (dispose kills processes naming its directory and unmounts below it); report them.
    const leftovers = spawnSync('pgrep', ['-af', dir], { encoding: 'utf8' }).stdout.trim();
    if (leftovers) console.error(`dockerd left processes (killed with the host): ${leftovers}`);
    const mounts = mountsUnder(h.dir);
    if (mounts.length > 0) console.error(`dockerd left mounts (unmounted with the host): ${mounts.join(' ')}`);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dockerd exited: ${log}`);
    if (existsSync(socket)) {
      const r = await apiCall(socket, 'GET', '/_ping').catch(() => undefined);
      if (r?.status === 200) return { socket, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not answer /_ping within 60 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
}

function mbps(bytes: number, ms: number): string {
  return (bytes / 1e6 / (ms / 1000)).toFixed(1);
}

function fmt(xs: number[]): string {
  return xs.map((ms) => `${ms.toFixed(0)} ms`).join(', ');
}

/** A one-file ustar archive, built in memory (512-byte header, data, padding, two zero blocks). */
function tarOf(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\x0000', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}
