#!/usr/bin/env node
// Normalises scenario transcripts and compares every engine with the reference engine (dockerd).
// usage: node compare.mjs OUTDIR REF ENGINE...      (OUTDIR/<engine>/<scenario>.txt are the raw
// transcripts). Writes <engine>/<scenario>.norm.txt and .diff, summary.json and summary.md, and
// prints the table plus the diffs (shortened; the .diff files are whole).
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';

const [outDir, ref, ...engines] = process.argv.slice(2);
if (!outDir || !ref) {
  process.stderr.write('usage: compare.mjs OUTDIR REF ENGINE...\n');
  process.exit(2);
}
const MAX_PRINTED_DIFF_LINES = Number(process.env.MAX_DIFF_LINES ?? 60);
const SEP = '==================================================================';

/** Split a transcript into blocks: {title, cmd, body, rc}. */
export function parseBlocks(text) {
  const blocks = [];
  for (const chunk of text.split(SEP + '\n').slice(1)) {
    const lines = chunk.split('\n');
    const title = (lines[0] ?? '').replace(/^### /, '');
    const cmd = lines[1]?.startsWith('$ ') ? lines[1].slice(2) : '';
    const m = chunk.match(/--- exit code: (\d+)/);
    blocks.push({ title, cmd, body: chunk, rc: m ? Number(m[1]) : null });
  }
  return blocks;
}

/** HTTP responses in a block: header order is not meaningful (Go sorts them, Node keeps insertion
 * order): sort them; drop connection-management and per-request noise headers. */
function sortHttpHeaders(text) {
  return text.replace(/^(HTTP\/1\.[01] \d{3}[^\n]*\n)((?:[A-Za-z0-9-]+:[^\n]*\n)+)/gm, (_m, status, headers) => {
    const kept = headers
      .split('\n')
      .filter((h) => h && !/^(Connection|Keep-Alive|X-Reference-Id):/i.test(h))
      .map((h) => h.replace(/^Api-Version: .*/i, 'Api-Version: <V>'));
    kept.sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    return status + kept.map((h) => h + '\n').join('');
  });
}

/** Normalise one block. Ids are numbered per block, in order of first appearance. */
export function normaliseBlock(text, roots) {
  let t = sortHttpHeaders(text);
  for (const r of roots) if (r) t = t.split(r).join('<ROOT>');
  t = t.replace(/\/tmp\/tcmp-\d+\/[a-z]+/g, '<ROOT>');
  // ids: 64 hex first, then 12-hex words that contain a letter (a prefix of a 64 gets its number)
  const longIds = [];
  t = t.replace(/\b[0-9a-f]{64}\b/g, (id) => {
    let i = longIds.indexOf(id);
    if (i < 0) i = longIds.push(id) - 1;
    return `<ID${i + 1}>`;
  });
  const shortIds = [];
  t = t.replace(/\b(?=[0-9a-f]*[a-f])[0-9a-f]{12}\b/g, (id) => {
    const li = longIds.findIndex((l) => l.startsWith(id));
    if (li >= 0) return `<id${li + 1}>`;
    let i = shortIds.indexOf(id);
    if (i < 0) i = shortIds.push(id) - 1;
    return `<sid${i + 1}>`;
  });
  t = t
    .replace(/\b(?![fF]{2}(:[fF]{2}){5})(?!00(:00){5})[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\b/g, '<MAC>')
    // timestamps and dates
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '<TIME>')
    .replace(/\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? [+-]\d{4} \w+/g, '<TIME>')
    .replace(/^Date: .*$/gim, 'Date: <DATE>')
    .replace(/^Server: .*$/gim, 'Server: <SERVER>')
    .replace(/^Content-Length: \d+/gim, 'Content-Length: <N>')
    .replace(/\b(About an?|Less than an?|\d+) (seconds?|minutes?|hours?) ago\b/g, '<AGO>')
    .replace(/\bUp (About an?|Less than an?|\d+) (seconds?|minutes?|hours?)\b/g, 'Up <DUR>')
    // interface indexes: `26: eth0@if27:`
    .replace(/^(\s*)\d+: ([\w.-]+)(@if\d+)?:/gm, (_m, sp, name, at) => `${sp}N: ${name}${at ? '@ifN' : ''}:`)
    .replace(/@if\d+/g, '@ifN')
    // `ip -o addr` lines: `19: eth0    inet …` (Docker moves the veth in and keeps its host index)
    .replace(/^\d+: ([\w.-]+)(?=\s+(inet6?|link\/)\b)/gm, 'N: $1')
    // the default bridge's name: docker0 on Docker, tether0 on tetherd (by design, docs/deviations)
    .replace(/\b(docker0|tether0)\b/g, '<BRIDGE0>')
    // the API version tetherd reports is 1.43 on purpose (the Api-Version header is masked too)
    .replace(/(Maximum supported API version is )\d+\.\d+/g, '$1<V>')
    // ping
    .replace(/time=[\d.]+ ms/g, 'time=<T> ms')
    .replace(/round-trip min\/avg\/max = [\d./]+ ms/g, 'round-trip min/avg/max = <RTT> ms')
    // host-side veths, pids, sandbox paths
    .replace(/\bveth[0-9a-f]{7}\b/g, '<VETH>')
    .replace(/\btv[0-9a-zA-Z]{4,13}\b/g, '<VETH>')
    .replace(/"Pid": \d+/g, '"Pid": <PID>')
    .replace(/"SandboxKey": "[^"]*"/g, '"SandboxKey": "<SANDBOXKEY>"');
  return t;
}

function normaliseTranscript(text, roots) {
  const head = text.split(SEP + '\n')[0];
  return head + parseBlocks(text).map((b) => SEP + '\n' + normaliseBlock(b.body, roots)).join('');
}

function classify(refBlocks, engBlocks) {
  let diff = 0, error = 0;
  const n = Math.max(refBlocks.length, engBlocks.length);
  const bad = [];
  for (let i = 0; i < n; i++) {
    const r = refBlocks[i], e = engBlocks[i];
    if (!r || !e) { error++; bad.push(i); continue; }
    if (r.body === e.body) continue;
    if (r.rc === 0 && e.rc !== 0) { error++; bad.push(i); }
    else { diff++; bad.push(i); }
  }
  return { blocks: n, diff, error, bad };
}

const scenarios = new Set();
for (const e of [ref, ...engines]) {
  if (!existsSync(join(outDir, e))) continue;
  for (const f of readdirSync(join(outDir, e))) if (/^[^.]+\.txt$/.test(f)) scenarios.add(basename(f, '.txt'));
}
const rootOf = (e) => (existsSync(join(outDir, e, 'ROOT')) ? readFileSync(join(outDir, e, 'ROOT'), 'utf8').trim() : '');

const summary = { reference: ref, engines, scenarios: {} };
const diffsToPrint = [];
for (const s of [...scenarios].sort()) {
  const refFile = join(outDir, ref, `${s}.txt`);
  const refText = existsSync(refFile) ? readFileSync(refFile, 'utf8') : '';
  const refNorm = normaliseTranscript(refText, [rootOf(ref)]);
  writeFileSync(join(outDir, ref, `${s}.norm.txt`), refNorm);
  const refBlocks = parseBlocks(refNorm);
  summary.scenarios[s] = {};
  for (const e of engines) {
    const f = join(outDir, e, `${s}.txt`);
    if (!existsSync(f)) { summary.scenarios[s][e] = { status: 'skipped' }; continue; }
    const norm = normaliseTranscript(readFileSync(f, 'utf8'), [rootOf(e)]);
    const normFile = join(outDir, e, `${s}.norm.txt`);
    writeFileSync(normFile, norm);
    const c = classify(refBlocks, parseBlocks(norm));
    const status = !refText ? 'no-ref' : c.error ? 'error' : c.diff ? 'diff' : 'pass';
    let diffText = '';
    if (status !== 'pass') {
      const d = spawnSync('diff', ['-u', `--label=${ref}/${s}`, `--label=${e}/${s}`, join(outDir, ref, `${s}.norm.txt`), normFile], { encoding: 'utf8' });
      diffText = d.stdout;
      writeFileSync(join(outDir, e, `${s}.diff`), diffText);
      diffsToPrint.push({ s, e, diffText, c });
    }
    summary.scenarios[s][e] = { status, blocks: c.blocks, differing: c.diff, failing: c.error, badBlocks: c.bad.map((i) => refBlocks[i]?.title ?? `#${i}`) };
  }
}

const cell = (r) => (!r || r.status === 'skipped' ? '—' : r.status === 'pass' ? `pass (${r.blocks})` : r.status === 'no-ref' ? 'no reference' : `${r.status} (${r.failing ? `${r.failing} failing, ` : ''}${r.differing} differing of ${r.blocks})`);
const md = [`| scenario | ${engines.join(' | ')} |`, `|---|${engines.map(() => '---').join('|')}|`];
for (const [s, r] of Object.entries(summary.scenarios)) md.push(`| ${s} | ${engines.map((e) => cell(r[e])).join(' | ')} |`);
const table = md.join('\n') + '\n';
writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
writeFileSync(join(outDir, 'summary.md'), `Reference: ${ref}. pass = identical after normalisation; error = a command that succeeded on ${ref} failed; diff = output differs.\n\n` + table);

if (process.env.PRINT_DIFFS !== '0') {
  for (const { s, e, diffText, c } of diffsToPrint) {
    const lines = diffText.split('\n');
    process.stdout.write(`\n##### ${s}: ${e} vs ${ref} — differing blocks: ${c.bad.length}\n`);
    process.stdout.write(lines.slice(0, MAX_PRINTED_DIFF_LINES).join('\n') + '\n');
    if (lines.length > MAX_PRINTED_DIFF_LINES) process.stdout.write(`… ${lines.length - MAX_PRINTED_DIFF_LINES} more lines in ${join(outDir, e, `${s}.diff`)}\n`);
  }
}
process.stdout.write('\n' + table);
