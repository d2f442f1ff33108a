// Published-port TCP throughput (issue 5): iperf3 server inside a container started with
// `-p 5201:5201` (the host's iperf3 binary run in the container's netns with nsenter: the busybox
// image has none), single-stream client for S seconds over four paths, in pairs that differ only
// by the NAT:
//   direct    test host → container IP (the bridge, no NAT)
//   loopback  test host → 127.0.0.1:5201 (published port: docker-proxy / nft output DNAT)
//   routed    client netns → container IP, routed by the test host (forwarding, no NAT)
//   client    client netns → 198.18.0.1:5201 (the test host's address: prerouting DNAT, forwarding)
// Client and server are pinned to different CPUs (taskset), so runs do not depend on where the
// scheduler puts them. Engines and paths alternate (order rotates each round). Reports Gbit/s per
// path and, per round, loopback as % of direct and client as % of routed of the same engine.
import { spawn } from 'node:child_process';
import {
  names, NETNS, CLIENT_NETNS, CLIENT_HOST_IP, alive, dead, cli, run, inNetns, rec, fail, notes, log,
  rotate, containerPid, containerIp, rmf, errText, track,
} from './common.mjs';

const PORT = 5201;
const PATHS = [
  ['direct', 'direct to the container IP (test host)'],
  ['loopback', 'published port via 127.0.0.1 (test host)'],
  ['routed', 'direct to the container IP (client netns, routed by the test host)'],
  ['client', `published port via ${CLIENT_HOST_IP} (client netns over a veth)`],
];
/** Each NAT path against the path with the same hops and no NAT. */
const BASELINE = { loopback: 'direct', client: 'routed' };
const CLIENT_CPU = '0';
const SERVER_CPU = '1';
const metricOf = (p) => `iperf3: ${PATHS.find((x) => x[0] === p)[1]}`;
const pctOf = (p) => `iperf3: ${p} as % of ${BASELINE[p]}`;

async function iperfClient(nsPath, host, secs) {
  const r = await inNetns(nsPath, ['taskset', '-c', CLIENT_CPU, 'iperf3', '-c', host, '-p', String(PORT), '-t', String(secs), '-J', '--connect-timeout', '3000'], { timeoutMs: (secs + 30) * 1000 });
  try {
    const j = JSON.parse(r.out);
    if (j.error) return { error: `iperf3: ${j.error}` };
    const bps = j.end?.sum_received?.bits_per_second;
    if (!bps) return { error: 'iperf3: no sum_received in JSON' };
    return { gbps: bps / 1e9, retrans: j.end?.sum_sent?.retransmits ?? null };
  } catch {
    return { error: `iperf3 exit ${r.code}: ${(r.err || r.out).trim().split('\n').slice(-1)[0]}` };
  }
}

export async function benchPorts({ secs = 10, reps = 2, runArgs = {} } = {}) {
  const HOW = (p) => `taskset -c ${CLIENT_CPU} iperf3 -c … -t ${secs} -J, one stream; server \`taskset -c ${SERVER_CPU} iperf3 -s\` in the netns of a container run with -p ${PORT}:${PORT}; ${PATHS.find((x) => x[0] === p)[1]}`;
  const srv = {}; // engine -> {ip, proc}
  for (const e of names) {
    if (!alive[e]) { for (const [p] of PATHS) { dead(metricOf(p), e, 'Gbit/s', HOW(p)); if (BASELINE[p]) dead(pctOf(p), e, '%'); } continue; }
    if (!NETNS[e] || !CLIENT_NETNS[e]) { for (const [p] of PATHS) fail(metricOf(p), e, 'no test host / client netns passed by run.sh', 'Gbit/s', HOW(p)); continue; }
    await rmf(e, 'bench-iperf');
    const r = await cli(e, 'run', '-d', '--name', 'bench-iperf', '--network', 'bench-net', '-p', `${PORT}:${PORT}`, ...(runArgs[e] ?? []), 'busybox', 'sleep', '3600');
    const pid = r.code === 0 ? await containerPid(e, 'bench-iperf') : null;
    const ip = pid ? await containerIp(e, 'bench-iperf') : null;
    if (!pid || !ip) { for (const [p] of PATHS) fail(metricOf(p), e, `iperf container: ${errText(r)}`, 'Gbit/s', HOW(p)); continue; }
    const proc = track(spawn('nsenter', [`--net=/proc/${pid}/ns/net`, 'taskset', '-c', SERVER_CPU, 'iperf3', '-s', '-p', String(PORT)], { stdio: 'ignore' }));
    // The routed path: the client reaches the container IP through the test host.
    await inNetns(CLIENT_NETNS[e], ['ip', 'route', 'replace', `${ip}/32`, 'via', CLIENT_HOST_IP]);
    srv[e] = { ip, pid, proc };
  }
  // wait until every server listens
  for (const e of Object.keys(srv)) {
    for (let k = 0; k < 50; k++) {
      const r = await run(['nsenter', `--net=/proc/${srv[e].pid}/ns/net`, 'ss', '-Hltn', `sport = :${PORT}`]);
      if (r.out.trim()) break;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  const live = Object.keys(srv);
  log(`ports: ${reps} round(s) × ${live.length} engine(s) × ${PATHS.length} paths × ${secs} s`);
  for (let i = 0; i < reps; i++) {
    for (const e of rotate(live, i)) {
      const got = {};
      for (const [p] of rotate(PATHS, i)) {
        const [ns, host] = {
          direct: [NETNS[e], srv[e].ip],
          loopback: [NETNS[e], '127.0.0.1'],
          routed: [CLIENT_NETNS[e], srv[e].ip],
          client: [CLIENT_NETNS[e], CLIENT_HOST_IP],
        }[p];
        const r = await iperfClient(ns, host, secs);
        if (r.error) { fail(metricOf(p), e, r.error, 'Gbit/s', HOW(p)); log(`ports: ${e} ${p}: ${r.error}`); continue; }
        got[p] = r.gbps;
        rec(metricOf(p), e, null, r.gbps, 'Gbit/s', HOW(p));
        log(`ports: round ${i + 1} ${e} ${p}: ${r.gbps.toFixed(2)} Gbit/s (retransmits ${r.retrans})`);
      }
      for (const [p, base] of Object.entries(BASELINE)) {
        if (got[p] !== undefined && got[base]) rec(pctOf(p), e, null, (100 * got[p]) / got[base], '%', `${p} throughput / ${base} throughput of the same engine in the same round`);
      }
    }
  }
  for (const e of live) srv[e].proc.kill('SIGKILL');
  for (const e of live) await rmf(e, 'bench-iperf');
  notes.push(`ports: iperf3 ${secs} s, ${reps} round(s) per engine and path; goal for tetherd: loopback ≥ 95 % of direct, client ≥ 95 % of routed.`);
}
