// A cluster of test hosts: three network namespaces joined by an underlay bridge in a fourth,
// a three-member etcd (one member per host, peers over the underlay) and one tetherd per host
// started with --cluster-store (every member) and --cluster-advertise (its underlay address).
// Everything is a test host or lives in one, so dispose() (or the next run's leftover reaping,
// for a killed run) takes it all away; traffic never leaves these namespaces.
import { startDaemon, type TestDaemon } from './daemon.js';
import { startEtcd, type TestEtcd } from './etcd.js';
import { preloadBusybox } from './containers.js';
import { createTestHost, uniqueName, type TestHost } from './testhost.js';

export interface ClusterNode {
  host: TestHost;
  /** Its underlay address: --cluster-advertise, and where its etcd member listens. */
  ip: string;
  etcd: TestEtcd;
  daemon: TestDaemon;
  /** Starts its tetherd again (after kill9/stop) on the same roots. */
  restart(): Promise<TestDaemon>;
}

export interface TestCluster {
  nodes: ClusterNode[];
  dispose(): Promise<void>;
}

const SUBNET = '10.123.0';

/** Builds the cluster; daemonEnv goes to every tetherd (e.g. the stub global driver). */
export async function startCluster(daemonEnv: Record<string, string> = {}, size = 3): Promise<TestCluster> {
  const made: TestHost[] = [];
  const etcds: TestEtcd[] = [];
  const daemons: TestDaemon[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(daemons.map((d) => d.stop().catch(() => undefined)));
    await Promise.all(etcds.map((e) => e.dispose()));
    for (const h of made.reverse()) h.dispose();
  };
  try {
    const underlay = createTestHost('sw');
    made.push(underlay);
    underlay.sh(['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    underlay.sh(['ip', 'link', 'set', 'br0', 'up']);
    const hosts = Array.from({ length: size }, (_, i) => {
      const host = createTestHost('ch');
      made.push(host);
      const ip = `${SUBNET}.${i + 1}`;
      // The host's end is created in the underlay namespace and moved: names there are ours alone.
      const far = uniqueName('cu');
      underlay.sh(['ip', 'link', 'add', far, 'type', 'veth', 'peer', 'name', 'ul0', 'netns', host.nsPath]);
      underlay.sh(['ip', 'link', 'set', far, 'master', 'br0', 'up']);
      host.sh(['ip', 'addr', 'add', `${ip}/24`, 'dev', 'ul0']);
      host.sh(['ip', 'link', 'set', 'ul0', 'up']);
      return { host, ip };
    });
    const initialCluster = hosts.map((h, i) => `m${i + 1}=http://${h.ip}:2380`).join(',');
    etcds.push(...(await Promise.all(hosts.map((h, i) => startEtcd(h.host, { name: `m${i + 1}`, ip: h.ip, initialCluster })))));
    const store = `etcd://${hosts.map((h) => `${h.ip}:2379`).join(',')}`;
    const nodes: ClusterNode[] = [];
    for (const [i, { host, ip }] of hosts.entries()) {
      await preloadBusybox(host);
      const args = ['--cluster-store', store, '--cluster-advertise', ip];
      const daemon = await startDaemon(host, args, undefined, daemonEnv);
      daemons.push(daemon);
      const node: ClusterNode = {
        host,
        ip,
        etcd: etcds[i]!,
        daemon,
        async restart() {
          const again = await startDaemon(host, args, { dataRoot: daemon.dataRoot, execRoot: daemon.execRoot }, daemonEnv);
          daemons.push(again);
          node.daemon = again;
          return again;
        },
      };
      nodes.push(node);
    }
    return { nodes, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}
