// The firewall contract the engine programs: per-network NAT and isolation, published ports, and
// self-healing. NftFirewaller implements it with one nftables table; NoFirewaller is dockerd's
// `--iptables=false` (nothing managed). Values arrive typed (Ip/Cidr from ipam/address), so no
// user text can reach the ruleset.
import type { Cidr, Ip } from '../ipam/address.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

export const PROTOS: readonly Proto[] = ['tcp', 'udp', 'sctp'];

/** What the firewall needs to know about one bridge network. */
export interface FwNetwork {
  id: string;
  /** The Linux bridge (`br-<12 hex>`, `tether0`, or the `bridge.name` option). */
  bridge: string;
  /** IPv4 and IPv6 subnets of the network. */
  subnets: readonly Cidr[];
  /** `--internal`: nothing in or out except within the bridge, no masquerade. */
  internal: boolean;
  /** `com.docker.network.bridge.enable_icc`: false drops container-to-container traffic on the bridge. */
  icc: boolean;
  /** `com.docker.network.bridge.enable_ip_masquerade`: SNAT egress from the subnet. */
  masquerade: boolean;
}

/**
 * One published port: hostIp:hostPort/proto → containerIp:containerPort. The unspecified address
 * (0.0.0.0 or ::) means every local address of that family; hostIp and containerIp share a family
 * (netfilter cannot translate between them, see decisions.md). The engine resolves Docker's
 * defaults (`host_binding_ipv4`, IPv6 only where the container has IPv6) before calling.
 */
export interface PortMapping {
  networkId: string;
  proto: Proto;
  hostIp: Ip;
  hostPort: number;
  containerIp: Ip;
  containerPort: number;
}

export interface FirewallState {
  networks: readonly FwNetwork[];
  ports: readonly PortMapping[];
}

export interface Firewaller {
  /** Creates our table and the user chain (kept forever), enables forwarding when configured. */
  init(): Promise<void>;
  /** Adds or updates a network (idempotent). The bridge must exist (route_localnet is set on it). */
  setNetwork(net: FwNetwork): Promise<void>;
  /** Removes a network's rules; succeeds when it is unknown. Its ports should be removed first. */
  removeNetwork(id: string): Promise<void>;
  /** Publishes ports (idempotent); a host address+port already mapped elsewhere is a conflict. */
  addPorts(ports: readonly PortMapping[]): Promise<void>;
  /** Unpublishes ports by host address, proto and port; unknown ones are ignored. */
  removePorts(ports: readonly PortMapping[]): Promise<void>;
  /** Replaces everything with this state in one atomic batch (the user chain is kept). */
  reconcile(state: FirewallState): Promise<void>;
  /** Starts watching the kernel and restores our rules when someone else changes or flushes them. */
  watch(): Promise<void>;
  /** Stops watching; leaves the rules in place (containers keep working across restarts). */
  close(): Promise<void>;
}

/** dockerd's `--iptables=false`: the daemon manages no firewall rules at all. */
export class NoFirewaller implements Firewaller {
  async init(): Promise<void> {}
  async setNetwork(): Promise<void> {}
  async removeNetwork(): Promise<void> {}
  async addPorts(): Promise<void> {}
  async removePorts(): Promise<void> {}
  async reconcile(): Promise<void> {}
  async watch(): Promise<void> {}
  async close(): Promise<void> {}
}
