#!/usr/bin/env node
// The kernel floor of each benchmarked operation, measured by a long-lived process inside the
// floor's own test host (as tetherd is a long-lived process inside its own), starting the same
// tools tetherd starts: one `ip -batch -`, one `nft -f -`, `nsenter … ip -batch -`, `crun run`.
//   nsenter --net=/run/netns/<prefix> node floor-agent.mjs '{"prefix","dir","rootfsTar","cgroup"}'
// Requests on stdin, one JSON line each ({op, i}); one JSON line back per request, in order:
// {ok: true, ...timings in ms} or {ok: false, error}. Everything it makes is named after
// `prefix` (netns) or lives in `dir`, in this netns, or in the cgroup `cgroup`; `close` (and
// stdin's end) removes it all. Only numbers from the bench go into names and batches.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, rmdirSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const { prefix, dir, rootfsTar, cgroup } = JSON.parse(process.argv[2]);
const NS = { connect: `${prefix}-c`, peer: `${prefix}-p`, dns: `${prefix}-d`, run: (i) => `${prefix}-r${i}` };
const nsPath = (name) => `/run/netns/${name}`;
const TABLE = 'tcmpfloor';
const BRIDGE = 'flbr0'; // 10.201.0.1/16: the peer (.0.2), run containers (.1.x), the connect veth (.2.10)
const PEER_IP = '10.201.0.2';
const crunRoot = join(dir, 'crun');
const rootfs = join(dir, 'rootfs');
const int = (i) => { if (!Number.isInteger(i) || i < 0 || i > 239) throw new Error(`bad index ${i}`); return i; };

