// The predefined networks (Docker's bridge, host and none), one per driver that declares one:
// created at first start with random ids that stay stable across restarts (they live in the
// store like any network), and rewritten when the flags that shape them (--bip, --bridge) change.
import type { DriverRegistry } from '../drivers/registry.js';
import type { DaemonConfig } from '../model/config.js';
import { newId, nowRfc3339Nano } from '../model/ids.js';
import { NETWORK_DEFAULTS, type NetworkRecord } from '../model/network.js';
import type { Store } from '../store/store.js';

export function ensurePredefined(store: Store, drivers: DriverRegistry, config: DaemonConfig): Promise<void> {
  return store.tx(async (t) => {
    for (const d of drivers.drivers) {
      if (!d.predefined) continue;
      const wanted: NetworkRecord = {
        id: newId(),
        name: d.predefined.name,
        driver: d.type,
        scope: d.scope,
        created: nowRfc3339Nano(),
        ...NETWORK_DEFAULTS,
        labels: {},
        predefined: true,
        ...d.predefined.build(config),
      };
      const current = await t.networkByName(wanted.name);
      if (!current) {
        await t.insertNetwork(wanted, 'ready');
      } else if (JSON.stringify(current.doc.pools) !== JSON.stringify(wanted.pools) || JSON.stringify(current.doc.options) !== JSON.stringify(wanted.options)) {
        await t.deleteNetwork(current.doc.id);
        await t.insertNetwork({ ...wanted, id: current.doc.id, created: current.doc.created }, 'ready');
      }
    }
  });
}
