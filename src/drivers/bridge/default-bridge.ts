// The default bridge network (`bridge`, Docker's docker0) as the daemon's flags describe it:
// --bip gives its subnet and gateway, --bridge the Linux bridge, --mtu its MTU.
import { formatIp, makeCidr, parseSubnet } from '../../ipam/address.js';
import type { DaemonConfig } from '../../model/config.js';
import type { PoolConfigRecord } from '../../model/network.js';
import { OPT } from './options.js';

export function defaultBridge(config: DaemonConfig): { pools: PoolConfigRecord[]; options: Record<string, string> } {
  const bip = parseSubnet(config.bip);
  const subnet = makeCidr({ family: bip.family, value: bip.address }, bip.prefix);
  return {
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
