// What the engine needs from the firewall, in engine terms, and the adapter onto firewall/'s
// Firewaller (typed Ip/Cidr values, bridge names). `--iptables=false` plugs in NoFirewaller.
import { parseBridgeOptions } from '../drivers/bridge/options.js';
import type { FirewallState, Firewaller, FwNetwork, PortMapping } from '../firewall/firewaller.js';
import { tryParseCidr } from '../ipam/address.js';
import type { NetworkRecord } from '../model/network.js';

export interface Firewall {
  /** Our table exists (first thing at start-up, before networks are reconciled). */
  init(): Promise<void>;
  setNetwork(net: NetworkRecord): Promise<void>;
  removeNetwork(net: NetworkRecord): Promise<void>;
  addPorts(ports: readonly PortMapping[]): Promise<void>;
  removePorts(ports: readonly PortMapping[]): Promise<void>;
  /** Everything the store says, in one batch, then self-healing. */
  sync(networks: NetworkRecord[], ports: readonly PortMapping[]): Promise<void>;
  close(): Promise<void>;
}

/** Only bridge networks have rules; host and null networks have nothing to program. */
export function toFwNetwork(net: NetworkRecord): FwNetwork | undefined {
  if (net.driver !== 'bridge' || net.configOnly) return undefined;
  const o = parseBridgeOptions(net);
  return {
    id: net.id,
    bridge: o.bridgeName,
    subnets: net.pools.filter((p) => p.active).flatMap((p) => tryParseCidr(p.subnet) ?? []),
    internal: net.internal,
    icc: o.icc,
    masquerade: o.masquerade,
  };
}

export class FirewallAdapter implements Firewall {
  constructor(readonly fw: Firewaller) {}

  async setNetwork(net: NetworkRecord): Promise<void> {
    const fwn = toFwNetwork(net);
    if (fwn) await this.fw.setNetwork(fwn);
  }

  async removeNetwork(net: NetworkRecord): Promise<void> {
    await this.fw.removeNetwork(net.id);
  }

  addPorts(ports: readonly PortMapping[]): Promise<void> {
    return this.fw.addPorts(ports);
  }

  removePorts(ports: readonly PortMapping[]): Promise<void> {
    return this.fw.removePorts(ports);
  }

  init(): Promise<void> {
    return this.fw.init();
  }

  async sync(networks: NetworkRecord[], ports: readonly PortMapping[]): Promise<void> {
    const state: FirewallState = { networks: networks.flatMap((n) => toFwNetwork(n) ?? []), ports };
    await this.fw.reconcile(state);
    await this.fw.watch();
  }

  close(): Promise<void> {
    return this.fw.close();
  }
}
