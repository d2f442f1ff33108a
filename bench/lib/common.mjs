// Shared helpers of the side-by-side benchmarks (bench/bench.mjs and the bench/lib/*.mjs
// benchmarks). bench/run.sh brings the engines up (compare/lib/engines.sh) and passes, as JSON:
//   BENCH_ENGINES       {engine: socket path}
//   BENCH_NETNS         {engine: netns path of its test host}
//   BENCH_CLIENT_NETNS  {engine: netns path of the "client" namespace wired to that test host
//                        (198.18.0.2/24 ↔ 198.18.0.1/24 on the test host), only for --only ports}
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';

const J = (v) => JSON.parse(process.env[v] || '{}');
export const ENGINES = J('BENCH_ENGINES');
export const NETNS = J('BENCH_NETNS');
export const CLIENT_NETNS = J('BENCH_CLIENT_NETNS');
export const CLIENT_HOST_IP = '198.18.0.1'; // the test host's address as seen from its client netns
export const CLI = process.env.BENCH_CLI ?? '/usr/local/bin/docker';
export const names = Object.keys(ENGINES);
export const log = (m) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

/**
 * Spawns argv, collects stdout/stderr, wall time in ms (and the clock times it ran between, to
 * find the daemon's trace lines of a call: bench/lib/phases.mjs). Never rejects.
 */
export function run(argv, { env = {}, input, timeoutMs } = {}) {
  return new Promise((res) => {
    const t0 = performance.now();
    const from = Date.now();
    const resolve = (r) => res({ ...r, from, to: Date.now() });
    const p = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = timeoutMs ? setTimeout(() => { err += `\n(killed after ${timeoutMs} ms)`; p.kill('SIGKILL'); }, timeoutMs) : null;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => { if (timer) clearTimeout(timer); resolve({ code: -1, out, err: String(e), ms: performance.now() - t0 }); });
    p.on('close', (code) => { if (timer) clearTimeout(timer); resolve({ code, out, err, ms: performance.now() - t0 }); });
    if (p.stdin) { p.stdin.on('error', () => {}); p.stdin.end(input); }
  });
}
/** argv run inside a network namespace (a netns file path), with nsenter (never `ip netns exec`). */
export const inNetns = (nsPath, argv, o) => run(['nsenter', `--net=${nsPath}`, ...argv], o);

export const cli = (e, ...args) => run([CLI, ...args], { env: { DOCKER_HOST: `unix://${ENGINES[e]}`, DOCKER_CLI_HINTS: 'false' } });
export function api(e, method, path, body) {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const t0 = performance.now();
    const from = Date.now();
    const req = http.request({ socketPath: ENGINES[e], method, path: `/v1.41${path}`, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b, ms: performance.now() - t0, from, to: Date.now() }));
    });
    req.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - t0, from, to: Date.now() }));
    req.end(data);
  });
}
export const ok = (r) => ('code' in r ? r.code === 0 : r.status >= 200 && r.status < 300);
export const errText = (r) => ('code' in r ? (r.err || r.out).trim().split('\n')[0] : `${r.status} ${r.body.trim().slice(0, 160)}`);
export function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.ceil(q * s.length) - 1);
  return s[Math.max(0, i)];
}
export const rotate = (arr, k) => arr.map((_, i) => arr[(i + k) % arr.length]);

