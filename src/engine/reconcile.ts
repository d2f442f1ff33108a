// Make the kernel match the store, at start and on demand: finish or roll back network changes a
// crash interrupted, recreate what vanished (a bridge after a reboot), and let every driver remove
// the kernel objects of its naming pattern that no record owns (after the containers are
// reconciled, so their endpoints are final).
import type { DriverContext } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { Store } from '../store/store.js';
import type { Networks } from './networks.js';

export async function reconcileNetworks(store: Store, networks: Networks, drivers: DriverRegistry, ctx: DriverContext): Promise<void> {
  for (const { status, doc: net } of await store.networks()) {
    // A global network's record is the cluster's: another host may be creating or removing it
    // right now. Its kernel side here follows this host's endpoints (cluster-peers.ts).
    if (drivers.of(net).scope === 'global') continue;
    try {
      if (status === 'creating') {
        ctx.log.warn('rolling back an unfinished network create', { network: net.name });
        await networks.rollbackCreate(net);
      } else if (status === 'removing') {
        ctx.log.warn('finishing an interrupted network remove', { network: net.name });
        await networks.finishRemove(net);
      } else if (!net.configOnly) {
        await drivers.of(net).createNetwork(ctx, net);
      }
    } catch (e) {
      ctx.log.error('reconcile failed for a network', { network: net.name, error: String(e) });
    }
  }
}

export async function removeOrphans(store: Store, drivers: DriverRegistry, ctx: DriverContext): Promise<void> {
  const states = drivers.states((await store.networks()).map((r) => r.doc), (await store.endpoints()).map((r) => r.doc));
  for (const [d, state] of states) {
    await d.reconcile(ctx, state).catch((e: unknown) => ctx.log.error('driver reconcile failed', { driver: d.type, error: String(e) }));
  }
}
