#!/usr/bin/env node
// Side-by-side benchmarks (driven by bench/run.sh, which brings the engines up in their own test
// hosts and passes their sockets in BENCH_ENGINES as JSON {engine: socketPath}).
// Every benchmark runs on all engines in the same invocation, alternating engines run by run
// (the order rotates each round), and reports median / p90 and the ratio to tetherd.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  names, CLI, log, run, cli, api, ok, quantile, rotate, notes, extra, rec, fail,
  alive, dead, containerPid, rmf, daemonMemory, errText, span,
} from './lib/common.mjs';
import { benchPorts } from './lib/ports.mjs';
import { benchScale } from './lib/scale.mjs';
import { FLOOR, FLOOR_HOW, startFloor } from './lib/floor.mjs';
import { breakdowns } from './lib/phases.mjs';
import { writeReport } from './lib/report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string', default: '10' },
    many: { type: 'string', default: '40' },
    only: { type: 'string', default: '' },
    out: { type: 'string', default: join(HERE, 'results') },
    'dns-seconds': { type: 'string', default: '5' },
    'iperf-seconds': { type: 'string', default: '10' },
    'iperf-reps': { type: 'string', default: '2' },
    scale: { type: 'string', default: '1000' },
    'scale-others': { type: 'string', default: '300' },
    'scale-window': { type: 'string', default: '100' },
    'scale-budget': { type: 'string', default: '900' },
  },
});
const REPS = Number(opt.reps);
const MANY = Number(opt.many);
// Extra `docker run` arguments per engine for the ports/scale containers (none by default),
// e.g. BENCH_RUN_ARGS='{"podman":["--ulimit","nproc=1024"]}'.
const RUN_ARGS = JSON.parse(process.env.BENCH_RUN_ARGS || '{}');
// Without --only: network | run | connect | dns | many. `ports` and `scale` (minutes each) run
// only when --only names them (e.g. --only ports, --only 'dns|scale').
const DEFAULT_SET = ['network', 'run', 'connect', 'dns', 'many'];
const want = (b) => (opt.only ? new RegExp(opt.only).test(b) && (DEFAULT_SET.includes(b) || opt.only.includes(b)) : DEFAULT_SET.includes(b));

// The kernel floor takes a turn in each rotation, as one more engine (bench/lib/floor.mjs).
const floor = await startFloor();
const withFloor = (list) => (floor ? [...list, FLOOR] : list);
/** One floor measurement recorded under metric (field of the agent's answer, default ms). */
async function floorRec(metric, op, i, field = 'ms', how = '') {
  const r = await floor.ask(op, i);
  if (r.ok) rec(metric, FLOOR, null, r[field], 'ms', how);
  else fail(metric, FLOOR, r.error, 'ms', how);
}

/** The floor's turn at a pair of operations, once for each of the CLI and API figures. */
async function floorPair(doing, undoing, i) {
  for (const how of ['CLI', 'API']) {
    await floorRec(`${doing[0]} (${how})`, doing[1], i);
    await floorRec(`${undoing[0]} (${how})`, undoing[1], i);
  }
}

