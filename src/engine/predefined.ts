// bridge, host and none: created at first start with random ids that stay stable across
// restarts (they live in the store like any network), as in Docker.
import { formatIp, makeCidr, parseSubnet } from '../ipam/address.js';
import { OPT } from '../drivers/bridge/options.js';
import type { Store } from '../store/store.js';
import type { DaemonConfig } from '../model/config.js';
import { newId, nowRfc3339Nano } from '../model/ids.js';
import type { NetworkRecord } from '../model/network.js';

function base(name: string, driver: NetworkRecord['driver']): NetworkRecord {
  return {
    id: newId(),
    name,
    driver,
    scope: 'local',
    created: nowRfc3339Nano(),
    enableIPv6: false,
    internal: false,
    attachable: false,
    ingress: false,
    configOnly: false,
    configFrom: '',
    ipamDriver: 'default',
    ipamOptions: null,
    pools: [],
    options: {},
    labels: {},
    predefined: true,
  };
}

/** The default bridge as the config describes it (its id is kept from the store when it exists). */
export function defaultBridge(config: DaemonConfig): NetworkRecord {
  const bip = parseSubnet(config.bip);
  const subnet = makeCidr({ family: bip.family, value: bip.address }, bip.prefix);
  return {
    ...base('bridge', 'bridge'),
    pools: [{ family: 4, subnet: subnet.text, gateway: formatIp({ family: 4, value: bip.address }), gatewayExplicit: false, poolAssigned: false, active: true, auxAddresses: {} }],
    options: {
      [OPT.defaultBridge]: 'true',
      [OPT.icc]: 'true',
      [OPT.masquerade]: 'true',
      [OPT.hostBinding]: '0.0.0.0',
      [OPT.name]: config.bridge,
      [OPT.mtu]: String(config.mtu),
    },
  };
}

/** Inserts missing predefined networks; updates the default bridge when --bip/--bridge changed. */
export function ensurePredefined(store: Store, config: DaemonConfig): Promise<void> {
  return store.tx(async (t) => {
    const wanted = defaultBridge(config);
    const current = await t.networkByName('bridge');
    if (!current) {
      await t.insertNetwork(wanted, 'ready');
    } else if (JSON.stringify(current.doc.pools) !== JSON.stringify(wanted.pools) || JSON.stringify(current.doc.options) !== JSON.stringify(wanted.options)) {
      await t.deleteNetwork(current.doc.id);
      await t.insertNetwork({ ...wanted, id: current.doc.id, created: current.doc.created }, 'ready');
    }
    if (!(await t.networkByName('host'))) await t.insertNetwork(base('host', 'host'), 'ready');
    if (!(await t.networkByName('none'))) await t.insertNetwork(base('none', 'null'), 'ready');
  });
}
