#!/usr/bin/env node
// Side-by-side benchmarks (driven by bench/run.sh, which brings the engines up in their own test
// hosts and passes their sockets in BENCH_ENGINES as JSON {engine: socketPath}).
// Every benchmark runs on all engines in the same invocation, alternating engines run by run
// (the order rotates each round), and reports median / p90 and the ratio to tetherd.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string', default: '10' },
    many: { type: 'string', default: '40' },
    only: { type: 'string', default: '' },
    out: { type: 'string', default: join(HERE, 'results') },
    'dns-seconds': { type: 'string', default: '5' },
  },
});
const ENGINES = JSON.parse(process.env.BENCH_ENGINES ?? '{}');
const CLI = process.env.BENCH_CLI ?? '/usr/local/bin/docker';
const REPS = Number(opt.reps);
const MANY = Number(opt.many);
const names = Object.keys(ENGINES);
const log = (m) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

// ---------- helpers ----------
function run(argv, { env = {}, input } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => resolve({ code: -1, out, err: String(e), ms: performance.now() - t0 }));
    p.on('close', (code) => resolve({ code, out, err, ms: performance.now() - t0 }));
    if (p.stdin) { p.stdin.on('error', () => {}); p.stdin.end(input); }
  });
}
const cli = (e, ...args) => run([CLI, ...args], { env: { DOCKER_HOST: `unix://${ENGINES[e]}`, DOCKER_CLI_HINTS: 'false' } });
function api(e, method, path, body) {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const t0 = performance.now();
    const req = http.request({ socketPath: ENGINES[e], method, path: `/v1.41${path}`, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b, ms: performance.now() - t0 }));
    });
    req.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - t0 }));
    req.end(data);
  });
}
const ok = (r) => ('code' in r ? r.code === 0 : r.status >= 200 && r.status < 300);
const errText = (r) => ('code' in r ? (r.err || r.out).trim().split('\n')[0] : `${r.status} ${r.body.trim().slice(0, 160)}`);
function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.ceil(q * s.length) - 1);
  return s[Math.max(0, i)];
}
const rotate = (arr, k) => arr.map((_, i) => arr[(i + k) % arr.length]);

/** results[metric][engine] = {samples: [...], errors: n, firstError} ; meta[metric] = {unit, how} */
const results = {};
const meta = {};
function rec(metric, e, r, value, unit = 'ms', how = '') {
  meta[metric] ??= { unit, how };
  const m = (results[metric] ??= {});
  const s = (m[e] ??= { samples: [], errors: 0, firstError: null });
  if (r && !ok(r)) { s.errors++; s.firstError ??= errText(r); return false; }
  s.samples.push(value ?? r.ms);
  return true;
}
function fail(metric, e, msg, unit = 'ms', how = '') {
  meta[metric] ??= { unit, how };
  const s = ((results[metric] ??= {})[e] ??= { samples: [], errors: 0, firstError: null });
  s.errors++; s.firstError ??= msg;
}
const want = (b) => !opt.only || new RegExp(opt.only).test(b);
const alive = {}; // engine -> bool (containers work)

async function containerPid(e, name) {
  const r = await cli(e, 'inspect', '-f', '{{.State.Pid}}', name);
  const pid = Number(r.out.trim());
  return r.code === 0 && pid > 0 ? pid : null;
}
async function rmf(e, ...ns) { await cli(e, 'rm', '-f', ...ns); }

// ---------- benchmarks ----------
async function benchNetworkCreateRm() {
  for (let i = 0; i < REPS; i++) {
    for (const e of rotate(names, i)) {
      const name = `bench-n${i}`;
      const subnet = `10.100.${i % 250}.0/24`;
      let r = await cli(e, 'network', 'create', '--subnet', subnet, name);
      rec('network create (CLI)', e, r, undefined, 'ms', 'docker network create --subnet, CLI wall time');
      r = await cli(e, 'network', 'rm', name);
      rec('network rm (CLI)', e, r, undefined, 'ms', 'docker network rm, CLI wall time');
      const a = await api(e, 'POST', '/networks/create', { Name: name, IPAM: { Config: [{ Subnet: subnet }] } });
      rec('network create (API)', e, a, undefined, 'ms', 'POST /networks/create');
      const id = ok(a) ? JSON.parse(a.body).Id : name;
      rec('network rm (API)', e, await api(e, 'DELETE', `/networks/${id}`), undefined, 'ms', 'DELETE /networks/{id}');
    }
  }
}

