// Make the kernel match the store, at start and on demand: finish or roll back changes a crash
// interrupted, recreate what vanished (a bridge after a reboot), and remove kernel objects that
// carry our naming pattern but have no record.
import { bridgeName } from '../drivers/bridge/options.js';
import { driverFor } from '../drivers/registry.js';
import type { DriverContext } from '../drivers/driver.js';
import type { Store } from '../store/store.js';
import type { Firewall } from './firewall-port.js';
import type { Networks } from './networks.js';

const OUR_BRIDGE = /^br-[0-9a-f]{12}$/;

export async function reconcileNetworks(store: Store, networks: Networks, ctx: DriverContext, firewall: Firewall): Promise<void> {
  for (const { status, doc: net } of await store.networks()) {
    try {
      if (status === 'creating') {
        ctx.log.warn('rolling back an unfinished network create', { network: net.name });
        await networks.rollbackCreate(net);
      } else if (status === 'removing') {
        ctx.log.warn('finishing an interrupted network remove', { network: net.name });
        await networks.finishRemove(net);
      } else if (!net.configOnly) {
        await driverFor(net.driver).createNetwork(net, ctx);
        await firewall.setNetwork(net);
      }
    } catch (e) {
      ctx.log.error('reconcile failed for a network', { network: net.name, error: String(e) });
    }
  }
  const wanted = new Set((await store.networks()).filter((r) => r.doc.driver === 'bridge').map((r) => bridgeName(r.doc)));
  const orphans = (await ctx.kernel.links())
    .filter((l) => l.linkinfo?.info_kind === 'bridge' && OUR_BRIDGE.test(l.ifname) && !wanted.has(l.ifname))
    .map((l) => l.ifname);
  if (orphans.length > 0) {
    ctx.log.warn('removing bridges with no network', { bridges: orphans });
    await ctx.kernel.ipTry(orphans.map((b) => ['link', 'del', 'dev', b]));
  }
}
