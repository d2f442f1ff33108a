// The bench's report: one table (median / p90 per engine, the kernel floor, ratios to tetherd,
// tetherd / floor, and where tetherd's time went by phase), written as bench-<stamp>.{json,md}
// and bench-latest.md, and printed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, log, quantile, results, meta, notes, extra } from './common.mjs';
import { FLOOR } from './floor.mjs';
import { phaseText } from './phases.mjs';

const REF = 'tetherd';
const fmt = (v, unit) => (v === null ? '—' : unit === 'qps' || Number.isInteger(v) ? v.toFixed(0) : unit === 'ms' && v < 1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(1));
const ratio = (a, b) => (a === null || b === null || b === 0 ? null : a / b);
const ratioText = (r) => (r === null ? '—' : `${r.toFixed(2)}×`);

function stats(s) {
  s ??= { samples: [], errors: 0, firstError: null };
  return { n: s.samples.length, median: quantile(s.samples, 0.5), p90: quantile(s.samples, 0.9), errors: s.errors, firstError: s.firstError, samples: s.samples.map((x) => Math.round(x * 1000) / 1000) };
}
function cell(r, unit) {
  if (r.median === null) return r.errors ? `error: ${String(r.firstError).slice(0, 60)}` : '—';
  return `${fmt(r.median, unit)} / ${fmt(r.p90, unit)}${r.errors ? ` (${r.errors} err)` : ''}`;
}

/**
 * names: the engines; withFloor: the floor took part; phases: breakdowns() of phases.mjs;
 * header: the sentence under the title; summary: what goes to the JSON besides the metrics.
 */
export function writeReport({ names, withFloor, phases, header, summary, out }) {
  const others = names.filter((e) => e !== REF);
  const hasRef = names.includes(REF);
  const floorCols = withFloor && hasRef;
  const phaseCol = hasRef && Object.values(phases).some((p) => p[REF]);
  const head = [
    'metric',
    ...names.map((e) => `${e} median / p90`),
    ...(withFloor ? ['floor median / p90'] : []),
    ...others.map((e) => `${e} / ${REF}`),
    ...(floorCols ? [`${REF} / floor`] : []),
    ...(phaseCol ? [`${REF} phases (medians, --trace-ops)`] : []),
  ];
  const table = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  summary.metrics = {};
  for (const [metric, per] of Object.entries(results)) {
    const { unit, how } = meta[metric];
    const row = { unit, how, engines: {} };
    for (const e of names) row.engines[e] = stats(per[e]);
    const refMed = row.engines[REF]?.median ?? null;
    for (const e of others) row.engines[e].ratioToTetherd = ratio(row.engines[e].median, refMed);
    const cells = [`${metric} (${unit})`, ...names.map((e) => cell(row.engines[e], unit))];
    if (withFloor) {
      row.floor = per[FLOOR] ? stats(per[FLOOR]) : null;
      cells.push(row.floor ? cell(row.floor, unit) : '');
    }
    cells.push(...others.map((e) => ratioText(row.engines[e].ratioToTetherd)));
    if (floorCols) {
      row.tetherdToFloor = row.floor ? ratio(refMed, row.floor.median) : null;
      cells.push(row.floor ? ratioText(row.tetherdToFloor) : '');
    }
    if (phaseCol) {
      row.phases = phases[metric]?.[REF] ?? null;
      cells.push(phaseText(row.phases));
    }
    summary.metrics[metric] = row;
    table.push(`| ${cells.join(' | ')} |`);
  }
  summary.notes = notes;
  summary.extra = extra;
  summary.cli = CLI;
  const md = [`# Bench ${summary.when}`, '', header, '', ...table, '', ...notes.map((n) => `- ${n}`), ''].join('\n');
  mkdirSync(out, { recursive: true });
  const stamp = summary.when.replace(/[:.]/g, '-').slice(0, 19);
  writeFileSync(join(out, `bench-${stamp}.json`), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(out, `bench-${stamp}.md`), md);
  writeFileSync(join(out, 'bench-latest.md'), md);
  process.stdout.write(md);
  log(`wrote ${join(out, `bench-${stamp}.{json,md}`)}`);
}