async function setupContainers() {
  for (const e of names) {
    await rmf(e, 'bench-peer', 'bench-cd', 'bench-dns');
    await cli(e, 'network', 'rm', 'bench-net', 'bench-net2');
    await cli(e, 'network', 'create', '--subnet', '10.101.0.0/16', 'bench-net');
    await cli(e, 'network', 'create', '--subnet', '10.102.0.0/16', 'bench-net2');
    const r = await cli(e, 'run', '-d', '--name', 'bench-peer', '--network', 'bench-net', '--ip', '10.101.0.2', 'busybox', 'sleep', '3600');
    const pid = r.code === 0 ? await containerPid(e, 'bench-peer') : null;
    alive[e] = pid !== null;
    if (!alive[e]) { log(`${e}: containers do not work (${errText(r)}) — container benchmarks report errors`); alive[`${e}:why`] = errText(r); }
  }
}
const dead = (metric, e, unit = 'ms', how = '') => { fail(metric, e, `no containers: ${alive[`${e}:why`] ?? '?'}`, unit, how); };

async function benchRunToPing() {
  const M = 'run → first reply from a peer';
  const HOW = 'start of `docker run -d` to the first answered TCP probe (RST) from a peer container netns; ARP retrans 10 ms in the peer';
  for (const e of names) {
    if (!alive[e]) continue;
    const pid = await containerPid(e, 'bench-peer');
    await run(['nsenter', `--net=/proc/${pid}/ns/net`, 'sysctl', '-q', '-w', 'net.ipv4.neigh.eth0.retrans_time_ms=10']);
  }
  for (let i = 0; i < REPS; i++) {
    for (const e of rotate(names, i)) {
      if (!alive[e]) { dead(M, e, 'ms', HOW); dead('run -d (CLI, user network)', e); continue; }
      const pid = await containerPid(e, 'bench-peer');
      const ip = `10.101.1.${10 + i}`;
      const probe = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, join(HERE, 'lib/probe.mjs'), ip, '30000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = [];
      let onLine = () => {};
      let buf = '';
      probe.stdout.on('data', (d) => { buf += d; let k; while ((k = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, k)); buf = buf.slice(k + 1); onLine(); } });
      await new Promise((res) => { onLine = () => lines.includes('ready') && res(); onLine(); });
      const t0 = performance.now();
      const reached = new Promise((res) => { onLine = () => { const l = lines.find((x) => x.startsWith('reachable') || x === 'timeout'); if (l) res(l === 'timeout' ? null : performance.now()); }; onLine(); });
      probe.on('close', () => { onLine(); lines.push('timeout'); onLine(); });
      const r = await cli(e, 'run', '-d', '--name', `bench-r${i}`, '--network', 'bench-net', '--ip', ip, 'busybox', 'sleep', '3600');
      rec('run -d (CLI, user network)', e, r, undefined, 'ms', 'docker run -d busybox sleep, CLI wall time');
      if (r.code !== 0) { probe.kill(); rec(M, e, r, undefined, 'ms', HOW); continue; }
      const t1 = await reached;
      if (t1 === null) fail(M, e, 'no reply within 30 s', 'ms', HOW); else rec(M, e, null, t1 - t0, 'ms', HOW);
      probe.kill();
    }
  }
  for (const e of names) if (alive[e]) await rmf(e, ...Array.from({ length: REPS }, (_, i) => `bench-r${i}`));
}

async function benchConnect() {
  for (const e of names) if (alive[e]) await cli(e, 'run', '-d', '--name', 'bench-cd', '--network', 'bench-net', 'busybox', 'sleep', '3600');
  for (let i = 0; i < REPS; i++) {
    for (const e of rotate(names, i)) {
      if (!alive[e]) { for (const m of ['network connect (CLI)', 'network disconnect (CLI)', 'network connect (API)', 'network disconnect (API)']) dead(m, e); continue; }
      rec('network connect (CLI)', e, await cli(e, 'network', 'connect', 'bench-net2', 'bench-cd'), undefined, 'ms', 'running container, CLI wall time');
      rec('network disconnect (CLI)', e, await cli(e, 'network', 'disconnect', 'bench-net2', 'bench-cd'), undefined, 'ms', 'CLI wall time');
      rec('network connect (API)', e, await api(e, 'POST', '/networks/bench-net2/connect', { Container: 'bench-cd' }), undefined, 'ms', 'POST /networks/{id}/connect');
      rec('network disconnect (API)', e, await api(e, 'POST', '/networks/bench-net2/disconnect', { Container: 'bench-cd' }), undefined, 'ms', 'POST /networks/{id}/disconnect');
    }
  }
}

