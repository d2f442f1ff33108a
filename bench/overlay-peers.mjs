#!/usr/bin/env node
// Issue 20, scale by simulation: 100 simulated hosts × 100 endpoints announced to one real host
// (as the cluster store's watch would, every peer() issued at once), then one more. Prints the
// time until all 10,000 FDB + neighbour entries are in the kernel, the driver's heap growth per
// remote endpoint, and the time to apply one more. Goals: ≤ 5 s, ≤ 1 KiB each, ≤ 50 ms.
// Usage (root, after `npm run build`): node bench/overlay-peers.mjs [hosts] [endpoints per host]
import { join } from 'node:path';
import { inNs, twoHosts } from './overlay-setup.mjs';

const hosts = Number(process.argv[2] ?? 100);
const perHost = Number(process.argv[3] ?? 100);
const hex = (n) => n.toString(16).padStart(2, '0');
const peer = (h, e) => ({ endpointId: `sim-${h}-${e}`, host: `10.98.${h >> 8}.${h & 255}`, mac: `02:43:${hex(h >> 8)}:${hex(h & 255)}:${hex(e >> 8)}:${hex(e & 255)}`, ipv4: `10.${100 + (h >> 8)}.${h & 255}.${e}` });

const setup = await twoHosts();
try {
  const d = setup.drivers[0];
  const ovns = join(d.pinDir, `ov-${setup.net.id.slice(0, 12)}`);
  const count = () => Number(inNs(ovns, ['sh', '-c', 'bridge fdb show dev vx-4242 | grep -c " dst "']).stdout.trim());
  const heap0 = await d.call('heap');
  const eps = [];
  for (let h = 0; h < hosts; h++) for (let e = 0; e < perHost; e++) eps.push(peer(h, e));
  const all = await d.call('peers', { net: setup.net, eps, present: true });
  const n = eps.length;
  const programmed = count() - 1; // the real other host's endpoint is there too
  const one = await d.call('peers', { net: setup.net, eps: [peer(hosts, 0)], present: true });
  const growth = ((await d.call('heap')) - heap0) / n;
  console.log(`${n} remote endpoints programmed in ${all.ms.toFixed(0)} ms (goal ≤ 5000 ms); kernel FDB has ${programmed} of them`);
  console.log(`one more: ${one.ms.toFixed(1)} ms (goal ≤ 50 ms)`);
  console.log(`driver heap growth: ${(growth / 1024).toFixed(2)} KiB per remote endpoint after a full GC (goal ≤ 1 KiB)`);
  if (programmed !== n) process.exitCode = 1;
} finally {
  setup.close();
}
