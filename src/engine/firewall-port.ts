// What the engine needs from the firewall, in engine terms. firewall/ adapts its nft
// implementation to this; `--iptables=false` plugs in noFirewall.
import type { NetworkRecord } from './types.js';

export interface Firewall {
  setNetwork(net: NetworkRecord): Promise<void>;
  removeNetwork(net: NetworkRecord): Promise<void>;
}

export const noFirewall: Firewall = {
  setNetwork: async () => undefined,
  removeNetwork: async () => undefined,
};