async function benchMany() {
  const W = Math.max(1, Math.min(20, Math.floor(MANY / 3)));
  const mid = Math.floor(MANY / 2) - Math.floor(W / 2);
  const windows = [[0, W], [mid, mid + W], [MANY - W, MANY]];
  const label = ([a, b]) => `${MANY} containers one by one: run #${a + 1}–${b}`;
  const HOW = 'docker run -d --network bench-many busybox sleep, CLI wall time, engines interleaved container by container';
  const per = {};
  for (const e of names) {
    if (!alive[e]) { for (const w of windows) dead(label(w), e, 'ms', HOW); continue; }
    await cli(e, 'network', 'rm', 'bench-many');
    await cli(e, 'network', 'create', '--subnet', '10.110.0.0/16', 'bench-many');
    per[e] = [];
  }
  const live = names.filter((e) => alive[e]);
  for (let i = 0; i < MANY; i++) {
    for (const e of rotate(live, i)) {
      const r = await cli(e, 'run', '-d', '--name', `bench-m${i}`, '--network', 'bench-many', 'busybox', 'sleep', '3600');
      per[e][i] = r;
    }
    if ((i + 1) % 20 === 0) log(`many: ${i + 1}/${MANY}`);
  }
  for (const e of live) {
    for (const w of windows) for (let i = w[0]; i < w[1]; i++) rec(label(w), e, per[e][i], undefined, 'ms', HOW);
    const rss = await daemonRss(e);
    if (rss !== null) rec(`daemon RSS after ${MANY} containers`, e, null, rss, 'MiB', 'RSS of the daemon process tree in the test host netns (daemon + shims/monitors), from /proc');
  }
  for (const e of live) {
    const t0 = performance.now();
    await rmf(e, ...Array.from({ length: MANY }, (_, i) => `bench-m${i}`));
    log(`${e}: removed ${MANY} containers in ${(performance.now() - t0).toFixed(0)} ms`);
    await cli(e, 'network', 'rm', 'bench-many');
  }
}

async function daemonRss(e) {
  const pid = process.env[`BENCH_PID_${e}`];
  if (!pid) return null;
  // the daemon and all its descendants
  const r = await run(['bash', '-c', `pids="${pid}"; todo="${pid}"; while [ -n "$todo" ]; do n=""; for p in $todo; do c=$(cat /proc/$p/task/*/children 2>/dev/null); n="$n $c"; done; todo=$(echo $n); pids="$pids $todo"; done; for p in $pids; do awk '/^VmRSS/ {print $2}' /proc/$p/status 2>/dev/null; done | awk '{s+=$1} END {print s/1024}'`]);
  const v = Number(r.out.trim());
  return Number.isFinite(v) ? v : null;
}

async function benchDns() {
  const secs = opt['dns-seconds'];
  for (const e of names) {
    if (!alive[e]) { for (const m of ['DNS qps, 10 clients', 'DNS qps, 1 client', 'DNS avg latency, 1 client']) dead(m, e, m.includes('qps') ? 'qps' : 'ms'); continue; }
    await rmf(e, 'bench-dns');
    await cli(e, 'run', '-d', '--name', 'bench-dns', '--network', 'bench-net', 'busybox', 'sleep', '3600');
  }
  const qfile = join(opt.out, '.dnsperf-queries.txt');
  writeFileSync(qfile, 'bench-peer A\nbench-cd A\n');
  for (let i = 0; i < Math.max(1, Math.ceil(REPS / 3)); i++) {
    for (const e of rotate(names, i)) {
      if (!alive[e]) continue;
      const pid = await containerPid(e, 'bench-dns');
      if (!pid) { fail('DNS qps, 10 clients', e, 'bench-dns not running', 'qps'); continue; }
      for (const [c, q, metric] of [['10', '100', 'DNS qps, 10 clients'], ['1', '1', 'DNS qps, 1 client']]) {
        const r = await run(['nsenter', `--net=/proc/${pid}/ns/net`, 'dnsperf', '-s', '127.0.0.11', '-d', qfile, '-c', c, '-q', q, '-l', secs]);
        const qps = /Queries per second:\s+([\d.]+)/.exec(r.out);
        const lat = /Average Latency \(s\):\s+([\d.]+)/.exec(r.out);
        const lost = /Queries lost:\s+(\d+)/.exec(r.out);
        const HOW = `dnsperf -c ${c} -q ${q} -l ${secs} inside the container netns (nsenter), names of two peers`;
        if (!qps) { fail(metric, e, `dnsperf: ${(r.err || r.out).trim().split('\n').slice(-1)[0]}`, 'qps', HOW); continue; }
        rec(metric, e, null, Number(qps[1]), 'qps', HOW + (lost && lost[1] !== '0' ? ` (lost ${lost[1]})` : ''));
        if (c === '1' && lat) rec('DNS avg latency, 1 client', e, null, Number(lat[1]) * 1000, 'ms', HOW);
      }
    }
  }
}

