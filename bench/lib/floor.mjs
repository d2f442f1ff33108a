// The kernel floor, bench side: starts bench/lib/floor-agent.mjs inside the floor's test host
// (BENCH_FLOOR = {netns, dir, rootfsTar, cgroup}, from bench/run.sh) and asks it for one
// measurement at a time. The floor takes its turn in each benchmark's rotation as if it were one
// more engine; its figures go to results[metric].floor and the report prints tetherd / floor.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, track } from './common.mjs';

export const FLOOR = 'floor';
const HERE = dirname(fileURLToPath(import.meta.url));
const conf = JSON.parse(process.env.BENCH_FLOOR || 'null');

/** What the floor of each metric is, for the notes under the table. */
export const FLOOR_HOW =
  'floor: a long-lived process in a test host of its own, starting the tools tetherd starts. network create = one `ip -batch -` (bridge, address, up) + one `nft -f -` adding the four set elements tetherd adds for a network; network rm = the reverse; connect = one `ip -batch -` (veth with its peer in a prepared netns, on a bridge) + one `nsenter … ip -batch -` (address, up, default route); disconnect = one `ip -batch -` deleting it; run -d = `crun run --detach` of busybox sleep (minimal OCI config, the bench\'s busybox rootfs) in a prepared netns with a veth attached; run → first reply = that + one `nsenter … ip -batch -` (address, up, route) to the first TCP RST seen by the same probe from a peer netns; DNS = a minimal UDP responder on 127.0.0.11 (one socket, a fixed A record; in C, bench/lib/floor-dns.c, where the machine has cc) queried by the same dnsperf. CLI rows compare against the same floor: their tetherd figure includes the docker CLI\'s own start-up.';

/** The floor's agent, or null when the bench runs without one (no BENCH_FLOOR). */
export async function startFloor() {
  if (!conf) return null;
  const p = track(spawn('nsenter', [`--net=${conf.netns}`, process.execPath, join(HERE, 'floor-agent.mjs'),
    JSON.stringify({ prefix: basename(conf.netns), dir: conf.dir, rootfsTar: conf.rootfsTar, cgroup: conf.cgroup })],
  { stdio: ['pipe', 'pipe', 'inherit'] }));
  const waiting = [];
  createInterface({ input: p.stdout }).on('line', (l) => waiting.shift()?.(JSON.parse(l)));
  p.on('close', () => { for (const w of waiting.splice(0)) w({ ok: false, error: 'floor agent exited' }); });
  const ask = (op, i) => new Promise((resolve) => {
    waiting.push(resolve);
    p.stdin.write(`${JSON.stringify({ op, i })}\n`);
  });
  const s = await ask('setup');
  if (!s.ok) {
    log(`floor: setup failed (${s.error}): no floor column`);
    await ask('close');
    p.stdin.end();
    return null;
  }
  return {
    dnsNetns: s.dnsNetns,
    /** Which responder answers the floor's DNS queries (C, or Node where there is no cc). */
    dnsResponder: s.dnsResponder,
    /** {ok, ms} / {ok: false, error} */
    ask,
    async close() {
      await ask('close');
      p.stdin.end();
      await new Promise((resolve) => (p.exitCode !== null ? resolve() : p.on('close', resolve)));
    },
  };
}
