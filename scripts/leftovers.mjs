#!/usr/bin/env node
// Lists what test runs left on this machine, and exits 1 if anything: processes of this project
// or of a finished run, network namespaces, links and nft tables in the root namespace, mounts
// and directories under the tests' roots, cgroups. A thing named after a run (tt<pid>…) counts
// only once that run's process is gone, so a suite running in another shell is not a leftover.
// Things may still be on their way out when a run ends: they get a few seconds to go.
//   node scripts/leftovers.mjs [--wait-ms N]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
const waitArg = process.argv.indexOf('--wait-ms');
const WAIT_MS = waitArg > 0 ? Number(process.argv[waitArg + 1]) : 5000;

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};
/** A name from a test run (tt<pid><kind><seq>) whose runner has exited. */
const deadRun = (text) => {
  const m = /(?:^|\/)tt(\d+)[a-z]+\d+/.exec(text);
  return m !== null && !alive(Number(m[1]));
};
const read = (p) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
};
const sh = (argv) => spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' }).stdout ?? '';

function processes() {
  const out = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    const cmdline = read(`/proc/${pid}/cmdline`).split('\0').join(' ').trim();
    const owner = read(`/proc/${pid}/environ`).split('\0').find((v) => v.startsWith('TETHER_EXEC_ROOT=')) ?? '';
    // Ours: started from this checkout, or marked by a daemon of a finished run.
    if ((cmdline.includes(REPO) && !cmdline.includes('leftovers.mjs')) || deadRun(cmdline) || deadRun(owner)) out.push(`process ${pid}: ${cmdline}`);
  }
  return out;
}

function cgroups() {
  const root = '/sys/fs/cgroup';
  const out = [];
  for (const h of ['', ...readdirSync(root)]) {
    const dir = join(root, h);
    let entries = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const test = /^tether-test-(\d+)$/.exec(e.name);
      if (deadRun(e.name) || (test && !alive(Number(test[1])))) out.push(`cgroup ${join(dir, e.name)}`);
    }
  }
  return out;
}

function everything() {
  const netns = sh(['ip', 'netns', 'list']).split('\n').map((l) => l.split(' ')[0]).filter((n) => n && deadRun(n));
  // Tests build everything inside their own namespaces: any of these in the root one is a leak.
  const links = (JSON.parse(sh(['ip', '-j', 'link', 'show']) || '[]')).map((l) => l.ifname).filter((n) => /^(tv|tt|br-|vx-)/.test(n));
  const tables = sh(['nft', 'list', 'tables']).split('\n').filter((l) => /\btt\d+|tether/.test(l));
  const mounts = read('/proc/self/mounts').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(`${tmpdir()}/tt`) && deadRun(m));
  const dirs = readdirSync(tmpdir()).filter((e) => /^tt\d+[a-z]+\d+-/.test(e) && deadRun(e));
  const held = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const t = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (t.startsWith(`${tmpdir()}/tt`) && deadRun(t)) held.push(`open file ${t} (pid ${pid})`);
      }
    } catch {
      // gone meanwhile
    }
  }
  return [
    ...processes(),
    ...netns.map((n) => `netns ${n}`),
    ...links.map((n) => `link ${n} in the root namespace`),
    ...tables.map((t) => `nft ${t.trim()} in the root namespace`),
    ...mounts.map((m) => `mount ${m}`),
    ...dirs.map((d) => `directory ${join(tmpdir(), d)}`),
    ...held,
    ...cgroups(),
  ];
}

const until = Date.now() + WAIT_MS;
let left = everything();
while (left.length > 0 && Date.now() < until) {
  await new Promise((r) => setTimeout(r, 200));
  left = everything();
}
for (const l of left) console.log(`left: ${l}`);
if (!existsSync('/proc/self')) console.log('left: cannot read /proc');
process.exit(left.length > 0 ? 1 : 0);
