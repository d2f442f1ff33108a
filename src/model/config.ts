// The daemon's configuration, with dockerd's names (flags and daemon.json keys), typed once.
export interface DaemonConfig {
  /** -H / "hosts": unix:///path sockets to serve the API on. */
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  /** --bridge: the default network's Linux bridge. */
  bridge: string;
  /** --bip: the default bridge's gateway/prefix, e.g. 172.17.0.1/16. */
  bip: string;
  defaultAddressPools: Array<{ base: string; size: number }>;
  iptables: boolean;
  ipForward: boolean;
  userlandProxy: boolean;
  dns: string[];
  mtu: number;
  liveRestore: boolean;
  defaultRuntime: 'crun' | 'runc';
  /** Our nft table's name, so several daemons in one namespace cannot collide (tests). */
  firewallTable: string;
  /** --cgroup-parent: containers' cgroups go to /<cgroupParent>/<id> in every hierarchy. */
  cgroupParent: string;
  debug: boolean;
  /** --trace-ops: log one line per API operation with the time spent in each phase. */
  traceOps: boolean;
  /** --insecure-registry: host[:port] or CIDR reached over plain HTTP or unverified TLS. */
  insecureRegistries: string[];
  /** --registry-mirror: URLs tried before Docker Hub for docker.io images, in order. */
  registryMirrors: string[];
  /** Docker's certs.d layout: <certsDir>/<host:port>/ca.crt trusted for that registry. */
  certsDir: string;
  /** --cluster-store etcd://h1:2379,h2:2379: the etcd client URLs; empty: no cluster. */
  clusterStore: string[];
  /** --cluster-advertise: this host's underlay address, or the interface that has it. */
  clusterAdvertise: string;
  /** --cluster-store-opt kv.cacertfile=…,kv.certfile=…,kv.keyfile=… */
  clusterStoreOpts: Record<string, string>;
}

export const DEFAULT_CONFIG: DaemonConfig = {
  hosts: ['unix:///run/tether/tether.sock'],
  dataRoot: '/var/lib/tether',
  execRoot: '/run/tether',
  bridge: 'tether0',
  bip: '172.17.0.1/16',
  defaultAddressPools: [],
  iptables: true,
  ipForward: true,
  userlandProxy: false,
  dns: [],
  mtu: 1500,
  liveRestore: false,
  defaultRuntime: 'crun',
  firewallTable: 'tether',
  cgroupParent: 'tether',
  debug: false,
  traceOps: false,
  // dockerd always treats loopback registries as insecure.
  insecureRegistries: ['127.0.0.0/8'],
  registryMirrors: [],
  certsDir: '/etc/tether/certs.d',
  clusterStore: [],
  clusterAdvertise: '',
  clusterStoreOpts: {},
};

/** Where the kernel layer pins namespaces that outlive the daemon (overlay networks'). */
export function pinnedNetnsDir(config: Pick<DaemonConfig, 'execRoot'>): string {
  return `${config.execRoot}/netns-pinned`;
}
