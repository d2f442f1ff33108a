// PoolPlanner over ipam/: Docker's default pools (or --default-address-pool) plus the daemon's
// ULA pool for IPv6, next-fit cursor, overlap refusal, host routes avoided for pool-assigned
// subnets.
import { tryParseCidr, type Cidr } from '../ipam/address.js';
import { daemonPools, parseDefaultAddressPool, type PoolList, type PoolRange } from '../ipam/default-pools.js';
import { poolConfigToRecord } from '../ipam/network-config.js';
import { type PoolConfigRecord } from '../model/network.js';
import { planNetworkIpam } from '../ipam/network-plan.js';
import type { PlanInput, PoolPlan, PoolPlanner } from './pool-planner.js';
import type { CreateNetworkRequest } from '../model/network.js';

function activeSubnets(pools: PoolConfigRecord[]): Cidr[] {
  return pools.filter((p) => p.active).flatMap((p) => tryParseCidr(p.subnet) ?? []);
}

export class DefaultPoolPlanner implements PoolPlanner {
  private readonly configured: readonly PoolRange[];
  /** The list for the last host id seen: it only changes if the store's daemon id does. */
  private lists = new Map<string, PoolList>();

  constructor(defaultAddressPools: Array<{ base: string; size: number }>) {
    this.configured = defaultAddressPools.map((p) => parseDefaultAddressPool(`base=${p.base},size=${p.size}`));
  }

  needsHostRoutes(req: CreateNetworkRequest): boolean {
    const explicit = (family: 'v4' | 'v6') => req.ipamConfig.some((c) => c.subnet !== undefined && c.subnet.includes(':') === (family === 'v6'));
    return (req.enableIPv4 !== false && !explicit('v4')) || (req.enableIPv6 && !explicit('v6'));
  }

  plan(req: CreateNetworkRequest, input: PlanInput): PoolPlan {
    const plan = planNetworkIpam(
      { configs: req.ipamConfig, enableIPv6: req.enableIPv6, enableIPv4: req.enableIPv4 },
      {
        pools: this.poolsFor(input.hostId),
        inUse: input.existing.filter((n) => !n.configOnly).flatMap((n) => activeSubnets(n.pools)),
        hostRoutes: input.hostRoutes.flatMap((r) => tryParseCidr(r) ?? []),
        cursor: input.cursor,
      },
    );
    return plan.ok ? { ok: true, pools: plan.pools.map(poolConfigToRecord), cursor: plan.cursor } : plan;
  }

  private poolsFor(hostId: string): PoolList {
    let list = this.lists.get(hostId);
    if (!list) {
      list = daemonPools(this.configured, hostId);
      this.lists = new Map([[hostId, list]]);
    }
    return list;
  }
}
