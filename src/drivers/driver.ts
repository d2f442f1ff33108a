// The driver contract: everything that differs between network drivers is decided behind it, so
// the engine holds no driver name. libnetwork's shape in TypeScript, with what it leaves to
// engine branches made explicit: addressing, the kind of stack a container gets, the predefined
// network, firewall needs, port publishing, reconcile, uninstall and a capability probe. Every
// kernel method is idempotent: creating what exists converges, deleting what is gone succeeds,
// so reconcile can call them blindly. engine/driver-contract.test.ts runs against every driver.
import type { TetherError } from '../errors.js';
import type { Firewaller, FwNetwork } from '../firewall/firewaller.js';
import type { Kernel } from '../kernel/kernel.js';
import type { DaemonConfig } from '../model/config.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { Logger } from '../model/logger.js';
import type { DriverName, NetworkRecord, PoolConfigRecord } from '../model/network.js';

export interface DriverContext {
  kernel: Kernel;
  /** The daemon's firewall (NoFirewaller under --iptables=false): a driver programs its own needs. */
  firewall: Firewaller;
  log: Logger;
  /** Cluster mode only (--cluster-store): this host's underlay address (--cluster-advertise). */
  cluster?: { advertise: string };
}

/** An endpoint of a global-scope network on ANOTHER host, as the cluster store shows it. */
export interface RemoteEndpoint {
  endpointId: string;
  /** The underlay address of the host it lives on (that host's --cluster-advertise). */
  host: string;
  mac: string;
  ipv4?: string;
  ipv6?: string;
}

/** What a driver learns about an endpoint when a sandbox joins. */
export interface JoinSpec {
  endpointId: string;
  netnsPath: string;
  /** Interface name inside the sandbox (eth0, eth1, …). */
  ifname: string;
  mac: string;
  addresses: string[]; // CIDRs, e.g. 172.18.0.2/16
  gateways: string[]; // default routes to install; empty for a non-default attachment
  mtu?: number;
}

/**
 * How a container on a network of this driver gets its network stack: a namespace of its own
 * with one interface per network ('sandbox'); a namespace of its own with loopback only and no
 * other network ('loopback', Docker's none); or the host's own stack and no sandbox ('host').
 */
export type StackKind = 'sandbox' | 'loopback' | 'host';

/** The network of this driver the daemon creates at first start (Docker's bridge, host, none). */
export interface PredefinedNetwork {
  name: string;
  /** Docker's default network: the one a container joins without --network. */
  isDefault: boolean;
  /** Its pools and options as the daemon's configuration says (--bip, --bridge, --mtu). */
  build(config: DaemonConfig): { pools: PoolConfigRecord[]; options: Record<string, string> };
}

/** The records of one driver that reconcile and uninstall look at. */
export interface DriverState {
  networks: readonly NetworkRecord[];
  /** Every endpoint on those networks. */
  endpoints: readonly EndpointRecord[];
}

export interface NetworkDriver {
  readonly type: DriverName;
  readonly scope: 'local' | 'global';
  /** 'default': subnets and endpoint addresses come from the default IPAM; 'none': neither exists. */
  readonly ipam: 'default' | 'none';
  readonly stack: StackKind;
  /** Only the predefined network may exist (Docker: "only one instance of "host" network is allowed"). */
  readonly singleton: boolean;
  readonly predefined?: PredefinedNetwork;

  /**
   * Why this host cannot run the driver (a missing kernel module, say), or undefined when it can.
   * The daemon offers (`docker info`) only drivers that can; a create names the reason.
   */
  probe(ctx: DriverContext): Promise<string | undefined>;
  /** Checks options before anything is reserved; throws TetherError invalid. */
  validate(ctx: DriverContext, net: NetworkRecord): Promise<void>;
  /** Inside the transaction that reserves the network: a clash with another network, if any. */
  conflict(net: NetworkRecord, others: readonly NetworkRecord[]): TetherError | undefined;
  /**
   * Inside the same transaction, after conflict(): sets the driver's own identifiers on the record
   * (the overlay's VNI in its options), unique among `others` — for a global network the cluster
   * store's transaction makes that unique across hosts.
   */
  assign?(net: NetworkRecord, others: readonly NetworkRecord[]): void;
  /** The network's kernel objects and its firewall rules. */
  createNetwork(ctx: DriverContext, net: NetworkRecord): Promise<void>;
  deleteNetwork(ctx: DriverContext, net: NetworkRecord): Promise<void>;
  join(ctx: DriverContext, net: NetworkRecord, spec: JoinSpec): Promise<void>;
  leave(ctx: DriverContext, net: NetworkRecord, spec: JoinSpec): Promise<void>;
  /** Makes the endpoint's gateways the sandbox's default routes (the previous provider left). */
  routeDefault(ctx: DriverContext, net: NetworkRecord, spec: JoinSpec): Promise<void>;
  /** What the firewall must know of the network (all of it, for a rebuild); undefined: nothing. */
  firewallRules(net: NetworkRecord): FwNetwork | undefined;
  /** Where ports of its endpoints are published by default; undefined: they cannot be. */
  publishing(net: NetworkRecord): { hostIpv4: string } | undefined;
  /**
   * Global drivers: another host's endpoint on the network appeared (present) or went. Called for
   * every remote endpoint when the network is created or found on this host, then from the
   * cluster store's watch; idempotent both ways.
   */
  peer?(ctx: DriverContext, net: NetworkRecord, ep: RemoteEndpoint, present: boolean): Promise<void>;
  /** After a restart: removes kernel objects of this driver that no record owns. */
  reconcile(ctx: DriverContext, state: DriverState): Promise<void>;
  /** `tetherd uninstall`: removes what the networks left on the host; one line per thing removed. */
  uninstall(ctx: DriverContext, state: DriverState): Promise<string[]>;
}
