// Cost of one short process (/bin/true) started through the Perl process helper
// (scripts/spawner.pl, what tetherd uses) versus a Node fork server (a long-lived Node child
// that spawns on request and reports the exit), with the daemon's own child_process.spawn as a
// reference. Sequential, wall time from request to exit + pipes closed; median of RUNS after
// WARMUP. Usage: node bench/spawn-cost.mjs [runs]   (needs `npm run build`)
import { spawn } from 'node:child_process';
import { Spawner } from '../dist/src/kernel/spawner.js';

import { readFileSync } from 'node:fs';

const rss = (pid) => (readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1] ?? '?') + ' kB';
const RUNS = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

async function measure(name, once) {
  for (let i = 0; i < WARMUP; i++) await once();
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(`${name.padEnd(28)} median ${median(ms).toFixed(3)} ms   p90 ${p90(ms).toFixed(3)} ms   (${RUNS} runs)`);
  return median(ms);
}

// The fork server: one line per request ("id argv-json"), one line per exit ("id code").
const SERVER = `
const { spawn } = require('node:child_process');
let buf = '';
process.stdin.setEncoding('utf8').on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
    const sp = line.indexOf(' ');
    const id = line.slice(0, sp); const [cmd, ...args] = JSON.parse(line.slice(sp + 1));
    const c = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    c.stdout.resume(); c.stderr.resume(); c.stdin.end();
    c.on('close', (code) => process.stdout.write(id + ' ' + code + '\\n'));
  }
});
process.stdin.on('end', () => process.exit(0));
`;

function forkServer() {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map();
  let buf = '';
  let next = 1;
  server.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const [id] = buf.slice(0, nl).split(' ');
      buf = buf.slice(nl + 1);
      waiting.get(id)?.();
      waiting.delete(id);
    }
  });
  return {
    run: (argv) =>
      new Promise((resolve) => {
        const id = String(next++);
        waiting.set(id, resolve);
        server.stdin.write(`${id} ${JSON.stringify(argv)}\n`);
      }),
    close: () => server.stdin.end(),
    pid: server.pid,
  };
}

const spawner = new Spawner();
const perl = await measure('perl spawner (spawner.pl)', () =>
  new Promise((resolve) => {
    const c = spawner.launch(['/bin/true']);
    c.stdout?.resume();
    c.stderr?.resume();
    c.stdin?.end();
    c.once('close', resolve);
  }),
);
console.log(`  helper RSS ${rss(spawner.helper.pid)}`);
const fs = forkServer();
const node = await measure('node fork server', () => fs.run(['/bin/true']));
console.log(`  server RSS ${rss(fs.pid)}`);
fs.close();
await measure('daemon child_process.spawn', () =>
  new Promise((resolve) => {
    const c = spawn('/bin/true', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    c.stdout.resume();
    c.stderr.resume();
    c.stdin.end();
    c.once('close', resolve);
  }),
);
console.log(`node fork server / perl spawner: ${(node / perl).toFixed(2)}x`);
process.exit(0);
