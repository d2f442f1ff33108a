// The IPAM half of `network create`, in Docker's order, returning the pool cursor even when it
// fails. Docker's allocator moves its cursor when it hands out the IPv4 pool subnet and does not
// move it back when a later step fails and the subnet is released: `--ipv6` without a subnet
// fails *and* advances the cursor (reference 03, 08). The engine runs this inside its store
// transaction and must persist `cursor` on both outcomes — which is why failures are returned,
// not thrown (a throw would roll the cursor update back with everything else).
//
// Docker's order (libnetwork): parse every subnet; then per family, IPv4 first: reserve each
// subnet (overlap check) or pick one from the pools, then its gateway and aux addresses; IPv6
// only when EnableIPv6 (from Docker 27's ULA pool when there is no IPv6 subnet), IPv4 unless
// EnableIPv4 is false (Docker 28).
import { type TetherError, isTetherError } from '../errors.js';
import type { Cidr } from './address.js';
import type { PoolList } from './default-pools.js';
import {
  type IpamRequest,
  type ParsedEntry,
  type PoolConfig,
  normaliseEntry,
  parseIpamEntries,
  poolAssignedConfig,
} from './network-config.js';
import { allocatePoolSubnet, checkExplicitSubnet } from './subnet-allocator.js';

export interface PlanContext {
  readonly pools: PoolList;
  /**
   * Subnets of all existing networks. Inactive ones (IPv6 on a network without EnableIPv6) may
   * be left out: Docker never reserves them.
   */
  readonly inUse: readonly Cidr[];
  /** Host route destinations: pool subnets avoid them; explicit subnets ignore them (Docker). */
  readonly hostRoutes?: readonly Cidr[];
  readonly cursor: number;
}

export type IpamPlan =
  | { readonly ok: true; readonly pools: readonly PoolConfig[]; readonly cursor: number }
  | { readonly ok: false; readonly error: TetherError; readonly cursor: number };

export function planNetworkIpam(req: IpamRequest, ctx: PlanContext): IpamPlan {
  let cursor = ctx.cursor;
  // Subnets reserved so far, this request's included: two subnets of one request may not
  // overlap either (Docker reserves them one after the other).
  const reserved: Cidr[] = [...ctx.inUse];
  try {
    const { v4, v6 } = parseIpamEntries(req.configs);

    const v4Pools = reserveFamily(4, v4, req.enableIPv4 ?? true);
    const v6Pools = reserveFamily(6, v6, req.enableIPv6);
    return { ok: true, pools: [...v4Pools, ...v6Pools], cursor };
  } catch (e) {
    if (!isTetherError(e)) throw e;
    return { ok: false, error: e, cursor };
  }

  // A disabled family's subnets are kept and shown but inactive (Docker keeps an IPv6 subnet of a
  // network without EnableIPv6 so; Docker 28 treats IPv4 subnets of an IPv4-disabled network
  // alike). An enabled family without a subnet gets one from the pools, which moves the cursor.
  function reserveFamily(family: 4 | 6, entries: readonly ParsedEntry[], enabled: boolean): PoolConfig[] {
    const out: PoolConfig[] = [];
    for (const entry of entries) {
      if (enabled) {
        checkExplicitSubnet(entry.subnet, reserved);
        reserved.push(entry.subnet);
      }
      out.push(normaliseEntry(entry, enabled));
    }
    if (enabled && entries.length === 0) {
      const choice = allocatePoolSubnet({ pools: ctx.pools, family, inUse: reserved, hostRoutes: ctx.hostRoutes ?? [], cursor });
      cursor = choice.cursor; // from here on, a failure keeps the advanced cursor
      reserved.push(choice.subnet);
      out.push(poolAssignedConfig(choice.subnet));
    }
    return out;
  }
}
