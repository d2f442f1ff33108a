#!/usr/bin/env node
// Reachability probe, run inside a peer's netns (nsenter --net=/proc/PID/ns/net node probe.mjs IP).
// Prints "ready", then tries a TCP connect to IP:9 every few ms; the first answer from the target
// (RST = ECONNREFUSED, or an accept) means the new container is up and reachable; prints
// "reachable <ms since ready>" and exits 0. Exits 1 after the deadline (default 30 s).
import net from 'node:net';
const [ip, deadlineMs = '30000'] = process.argv.slice(2);
const t0 = performance.now();
const deadline = t0 + Number(deadlineMs);
process.stdout.write('ready\n');
function attempt() {
  if (performance.now() > deadline) { process.stdout.write('timeout\n'); process.exit(1); }
  const s = net.connect({ host: ip, port: 9 });
  let done = false;
  const finish = (ok) => {
    if (done) return; done = true; s.destroy();
    if (ok) { process.stdout.write(`reachable ${(performance.now() - t0).toFixed(2)}\n`); process.exit(0); }
    setTimeout(attempt, 2);
  };
  s.setTimeout(50, () => finish(false));
  s.on('connect', () => finish(true));
  s.on('error', (e) => finish(e.code === 'ECONNREFUSED'));
}
attempt();
