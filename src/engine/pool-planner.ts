// The engine's view of IPAM for networks: given a create request and the networks that exist,
// decide every pool (subnet, range, gateway, aux) the new network gets. Pure and synchronous,
// so it runs inside the store transaction that reserves the name.
import type { TetherError } from '../errors.js';
import type { PoolConfigRecord } from '../model/network.js';
import type { CreateNetworkRequest, NetworkRecord } from '../model/network.js';

/** A failure still carries the cursor: Docker advances it even when a create fails (INDEX 08). */
export type PoolPlan =
  | { ok: true; pools: PoolConfigRecord[]; cursor: number }
  | { ok: false; error: TetherError; cursor: number };

/** What the planner needs besides the request. */
export interface PlanInput {
  /** Every network that exists (their subnets are taken). */
  existing: NetworkRecord[];
  /** Destinations of the host's routes, which pool subnets avoid. */
  hostRoutes: string[];
  /** The persisted next-fit cursor. */
  cursor: number;
  /** The daemon's id: the IPv6 ULA pool is derived from it (Docker 27), so it is stable. */
  hostId: string;
}

export interface PoolPlanner {
  /** True when the request takes a subnet from the default pools (host routes are then avoided). */
  needsHostRoutes(req: CreateNetworkRequest): boolean;
  plan(req: CreateNetworkRequest, input: PlanInput): PoolPlan;
}
