// The driver contract, libnetwork's shape in TypeScript. Every method is idempotent: creating what
// exists converges, deleting what is gone succeeds, so reconcile can call them blindly.
import type { Kernel } from '../kernel/kernel.js';
import type { Logger } from '../model/logger.js';
import type { NetworkRecord } from '../model/network.js';


export interface DriverContext {
  kernel: Kernel;
  log: Logger;
}

/** What a driver learns about an endpoint when a sandbox joins. */
export interface JoinSpec {
  endpointId: string;
  netnsPath: string;
  /** Interface name inside the sandbox (eth0, eth1, …). */
  ifname: string;
  /** Host-side veth name, tv<…>. */
  hostIfname: string;
  mac: string;
  addresses: string[]; // CIDRs, e.g. 172.18.0.2/16
  gateways: string[]; // default routes to install; empty for a non-default attachment
  mtu?: number;
}

export interface NetworkDriver {
  readonly type: NetworkRecord['driver'];
  readonly scope: 'local' | 'global';
  /** Checks driver options before anything is reserved; throws TetherError invalid. */
  validate(net: NetworkRecord, ctx: DriverContext): Promise<void>;
  createNetwork(net: NetworkRecord, ctx: DriverContext): Promise<void>;
  deleteNetwork(net: NetworkRecord, ctx: DriverContext): Promise<void>;
  join(net: NetworkRecord, spec: JoinSpec, ctx: DriverContext): Promise<void>;
  leave(net: NetworkRecord, spec: JoinSpec, ctx: DriverContext): Promise<void>;
}
