#!/usr/bin/env node
// Overlay convergence (issue 20): from `docker run -d` on host A to the first answer from that
// container seen by a container on host B, over the overlay, median of N trials (default 20).
// Two test hosts on an underlay bridge, a two-member etcd, one tetherd each (test/helpers/cluster.ts
// after `npm run build`). The probe (lib/probe.mjs) runs in B's container's namespace and tries a
// TCP connect every 2 ms: the first RST means the new container's address answers through the
// VXLAN, i.e. B's FDB and neighbour entries for it are programmed from the etcd watch.
// Printed, never asserted:   node bench/overlay-convergence.mjs [trials]
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, '..', 'dist', 'test', 'helpers');
const { startCluster } = await import(join(DIST, 'cluster.js'));
const { runDetached } = await import(join(DIST, 'containers.js'));
const TRIALS = Number(process.argv[2] ?? 20);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function probe(pid, ip) {
  const child = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, join(HERE, 'lib', 'probe.mjs'), ip, '10000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  const lines = [];
  const waiters = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let k;
    while ((k = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, k));
      buf = buf.slice(k + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  const until = (pred) => new Promise((res) => { const check = () => (pred() ? res() : waiters.push(check)); check(); });
  return { child, ready: until(() => lines.includes('ready')), reached: until(() => lines.some((l) => l.startsWith('reachable') || l === 'timeout')).then(() => performance.now()), lines };
}

const cluster = await startCluster({}, 2);
const [a, b] = cluster.nodes;
const fromRun = [];
const fromReturn = [];
try {
  const net = spawnSync('docker', ['-H', `unix://${a.daemon.socket}`, 'network', 'create', '-d', 'overlay', '--attachable', '--subnet', '10.77.0.0/16', 'conv'], { encoding: 'utf8' });
  if (net.status !== 0) throw new Error(net.stderr);
  const watcher = await runDetached(b.daemon, 'watcher', { HostConfig: { NetworkMode: 'conv' } });
  // As in bench.mjs's run → reply: ARP retries every 10 ms in the prober, or an address asked for
  // before it existed is retried only after the kernel's default second.
  spawnSync('nsenter', [`--net=/proc/${watcher.State.Pid}/ns/net`, 'sysctl', '-q', '-w', 'net.ipv4.neigh.eth0.retrans_time_ms=10']);
  for (let i = 0; i < TRIALS; i++) {
    const ip = `10.77.1.${10 + i}`;
    const p = probe(watcher.State.Pid, ip);
    await p.ready;
    const t0 = performance.now();
    const r = spawnSync('docker', ['-H', `unix://${a.daemon.socket}`, 'run', '-d', '--name', `t${i}`, '--network', 'conv', '--ip', ip, 'busybox', 'sleep', '600'], { encoding: 'utf8' });
    const t1 = performance.now();
    if (r.status !== 0) throw new Error(r.stderr);
    const reached = await p.reached;
    p.child.kill();
    if (p.lines.includes('timeout')) throw new Error(`trial ${i}: ${ip} never answered on host B`);
    fromRun.push(reached - t0);
    fromReturn.push(Math.max(0, reached - t1));
  }
  console.log(`overlay convergence, ${TRIALS} trials (2 hosts, 2-member etcd, real tetherds):`);
  console.log(`  docker run -d returned on host A → first answer on host B: median ${median(fromReturn).toFixed(1)} ms (max ${Math.max(...fromReturn).toFixed(1)} ms)`);
  console.log(`  docker run -d started on host A  → first answer on host B: median ${median(fromRun).toFixed(1)} ms`);
  console.log(`  goal: ≤ 200 ms (must be < 500 ms) from run returning`);
} finally {
  await cluster.dispose();
}
