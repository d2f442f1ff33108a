// Where a daemon's time goes, per benchmarked figure: tetherd runs with --trace-ops and logs one
// JSON line per API operation ({msg: 'op', op, ms, phases: {name: {ms, calls}}}, `time` = when it
// ended). Each sample of a metric ran between two clock times (spans in common.mjs); the
// operations that began and ended inside a sample's span are that sample's (the bench makes one
// call at a time per engine, so no other call of ours overlaps it). Per metric: the median over
// samples of the daemon's time (the sum of its operations) and of each phase; "other" is the
// daemon's time no phase accounts for. Phases can nest or run in parallel (e.g. `ports` holds its
// own `nft`): when they add up to more than the daemon's time, that excess is printed instead.
import { readFileSync } from 'node:fs';
import { quantile, spans } from './common.mjs';

/**
 * Operations whose time is spent waiting for something else (a container's exit, a client's
 * hang-up: `docker run -d` sends a wait and leaves), not working: never counted as daemon time.
 */
const WAITING = /^POST \/containers\/:id\/(wait|attach)$|^GET \/events$/;
/** A trace line can be written a moment after the client has its answer. */
const SLACK_MS = 5;
/** `time` is in whole milliseconds: an operation's start computed from it can be 1 ms early. */
const ROUNDING_MS = 1;

function opLines(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const ops = [];
  for (const l of text.split('\n')) {
    if (!l.includes('"msg":"op"')) continue;
    try {
      const o = JSON.parse(l);
      if (WAITING.test(o.op)) continue;
      ops.push({ at: Date.parse(o.time), op: o.op, ms: o.ms, phases: o.phases ?? {} });
    } catch { /* a line cut short by the daemon's end */ }
  }
  return ops;
}

/** The samples' spans of one metric (sorted by start) with the operations that ended in each. */
function perSample(ops, windows) {
  const ws = [...windows].sort((a, b) => a.from - b.from).map((w) => ({ ...w, ops: [] }));
  for (const o of ops) {
    // the last sample that had started when the operation began, if it had not ended long before
    const began = o.at - o.ms + ROUNDING_MS;
    let lo = 0, hi = ws.length - 1, k = -1;
    while (lo <= hi) { const m = (lo + hi) >> 1; if (ws[m].from <= began) { k = m; lo = m + 1; } else hi = m - 1; }
    if (k >= 0 && o.at <= ws[k].to + SLACK_MS) ws[k].ops.push(o);
  }
  return ws.filter((w) => w.ops.length > 0);
}

/**
 * {metric: {engine: {n, daemonMs, phases: {name: median ms}, otherMs, ops: {op: count}}}} for every
 * engine with a trace (logs: {engine: daemon log path}).
 */
export function breakdowns(logs) {
  const out = {};
  for (const [e, path] of Object.entries(logs)) {
    const ops = opLines(path);
    if (!ops.length) continue;
    for (const [metric, byEngine] of Object.entries(spans)) {
      const samples = perSample(ops, byEngine[e] ?? []);
      if (!samples.length) continue;
      const names = new Set(samples.flatMap((s) => s.ops.flatMap((o) => Object.keys(o.phases))));
      const sum = (s, f) => s.ops.reduce((a, o) => a + f(o), 0);
      const phases = {};
      for (const name of names) phases[name] = quantile(samples.map((s) => sum(s, (o) => o.phases[name]?.ms ?? 0)), 0.5);
      const opCount = {};
      for (const s of samples) for (const o of s.ops) opCount[o.op] = (opCount[o.op] ?? 0) + 1 / samples.length;
      (out[metric] ??= {})[e] = {
        n: samples.length,
        daemonMs: quantile(samples.map((s) => sum(s, (o) => o.ms)), 0.5),
        phases,
        otherMs: quantile(samples.map((s) => sum(s, (o) => o.ms - Object.values(o.phases).reduce((a, p) => a + p.ms, 0))), 0.5),
        ops: opCount,
      };
    }
  }
  return out;
}

/** 'daemon 17.8: ip.json 8.6 · nft 3.4 · … · other 4.2 ms' (phases by median, largest first). */
export function phaseText(b) {
  if (!b) return '';
  const f = (v) => v.toFixed(1);
  const parts = Object.entries(b.phases).filter(([, v]) => v >= 0.05).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${f(v)}`);
  const rest = b.otherMs >= 0 ? `other ${f(b.otherMs)}` : `(phases overlap by ${f(-b.otherMs)}: nested or parallel)`;
  return `daemon ${f(b.daemonMs)}: ${[...parts, rest].join(' · ')} ms`;
}