/** results[metric][engine] = {samples: [...], errors: n, firstError} ; meta[metric] = {unit, how} */
export const results = {};
export const meta = {};
/** spans[metric][engine] = [{from, to}]: when each sample ran (Date.now()), for the daemon's trace. */
export const spans = {};
export function span(metric, e, from, to) {
  ((spans[metric] ??= {})[e] ??= []).push({ from, to });
}
/** Free-text lines printed under the table (what was run, per-engine parameters, failures). */
export const notes = [];
/** Extra data for the JSON file (e.g. full per-run series), keyed by benchmark. */
export const extra = {};
export function rec(metric, e, r, value, unit = 'ms', how = '') {
  meta[metric] ??= { unit, how };
  const m = (results[metric] ??= {});
  const s = (m[e] ??= { samples: [], errors: 0, firstError: null });
  if (r && !ok(r)) { s.errors++; s.firstError ??= errText(r); return false; }
  s.samples.push(value ?? r.ms);
  if (r?.from !== undefined && value === undefined) span(metric, e, r.from, r.to);
  return true;
}
export function fail(metric, e, msg, unit = 'ms', how = '') {
  meta[metric] ??= { unit, how };
  const s = ((results[metric] ??= {})[e] ??= { samples: [], errors: 0, firstError: null });
  s.errors++; s.firstError ??= msg;
}

/** engine -> bool (containers work); `${engine}:why` -> the first error. Set by setupContainers. */
export const alive = {};
export const dead = (metric, e, unit = 'ms', how = '') => { fail(metric, e, `no containers: ${alive[`${e}:why`] ?? '?'}`, unit, how); };

export async function containerPid(e, name) {
  const r = await cli(e, 'inspect', '-f', '{{.State.Pid}}', name);
  const pid = Number(r.out.trim());
  return r.code === 0 && pid > 0 ? pid : null;
}
/** The container's address on its (only) network. */
export async function containerIp(e, name) {
  const r = await cli(e, 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', name);
  const ip = r.out.trim().split(/\s+/)[0];
  return r.code === 0 && /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? ip : null;
}
export async function rmf(e, ...ns) {
  // in chunks: one CLI call per 200 names
  for (let i = 0; i < ns.length; i += 200) await cli(e, 'rm', '-f', ...ns.slice(i, i + 200));
}

/** Memory (MiB) of the daemon process tree (daemon + its descendants), from /proc: the RSS sum,
 *  the PSS sum (shared pages, such as one node binary mapped by several helpers, counted once in
 *  all) and the RSS of each command, largest first, so a figure says which process holds it. */
export async function daemonMemory(e) {
  const pid = Number(process.env[`BENCH_PID_${e}`]);
  if (!pid) return null;
  const read = (f) => { try { return readFileSync(f, 'utf8'); } catch { return ''; } };
  const kib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    for (const t of readdirSafe(`/proc/${pids[i]}/task`)) {
      pids.push(...read(`/proc/${pids[i]}/task/${t}/children`).trim().split(/\s+/).filter(Boolean).map(Number));
    }
  }
  let rss = 0, pss = 0;
  const byName = new Map();
  for (const p of pids) {
    const r = kib(read(`/proc/${p}/status`), 'VmRSS');
    rss += r;
    pss += kib(read(`/proc/${p}/smaps_rollup`), 'Pss');
    const name = read(`/proc/${p}/cmdline`).split('\0').filter(Boolean).map((a) => a.split('/').pop()).slice(0, 2).join(' ') || String(p);
    const b = byName.get(name) ?? { n: 0, kib: 0 };
    b.n++; b.kib += r;
    byName.set(name, b);
  }
  const parts = [...byName].sort((a, b) => b[1].kib - a[1].kib)
    .map(([name, b]) => `${name}${b.n > 1 ? ` ×${b.n}` : ''} ${(b.kib / 1024).toFixed(1)}`);
  return { rss: rss / 1024, pss: pss / 1024, detail: parts.join(' · '), names: [...byName.keys()] };
}
function readdirSafe(d) { try { return readdirSync(d); } catch { return []; } }

/** Child processes started by benchmarks (iperf3 servers…): killed on exit, whatever happens. */
const children = new Set();
export function track(p) { children.add(p); p.on('close', () => children.delete(p)); return p; }
const killAll = () => { for (const p of children) { try { p.kill('SIGKILL'); } catch { /* gone */ } } };
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { killAll(); process.exit(130); });
