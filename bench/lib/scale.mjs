// Attach cost as containers accumulate (issue 5): N containers run one by one on one user
// network, each publishing its own host port (`-p <20000+i>:80`), every `docker run -d` timed
// (CLI wall time). Engines are interleaved container by container while each still has runs to
// do (Docker/Podman usually get a smaller N). Reports per-run ms for the first / middle / last
// window of 100 (smaller for small N), the ratio last/first (median per run), and the firewall
// size before and after: tetherd's rule lines in `table inet tether` (must stay constant: ports
// live in maps) versus `iptables-save | wc -l` for dockerd/podman.
import { FLOOR } from './floor.mjs';
import {
  names, NETNS, alive, dead, cli, inNetns, rec, fail, notes, extra, log, rotate, rmf, errText,
  quantile, daemonMemory,
} from './common.mjs';

const NET = 'bench-scale';
const SUBNET = '10.120.0.0/16';
const PORT0 = 20000;

/** Rule lines in `nft -a list table inet tether` (lines inside chain blocks carrying a handle,
 *  not the chain headers; set/map elements are not rules) and the number of set/map elements. */
export function countNftRules(text) {
  let inChain = false, rules = 0;
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (/^chain \S+ \{/.test(l)) { inChain = true; continue; }
    if (inChain && l === '}') { inChain = false; continue; }
    if (inChain && /# handle \d+$/.test(l)) rules++;
  }
  return rules;
}
function countNftElements(json) {
  try {
    const j = JSON.parse(json);
    let n = 0;
    for (const o of j.nftables ?? []) { const s = o.set ?? o.map; if (s && Array.isArray(s.elem)) n += s.elem.length; }
    return n;
  } catch { return null; }
}

/** {rules, detail, how} for one engine's test host. */
export async function firewallSize(e) {
  const ns = NETNS[e];
  if (!ns) return null;
  if (e === 'tetherd') {
    const r = await inNetns(ns, ['nft', '-a', 'list', 'table', 'inet', 'tether']);
    if (r.code !== 0) return { rules: null, detail: `nft: ${errText(r)}` };
    const j = await inNetns(ns, ['nft', '-j', 'list', 'table', 'inet', 'tether']);
    const jr = (() => { try { return JSON.parse(j.out).nftables.filter((o) => o.rule).length; } catch { return null; } })();
    const el = countNftElements(j.out);
    return { rules: countNftRules(r.out), detail: `${el} set/map elements; nft -j counts ${jr} rules`, elements: el, how: 'rule lines in `nft -a list table inet tether` (chain bodies, not set elements)' };
  }
  const r = await inNetns(ns, ['iptables-save']);
  if (r.code !== 0) return { rules: null, detail: `iptables-save: ${errText(r)}` };
  const lines = r.out.split('\n').filter((l) => l.length);
  const appends = lines.filter((l) => l.startsWith('-A ')).length;
  return { rules: lines.length, detail: `${appends} of them -A rules`, appends, how: '`iptables-save | wc -l`' };
}

/** The floor's `crun run --detach` (bench/lib/floor.mjs) in the first and last windows: how much
 *  of the growth the kernel and crun show by themselves, with the same containers alive. */
const FLOOR_EVERY = 5;
const FLOOR_HOW = 'the floor\'s `crun run --detach` of busybox in a prepared netns (bench/lib/floor.mjs), every 5th container of the window, while the engines\' containers are alive';

export async function benchScale({ n = { tetherd: 1000 }, window = 100, budgetS = 900, runArgs = {}, floor = null } = {}) {
  const HOW = `docker run -d --network ${NET} -p <${PORT0}+i>:80 busybox sleep, CLI wall time, engines interleaved container by container`;
  const live = [];
  const N = {};
  for (const e of names) {
    N[e] = n[e] ?? 0;
    if (!N[e]) continue;
    if (!alive[e]) { for (const m of ['first', 'middle', 'last']) dead(`scale: per run, ${m} window`, e, 'ms', HOW); continue; }
    await cli(e, 'network', 'rm', NET);
    const r = await cli(e, 'network', 'create', '--subnet', SUBNET, NET);
    if (r.code !== 0) { fail('scale: per run, first window', e, `network create: ${errText(r)}`, 'ms', HOW); continue; }
    live.push(e);
  }
  const before = {};
  for (const e of live) before[e] = await firewallSize(e);
  const per = Object.fromEntries(live.map((e) => [e, []]));
  const done = Object.fromEntries(live.map((e) => [e, 0]));
  const maxN = Math.max(0, ...live.map((e) => N[e]));
  const floorW = Math.max(1, Math.min(window, Math.floor(maxN / 3)));
  const floorRuns = { first: [], last: [] };
  const t0 = performance.now();
  let stopped = null;
  for (let i = 0; i < maxN; i++) {
    if ((performance.now() - t0) / 1000 > budgetS) { stopped = i; break; }
    for (const e of rotate(live, i)) {
      if (i >= N[e]) continue;
      const r = await cli(e, 'run', '-d', '--name', `bench-s${i}`, '--network', NET, '-p', `${PORT0 + i}:80`, ...(runArgs[e] ?? []), 'busybox', 'sleep', '86400');
      per[e][i] = r;
      done[e] = i + 1;
    }
    const floorWindow = i < floorW ? 'first' : i >= maxN - floorW ? 'last' : null;
    if (floor && floorWindow && i % FLOOR_EVERY === 0) {
      const r = await floor.ask('run', (i / FLOOR_EVERY) % 200);
      if (r.ok) floorRuns[floorWindow].push(r.run);
    }
    if ((i + 1) % 100 === 0 || i + 1 === maxN) {
      log(`scale: ${i + 1}/${maxN} (${((performance.now() - t0) / 1000).toFixed(0)} s) — last 50 median ${live.filter((e) => i < N[e]).map((e) => `${e} ${quantile(per[e].slice(Math.max(0, i - 49), i + 1).map((r) => r.ms), 0.5).toFixed(0)} ms`).join(', ')}`);
    }
  }
  if (stopped !== null) notes.push(`scale: stopped at ${stopped} containers after the ${budgetS} s budget (--scale-budget).`);
  const after = {};
  for (const e of live) after[e] = await firewallSize(e);
  extra.scale = { network: NET, subnet: SUBNET, engines: {} };
  for (const e of live) {
    const cnt = done[e];
    const W = Math.max(1, Math.min(window, Math.floor(cnt / 3)));
    const mid = Math.floor(cnt / 2) - Math.floor(W / 2);
    const wins = { first: [0, W], middle: [mid, mid + W], last: [cnt - W, cnt] };
    const med = {};
    for (const [k, [a, b]] of Object.entries(wins)) {
      for (let i = a; i < b; i++) rec(`scale: per run, ${k} window`, e, per[e][i], undefined, 'ms', HOW);
      med[k] = quantile(per[e].slice(a, b).filter((r) => r.code === 0).map((r) => r.ms), 0.5);
    }
    if (med.first && med.last) rec('scale: last / first window (median per run)', e, null, med.last / med.first, '×', 'median per-run ms of the last window / of the first window; goal for tetherd ≤ 1.2');
    rec('scale: containers run', e, null, cnt, 'n', 'containers attached one by one (each with one published port)');
    const errs = per[e].filter((r) => r && r.code !== 0);
    const fw = (x) => (x ? `${x.rules} (${x.detail})` : '?');
    const FWHOW = 'tetherd: rule lines in `nft -a list table inet tether` (chain bodies, not set/map elements); dockerd/podman: `iptables-save | wc -l`; in the test host';
    if (before[e]?.rules != null) rec('scale: firewall rules, before', e, null, before[e].rules, 'rules', FWHOW);
    if (after[e]?.rules != null) rec('scale: firewall rules, after the run', e, null, after[e].rules, 'rules', FWHOW);
    const mem = await daemonMemory(e);
    if (mem) {
      rec('scale: daemon RSS after the run', e, null, mem.rss, 'MiB', 'RSS of the daemon process tree (daemon + monitors/shims still its descendants), from /proc');
      rec('scale: daemon PSS after the run', e, null, mem.pss, 'MiB', 'PSS of the same tree: pages shared between its processes counted once');
      notes.push(`scale: ${e}: RSS by process: ${mem.detail}.`);
    }
    // tetherd's helpers that come and go with sandbox starts (the IPC broker idles out after
    // 10 s, a socket child leaves once it handed its sockets over): the tree at rest, without them
    const transient = /ipc-broker-child|socket-child/;
    if (e === 'tetherd' && mem?.names.some((n) => transient.test(n))) {
      const until = performance.now() + 20_000;
      let rest = mem;
      while (rest?.names.some((n) => transient.test(n)) && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        rest = await daemonMemory(e);
      }
      if (rest && !rest.names.some((n) => transient.test(n))) {
        rec('scale: daemon RSS at rest', e, null, rest.rss, 'MiB', 'the same, once the helpers that come and go with sandbox starts have left');
        rec('scale: daemon PSS at rest', e, null, rest.pss, 'MiB', 'the same, once the helpers that come and go with sandbox starts have left');
        notes.push(`scale: ${e}: at rest, RSS by process: ${rest.detail}.`);
      }
    }
    notes.push(`scale: ${e}: ${cnt} containers; windows #${wins.first[0] + 1}–${wins.first[1]} / #${wins.middle[0] + 1}–${wins.middle[1]} / #${wins.last[0] + 1}–${wins.last[1]}; ${errs.length} failed runs${errs.length ? ` (first: ${errText(errs[0])})` : ''}; firewall before ${fw(before[e])}, after ${fw(after[e])}.`);
    extra.scale.engines[e] = { n: cnt, windows: wins, perRunMs: per[e].map((r) => (r ? Math.round(r.ms * 100) / 100 : null)), failed: errs.length, firewallBefore: before[e], firewallAfter: after[e] };
  }
  if (floor && floorRuns.first.length && floorRuns.last.length) {
    for (const [k, runs] of Object.entries(floorRuns)) for (const ms of runs) rec(`scale: per run, ${k} window`, FLOOR, null, ms, 'ms', FLOOR_HOW);
    rec('scale: last / first window (median per run)', FLOOR, null, quantile(floorRuns.last, 0.5) / quantile(floorRuns.first, 0.5), '×', FLOOR_HOW);
  }
  for (const e of live) {
    const t1 = performance.now();
    await rmf(e, ...Array.from({ length: done[e] }, (_, i) => `bench-s${i}`));
    log(`scale: ${e}: removed ${done[e]} containers in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    await cli(e, 'network', 'rm', NET);
    const x = await firewallSize(e);
    if (x) { extra.scale.engines[e].firewallAfterRm = x; notes.push(`scale: ${e}: firewall after removing them: ${x.rules} (${x.detail}).`); }
  }
}
