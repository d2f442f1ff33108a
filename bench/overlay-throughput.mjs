#!/usr/bin/env node
// Issue 20, throughput: iperf3 between containers on two test hosts over the overlay, as a
// percentage of the same test between the two hosts' underlay addresses. Goal ≥ 90 %.
// Usage (root, after `npm run build`): node bench/overlay-throughput.mjs [seconds] [reps]
import { spawn, spawnSync } from 'node:child_process';
import { inNs, OVERLAY, twoHosts, UNDERLAY } from './overlay-setup.mjs';

const seconds = Number(process.argv[2] ?? 5);
const reps = Number(process.argv[3] ?? 3);
if (spawnSync('iperf3', ['--version']).status !== 0) {
  console.error('iperf3 is not installed (Debian package iperf3): nothing measured');
  process.exit(2);
}

/** One iperf3 run from clientNs to serverIp (served in serverNs); received bits per second. */
async function iperf(serverNs, serverIp, clientNs) {
  const server = spawn('nsenter', [`--net=${serverNs}`, '--', 'iperf3', '-s', '-1', '-B', serverIp], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      const r = inNs(clientNs, ['iperf3', '-c', serverIp, '-t', String(seconds), '-J']);
      const out = r.status === 0 ? JSON.parse(r.stdout) : undefined;
      if (out?.end?.sum_received) return out.end.sum_received.bits_per_second;
      await new Promise((res) => setTimeout(res, 100)); // the server is still starting
    }
    throw new Error(`iperf3 to ${serverIp} never connected`);
  } finally {
    server.kill();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const setup = await twoHosts();
try {
  const [h1, h2] = setup.hosts;
  const [a, b] = setup.sandboxes;
  const overlay = [];
  const underlay = [];
  for (let i = 0; i < reps; i++) {
    underlay.push(await iperf(h2.nsPath, UNDERLAY[1], h1.nsPath));
    overlay.push(await iperf(b.path, OVERLAY[1], a.path));
  }
  const gbit = (x) => `${(x / 1e9).toFixed(2)} Gbit/s`;
  console.log(`underlay ${gbit(median(underlay))}  overlay ${gbit(median(overlay))}  (median of ${reps} × ${seconds} s)`);
  console.log(`overlay throughput: ${((100 * median(overlay)) / median(underlay)).toFixed(1)} % of the underlay (goal ≥ 90 %)`);
} finally {
  setup.close();
}
