// PoolPlanner over ipam/: Docker's default pools (or --default-address-pool), next-fit cursor,
// overlap refusal, host routes avoided for pool-assigned subnets.
import { tryParseCidr, type Cidr } from '../ipam/address.js';
import { defaultPools, parseDefaultAddressPools, type PoolList } from '../ipam/default-pools.js';
import { poolConfigToRecord } from '../ipam/network-config.js';
import { type PoolConfigRecord } from '../model/network.js';
import { planNetworkIpam } from '../ipam/network-plan.js';
import type { PoolPlan, PoolPlanner } from './pool-planner.js';
import type { CreateNetworkRequest, NetworkRecord } from '../model/network.js';

function activeSubnets(pools: PoolConfigRecord[]): Cidr[] {
  return pools.filter((p) => p.active).flatMap((p) => tryParseCidr(p.subnet) ?? []);
}

export class DefaultPoolPlanner implements PoolPlanner {
  private readonly pools: PoolList;

  constructor(defaultAddressPools: Array<{ base: string; size: number }>) {
    this.pools = defaultAddressPools.length > 0
      ? parseDefaultAddressPools(defaultAddressPools.map((p) => `base=${p.base},size=${p.size}`))
      : defaultPools();
  }

  needsHostRoutes(req: CreateNetworkRequest): boolean {
    return !req.ipamConfig.some((c) => c.subnet !== undefined && !c.subnet.includes(':'));
  }

  plan(req: CreateNetworkRequest, existing: NetworkRecord[], hostRoutes: string[], cursor: number): PoolPlan {
    const plan = planNetworkIpam(
      { configs: req.ipamConfig, enableIPv6: req.enableIPv6 },
      {
        pools: this.pools,
        inUse: existing.filter((n) => !n.configOnly).flatMap((n) => activeSubnets(n.pools)),
        hostRoutes: hostRoutes.flatMap((r) => tryParseCidr(r) ?? []),
        cursor,
      },
    );
    return plan.ok ? { ok: true, pools: plan.pools.map(poolConfigToRecord), cursor: plan.cursor } : plan;
  }
}