// ---------- main ----------
const t0 = Date.now();
log(`engines: ${names.join(', ')}; reps ${REPS}; many ${MANY}`);
if (want('network')) { log('network create/rm'); await benchNetworkCreateRm(); }
const needContainers = ['run', 'connect', 'many', 'dns'].some(want);
if (needContainers) await setupContainers();
if (want('run')) { log('run → reply'); await benchRunToPing(); }
if (want('connect')) { log('connect/disconnect'); await benchConnect(); }
if (want('dns')) { log('dns'); await benchDns(); }
if (want('many')) { log(`${MANY} containers`); await benchMany(); }
if (needContainers) for (const e of names) { await rmf(e, 'bench-peer', 'bench-cd', 'bench-dns'); await cli(e, 'network', 'rm', 'bench-net', 'bench-net2'); }

// ---------- report ----------
const ref = 'tetherd';
const table = [];
const summary = { when: new Date().toISOString(), durationS: (Date.now() - t0) / 1000, reps: REPS, many: MANY, cli: CLI, engines: names, versions: JSON.parse(process.env.BENCH_VERSIONS ?? '{}'), metrics: {} };
const fmt = (v, unit) => (v === null ? '—' : unit === 'qps' ? v.toFixed(0) : v < 10 ? v.toFixed(2) : v.toFixed(1));
table.push(`| metric | ${names.map((e) => `${e} median / p90`).join(' | ')} | ${names.filter((e) => e !== ref).map((e) => `${e} / ${ref}`).join(' | ')} |`);
table.push(`|---|${names.map(() => '---').join('|')}|${names.filter((e) => e !== ref).map(() => '---').join('|')}|`);
for (const [metric, per] of Object.entries(results)) {
  const { unit, how } = meta[metric];
  const row = { unit, how, engines: {} };
  for (const e of names) {
    const s = per[e] ?? { samples: [], errors: 0, firstError: null };
    row.engines[e] = { n: s.samples.length, median: quantile(s.samples, 0.5), p90: quantile(s.samples, 0.9), errors: s.errors, firstError: s.firstError, samples: s.samples.map((x) => Math.round(x * 1000) / 1000) };
  }
  const refMed = row.engines[ref]?.median ?? null;
  const cells = names.map((e) => {
    const r = row.engines[e];
    if (r.median === null) return r.errors ? `error: ${String(r.firstError).slice(0, 60)}` : '—';
    return `${fmt(r.median, unit)} / ${fmt(r.p90, unit)}${r.errors ? ` (${r.errors} err)` : ''}`;
  });
  const ratios = names.filter((e) => e !== ref).map((e) => {
    const m = row.engines[e].median;
    if (m === null || refMed === null || refMed === 0) return '—';
    row.engines[e].ratioToTetherd = m / refMed;
    return `${(m / refMed).toFixed(2)}×`;
  });
  summary.metrics[metric] = row;
  table.push(`| ${metric} (${unit}) | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
}
const md = [`# Bench ${summary.when}`, '', `Engines: ${names.map((e) => `${e} ${summary.versions[e] ?? ''}`).join(', ')}. CLI ${CLI}. ${REPS} runs per engine (alternating), ${MANY} containers for the count test. Ratio = engine median / tetherd median (for qps: > 1 means the engine serves more).`, '', ...table, ''].join('\n');
mkdirSync(opt.out, { recursive: true });
const stamp = summary.when.replace(/[:.]/g, '-').slice(0, 19);
writeFileSync(join(opt.out, `bench-${stamp}.json`), JSON.stringify(summary, null, 2) + '\n');
writeFileSync(join(opt.out, `bench-${stamp}.md`), md);
writeFileSync(join(opt.out, 'bench-latest.md'), md);
process.stdout.write(md);
log(`wrote ${join(opt.out, `bench-${stamp}.{json,md}`)}`);