// ---------- benchmarks ----------
async function benchNetworkCreateRm() {
  for (let i = 0; i < REPS; i++) {
    for (const e of rotate(withFloor(names), i)) {
      if (e === FLOOR) {
        await floorPair(['network create', 'netCreate'], ['network rm', 'netRm'], i);
        continue;
      }
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

async function benchRunToPing() {
  const M = 'run → first reply from a peer';
  const HOW = 'start of `docker run -d` to the first answered TCP probe (RST) from a peer container netns; ARP retrans 10 ms in the peer';
  for (const e of names) {
    if (!alive[e]) continue;
    const pid = await containerPid(e, 'bench-peer');
    await run(['nsenter', `--net=/proc/${pid}/ns/net`, 'sysctl', '-q', '-w', 'net.ipv4.neigh.eth0.retrans_time_ms=10']);
  }
  for (let i = 0; i < REPS; i++) {
    for (const e of rotate(withFloor(names), i)) {
      if (e === FLOOR) {
        const r = await floor.ask('run', i);
        if (r.ok) { rec(M, FLOOR, null, r.reply, 'ms', HOW); rec('run -d (CLI, user network)', FLOOR, null, r.run); } else { fail(M, FLOOR, r.error, 'ms', HOW); fail('run -d (CLI, user network)', FLOOR, r.error); }
        continue;
      }
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
      if (t1 === null) fail(M, e, 'no reply within 30 s', 'ms', HOW); else { rec(M, e, null, t1 - t0, 'ms', HOW); span(M, e, r.from, Math.max(r.to, r.from + (t1 - t0))); }
      probe.kill();
    }
  }
  for (const e of names) if (alive[e]) await rmf(e, ...Array.from({ length: REPS }, (_, i) => `bench-r${i}`));
}

async function benchConnect() {
  for (const e of names) if (alive[e]) await cli(e, 'run', '-d', '--name', 'bench-cd', '--network', 'bench-net', 'busybox', 'sleep', '3600');
  for (let i = 0; i < REPS; i++) {
    for (const e of rotate(withFloor(names), i)) {
      if (e === FLOOR) {
        await floorPair(['network connect', 'connect'], ['network disconnect', 'disconnect'], i);
        continue;
      }
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
    const mem = await daemonMemory(e);
    if (mem) {
      rec(`daemon RSS after ${MANY} containers`, e, null, mem.rss, 'MiB', 'RSS of the daemon process tree in the test host netns (daemon + shims/monitors), from /proc');
      notes.push(`many: ${e}: daemon tree after ${MANY} containers: RSS ${mem.rss.toFixed(1)} MiB, PSS ${mem.pss.toFixed(1)} MiB; RSS by process: ${mem.detail}.`);
    }
  }
  for (const e of live) {
    const t0 = performance.now();
    await rmf(e, ...Array.from({ length: MANY }, (_, i) => `bench-m${i}`));
    log(`${e}: removed ${MANY} containers in ${(performance.now() - t0).toFixed(0)} ms`);
    await cli(e, 'network', 'rm', 'bench-many');
  }
}

async function benchDns() {
  const secs = opt['dns-seconds'];
  const M10 = 'DNS qps, 10 clients', M10L = 'DNS avg latency, 10 clients', M1 = 'DNS qps, 1 client', M1A = 'DNS avg latency, 1 client';
  const P50 = 'DNS p50 latency, 1 client', P99 = 'DNS p99 latency, 1 client', RATIO = 'DNS p99 / p50, 1 client';
  for (const e of names) {
    if (!alive[e]) { for (const m of [M10, M10L, M1, M1A, P50, P99, RATIO]) dead(m, e, m.includes('qps') ? 'qps' : m === RATIO ? '×' : 'ms'); continue; }
    await rmf(e, 'bench-dns');
    await cli(e, 'run', '-d', '--name', 'bench-dns', '--network', 'bench-net', 'busybox', 'sleep', '3600');
  }
  // two names the embedded DNS answers itself (a peer and the querying container): nothing goes upstream
  const qfile = join(opt.out, '.dnsperf-queries.txt');
  writeFileSync(qfile, 'bench-peer A\nbench-dns A\n');
  const pooled = {}; // engine -> every c1 per-query latency (ms), all rounds
  for (let i = 0; i < Math.max(1, Math.ceil(REPS / 3)); i++) {
    for (const e of rotate(withFloor(names), i)) {
      // the floor's responder listens in a netns of its own (bench/lib/floor-dns.mjs)
      const pid = e === FLOOR || !alive[e] ? null : await containerPid(e, 'bench-dns');
      if (e !== FLOOR && !alive[e]) continue;
      if (e !== FLOOR && !pid) { fail(M10, e, 'bench-dns not running', 'qps'); continue; }
      const netns = e === FLOOR ? floor.dnsNetns : `/proc/${pid}/ns/net`;
      // c10: throughput (and dnsperf's average latency); c1: qps and average as before;
      // c1 -v -Q 500: one line per query with its latency, for p50/p99. One query outstanding
      // at a time either way; -Q paces the sender with timed waits: without it dnsperf's c1
      // manages only ~30–60 queries/s here (thread wake-ups), far too few for a p99.
      for (const [c, q, verbose] of [['10', '100', false], ['1', '1', false], ['1', '1', true]]) {
        const extraArgs = verbose ? ['-Q', '500', '-v'] : [];
        const HOW = `dnsperf -c ${c} -q ${q} -l ${secs}${verbose ? ' ' + extraArgs.join(' ') : ''} -s 127.0.0.11 inside the container netns (nsenter), names of a peer and of the container itself`;
        const r = await run(['nsenter', `--net=${netns}`, 'dnsperf', '-s', '127.0.0.11', '-d', qfile, '-c', c, '-q', q, '-l', secs, ...extraArgs]);
        const qps = /Queries per second:\s+([\d.]+)/.exec(r.out);
        const lat = /Average Latency \(s\):\s+([\d.]+)/.exec(r.out);
        const lost = /Queries lost:\s+(\d+)/.exec(r.out);
        const bad = /Response codes:\s+(.*)/.exec(r.out);
        const metric = verbose ? P50 : c === '10' ? M10 : M1;
        if (!qps) { fail(metric, e, `dnsperf: ${(r.err || r.out).trim().split('\n').slice(-1)[0]}`, verbose ? 'ms' : 'qps', HOW); continue; }
        const note = (lost && lost[1] !== '0' ? ` (lost ${lost[1]})` : '') + (bad && !/^NOERROR \S+ \(100/.test(bad[1]) ? ` (rcodes ${bad[1]})` : '');
        if (note) notes.push(`dns: ${e}: ${HOW}:${note}`);
        if (!verbose) {
          rec(metric, e, null, Number(qps[1]), 'qps', HOW);
          if (lat) rec(c === '10' ? M10L : M1A, e, null, Number(lat[1]) * 1000, 'ms', HOW);
        } else {
          // "> NOERROR bench-peer A 0.000123" — rcode, query, latency in seconds
          const ls = [...r.out.matchAll(/^> \S+ .* ([\d.]+)$/gm)].map((m) => Number(m[1]) * 1000);
          if (!ls.length) { fail(P50, e, 'dnsperf -v printed no per-query lines', 'ms', HOW); continue; }
          (pooled[e] ??= []).push(...ls);
          rec(P50, e, null, quantile(ls, 0.5), 'ms', `${HOW}; p50 of the per-query latencies of one run`);
          rec(P99, e, null, quantile(ls, 0.99), 'ms', `${HOW}; p99 of the per-query latencies of one run`);
          rec(RATIO, e, null, quantile(ls, 0.99) / quantile(ls, 0.5), '×', `${HOW}; p99 / p50 of one run (goal for tetherd: ≤ 3)`);
        }
      }
    }
  }
  extra.dns = {};
  for (const [e, ls] of Object.entries(pooled)) {
    extra.dns[e] = { c1Queries: ls.length, c1P50Ms: quantile(ls, 0.5), c1P90Ms: quantile(ls, 0.9), c1P99Ms: quantile(ls, 0.99), c1MaxMs: Math.max(...ls) };
    notes.push(`dns: ${e}: all ${ls.length} c1 queries pooled: p50 ${quantile(ls, 0.5).toFixed(3)} ms, p99 ${quantile(ls, 0.99).toFixed(3)} ms (p99 / p50 ${(quantile(ls, 0.99) / quantile(ls, 0.5)).toFixed(2)}).`);
  }
  if (floor) notes.push(`dns: the floor's responder: ${floor.dnsResponder}.`);
}

// ---------- main ----------
const t0 = Date.now();
log(`engines: ${names.join(', ')}${floor ? ' + the kernel floor' : ''}; reps ${REPS}; many ${MANY}`);
try {
  if (want('network')) { log('network create/rm'); await benchNetworkCreateRm(); }
  const needContainers = ['run', 'connect', 'many', 'dns', 'ports', 'scale'].some(want);
  if (needContainers) await setupContainers();
  if (want('run')) { log('run → reply'); await benchRunToPing(); }
  if (want('connect')) { log('connect/disconnect'); await benchConnect(); }
  if (want('dns')) { log('dns'); await benchDns(); }
  if (want('many')) { log(`${MANY} containers`); await benchMany(); }
  if (want('ports')) { log('published ports: iperf3'); await benchPorts({ secs: Number(opt['iperf-seconds']), reps: Number(opt['iperf-reps']), runArgs: RUN_ARGS }); }
  if (want('scale')) {
    const n = Object.fromEntries(names.map((e) => [e, Number(e === 'tetherd' ? opt.scale : opt['scale-others'])]));
    log(`scale: ${names.map((e) => `${e} ${n[e]}`).join(', ')} containers`);
    await benchScale({ n, window: Number(opt['scale-window']), budgetS: Number(opt['scale-budget']), runArgs: RUN_ARGS, floor });
  }
  for (const e of names) if (needContainers && !alive[e]) notes.push(`${e}: containers do not start here: ${alive[`${e}:why`] ?? '?'}`);
  if (needContainers) for (const e of names) { await rmf(e, 'bench-peer', 'bench-cd', 'bench-dns'); await cli(e, 'network', 'rm', 'bench-net', 'bench-net2'); }
} finally {
  await floor?.close();
}

// ---------- report ----------
const versions = JSON.parse(process.env.BENCH_VERSIONS ?? '{}');
if (floor) notes.push(FLOOR_HOW);
writeReport({
  names,
  withFloor: floor !== null,
  phases: breakdowns(JSON.parse(process.env.BENCH_TRACE_LOGS ?? '{}')),
  header: `Engines: ${names.map((e) => `${e} ${versions[e] ?? ''}`).join(', ')}. CLI ${CLI}. Benchmarks: ${[...DEFAULT_SET, 'ports', 'scale'].filter(want).join(', ')}; ${REPS} runs per engine (alternating${floor ? ', the kernel floor taking its turn' : ''}), ${MANY} containers for the count test. Ratio = engine median / tetherd median (for qps and Gbit/s: > 1 means the engine does better); tetherd / floor = tetherd median / floor median (for qps: < 1 means below the floor's rate). Phases: tetherd --trace-ops, medians over the samples of the daemon's time in the operations a figure made, by phase.`,
  summary: { when: new Date().toISOString(), durationS: (Date.now() - t0) / 1000, reps: REPS, many: MANY, options: opt, engines: names, versions },
  out: opt.out,
});