async function must(argv, input) {
  const r = await run(argv, { input });
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${(r.err || r.out).trim().split('\n')[0]}`);
  return r.ms;
}
const ipBatch = (lines) => must(['ip', '-batch', '-'], `${lines.join('\n')}\n`);
const ipBatchIn = (ns, lines) => must(['nsenter', `--net=${nsPath(ns)}`, 'ip', '-batch', '-'], `${lines.join('\n')}\n`);
const nft = (lines) => must(['nft', '-f', '-'], `${lines.join('\n')}\n`);
/** Milliseconds since t0. */
const since = (t0) => performance.now() - t0;

// ---------- network create / rm: a bridge + address + up, and the nft elements tetherd adds ----------
const netName = (i) => `fln${int(i)}`;
const netSubnet = (i) => `10.200.${int(i) % 250}.0/24`;
// tetherd's firewall adds a network as elements of fixed sets (src/firewall/nft/elements.ts)
const netElements = (op, i) => {
  const br = `"${netName(i)}"`;
  return [
    `${op} element inet ${TABLE} bridges { ${br} }`,
    `${op} element inet ${TABLE} bridge_self { ${br} . ${br} }`,
    `${op} element inet ${TABLE} bridge_nets4 { ${br} . ${netSubnet(i)} }`,
    `${op} element inet ${TABLE} masq4 { ${netSubnet(i)} }`,
  ];
};
async function netCreate(i) {
  const t0 = performance.now();
  await ipBatch([`link add name ${netName(i)} type bridge`, `addr add 10.200.${int(i) % 250}.1/24 dev ${netName(i)}`, `link set ${netName(i)} up`]);
  await nft(netElements('add', i));
  return { ms: since(t0) };
}
async function netRm(i) {
  const t0 = performance.now();
  await nft(netElements('delete', i));
  await ipBatch([`link del ${netName(i)}`]);
  return { ms: since(t0) };
}

// ---------- connect / disconnect: a veth into a prepared netns, addressed and routed there ----------
async function connect() {
  const t0 = performance.now();
  await ipBatch([`link add flc type veth peer name eth1 netns ${NS.connect}`, `link set flc master ${BRIDGE}`, 'link set flc up']);
  await ipBatchIn(NS.connect, ['addr add 10.201.2.10/16 dev eth1', 'link set eth1 up', 'route add default via 10.201.0.1 dev eth1']);
  return { ms: since(t0) };
}
async function disconnect() {
  const t0 = performance.now();
  await ipBatch(['link del flc']);
  return { ms: since(t0) };
}

// ---------- run → first reply: crun run of busybox sleep in a prepared netns ----------
const runId = (i) => `floor-r${int(i)}`;
function ociConfig(i) {
  return {
    ociVersion: '1.0.2',
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['sleep', '3600'], env: ['PATH=/bin'], cwd: '/', noNewPrivileges: true },
    root: { path: rootfs, readonly: true },
    hostname: runId(i),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: nsPath(NS.run(i)) }],
      cgroupsPath: `/${cgroup}/${runId(i)}`,
    },
  };
}
// crun 1.8 refuses hybrid cgroups (a cgroup2 mount at /sys/fs/cgroup/unified); tetherd detaches
// that mount in a mount namespace of the container's (src/runtime/runtime-binary.ts): so here.
const HYBRID = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === '/sys/fs/cgroup/unified' && / - cgroup2 /.test(l));
const inMountNs = (argv) => (HYBRID ? ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'umount -l /sys/fs/cgroup/unified && exec "$@"', 'sh', ...argv] : argv);
/**
 * `crun run --detach`: the container inherits crun's stdio, so no pipes (they would stay open as
 * long as it runs); its stderr goes to a file, read only when crun fails.
 */
async function crunRun(argv) {
  const errFile = join(dir, 'crun.err');
  const fd = openSync(errFile, 'w');
  try {
    const code = await new Promise((resolve) => {
      const [cmd, ...args] = inMountNs(argv);
      const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', fd] });
      p.on('error', () => resolve(-1));
      p.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`crun run: ${readFileSync(errFile, 'utf8').trim().split('\n')[0]}`);
  } finally {
    closeSync(fd);
  }
}
/** The peer's reachability probe (bench/lib/probe.mjs, as the engines' run bench uses). */
function startProbe(ip) {
  const p = spawn('nsenter', [`--net=${nsPath(NS.peer)}`, process.execPath, join(HERE, 'probe.mjs'), ip, '30000'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  const line = (want) => new Promise((resolve) => {
    const check = () => { const l = buf.split('\n').find((x) => want.some((w) => x.startsWith(w))); if (l !== undefined) resolve(l); };
    p.stdout.on('data', (d) => { buf += d; check(); });
    p.on('close', () => resolve('timeout'));
    check();
  });
  return { p, ready: line(['ready']), reached: line(['reachable', 'timeout']) };
}
async function runOne(i) {
  const ns = NS.run(i), host = `flr${int(i)}`, ip = `10.201.1.${10 + int(i)}`, bundle = join(dir, `bundle-${runId(i)}`);
  // prepared (not timed): the netns, a veth with its host end on the bridge, the bundle
  await must(['ip', 'netns', 'add', ns]);
  await ipBatch([`link add ${host} type veth peer name eth0 netns ${ns}`, `link set ${host} master ${BRIDGE}`, `link set ${host} up`]);
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(ociConfig(i)));
  const probe = startProbe(ip);
  try {
    if ((await probe.ready) !== 'ready') throw new Error('probe did not start');
    const t0 = performance.now();
    await crunRun(['crun', '--root', crunRoot, 'run', '--detach', '--bundle', bundle, runId(i)]);
    const started = since(t0);
    await ipBatchIn(ns, ['link set lo up', `addr add ${ip}/16 dev eth0`, 'link set eth0 up', 'route add default via 10.201.0.1 dev eth0']);
    const reached = await probe.reached;
    if (!reached.startsWith('reachable')) throw new Error(`no reply from ${ip} within 30 s`);
    return { reply: since(t0), run: started };
  } finally {
    probe.p.kill();
    await removeRun(i);
  }
}
/** Best-effort (failures mean "already gone"), as every removal below. */
async function removeRun(i) {
  await run(['crun', '--root', crunRoot, 'delete', '--force', runId(i)]);
  await run(['ip', 'link', 'del', `flr${int(i)}`]);
  await run(['ip', 'netns', 'del', NS.run(i)]);
  rmSync(join(dir, `bundle-${runId(i)}`), { recursive: true, force: true });
}

// ---------- setup / close ----------
let dnsServer = null;
let dnsResponder = '';
async function setup() {
  mkdirSync(rootfs, { recursive: true });
  mkdirSync(crunRoot, { recursive: true });
  await must(['tar', '-xf', rootfsTar, '-C', rootfs]);
  await ipBatch(['link set lo up', `link add name ${BRIDGE} type bridge`, `addr add 10.201.0.1/16 dev ${BRIDGE}`, `link set ${BRIDGE} up`]);
  // the sets tetherd's network elements go to, and rules that look them up (as src/firewall/nft)
  await nft([
    `add table inet ${TABLE}`,
    `add set inet ${TABLE} bridges { type ifname; }`,
    `add set inet ${TABLE} bridge_self { type ifname . ifname; }`,
    `add set inet ${TABLE} bridge_nets4 { type ifname . ipv4_addr; flags interval; }`,
    `add set inet ${TABLE} masq4 { type ipv4_addr; flags interval; }`,
    `add chain inet ${TABLE} forward { type filter hook forward priority filter; policy accept; }`,
    `add rule inet ${TABLE} forward iifname . oifname @bridge_self accept`,
    `add rule inet ${TABLE} forward oifname @bridges ct state established,related accept`,
    `add chain inet ${TABLE} nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add rule inet ${TABLE} nat-postrouting ip saddr @masq4 oifname != @bridges masquerade`,
  ]);
  for (const ns of [NS.connect, NS.peer, NS.dns]) {
    await must(['ip', 'netns', 'add', ns]);
    await ipBatchIn(ns, ['link set lo up']);
  }
  await ipBatch([`link add flp type veth peer name eth0 netns ${NS.peer}`, `link set flp master ${BRIDGE}`, 'link set flp up']);
  await ipBatchIn(NS.peer, [`addr add ${PEER_IP}/16 dev eth0`, 'link set eth0 up']);
  // the bench does the same in its peer containers: ARP retries every 10 ms, not every second
  await must(['nsenter', `--net=${nsPath(NS.peer)}`, 'sysctl', '-q', '-w', 'net.ipv4.neigh.eth0.retrans_time_ms=10']);
  // The responder in C where the machine has a compiler (floor-dns.c), else the same in Node.
  const cBinary = join(dir, 'floor-dns');
  const compiled = (await run(['cc', '-O2', '-o', cBinary, join(HERE, 'floor-dns.c')])).code === 0;
  dnsResponder = compiled ? 'C (floor-dns.c)' : 'Node (floor-dns.mjs; no cc here)';
  const responder = compiled ? [cBinary] : [process.execPath, join(HERE, 'floor-dns.mjs')];
  dnsServer = spawn('nsenter', [`--net=${nsPath(NS.dns)}`, ...responder, '127.0.0.11', PEER_IP], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    dnsServer.stdout.once('data', resolve);
    dnsServer.once('close', () => reject(new Error('the DNS responder exited')));
  });
  return { dnsNetns: nsPath(NS.dns), dnsResponder };
}

async function close() {
  dnsServer?.kill();
  const left = await run(['crun', '--root', crunRoot, 'list', '-q']);
  for (const id of left.out.split('\n').filter((x) => /^floor-r\d+$/.test(x))) await run(['crun', '--root', crunRoot, 'delete', '--force', id]);
  const nss = (await run(['ip', 'netns', 'list'])).out.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${prefix}-`));
  for (const ns of nss) await run(['ip', 'netns', 'del', ns]);
  await run(['nft', 'delete', 'table', 'inet', TABLE]);
  const links = (await run(['ip', '-o', 'link', 'show'])).out.split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((n) => n && /^(fl(n|r)\d+|flbr0|flp|flc)$/.test(n));
  for (const l of links) await run(['ip', 'link', 'del', l]);
  for (const c of readdirSync('/sys/fs/cgroup')) {
    try { rmdirSync(join('/sys/fs/cgroup', c, cgroup)); } catch { /* not made in this hierarchy, or gone */ }
  }
  rmSync(dir, { recursive: true, force: true });
  return {};
}

const OPS = { setup, netCreate, netRm, connect, disconnect, run: runOne, close };
let closed = false;
// one request at a time, in order: the bench waits for each answer
let chain = Promise.resolve();
const rl = createInterface({ input: process.stdin });
rl.on('line', (l) => {
  chain = chain.then(async () => {
    const { op, i } = JSON.parse(l);
    try {
      const out = await OPS[op](i);
      if (op === 'close') closed = true;
      process.stdout.write(`${JSON.stringify({ ok: true, ...out })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: String(e.message ?? e) })}\n`);
    }
  });
});
rl.on('close', () => { chain = chain.then(async () => { if (!closed) await close(); process.exit(0); }); });
