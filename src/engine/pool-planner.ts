// The engine's view of IPAM for networks: given a create request and the networks that exist,
// decide every pool (subnet, range, gateway, aux) the new network gets. Pure and synchronous,
// so it runs inside the store transaction that reserves the name.
import type { CreateNetworkRequest, IpamPoolRecord, NetworkRecord } from './types.js';

export interface PoolPlan {
  pools: IpamPoolRecord[];
  cursor: number;
}

export interface PoolPlanner {
  /** True when the request takes a subnet from the default pools (host routes are then avoided). */
  needsHostRoutes(req: CreateNetworkRequest): boolean;
  /** Throws TetherError; a failure may carry `cursor` (Docker advances it on failed creates). */
  plan(req: CreateNetworkRequest, existing: NetworkRecord[], hostRoutes: string[], cursor: number): PoolPlan;
}
