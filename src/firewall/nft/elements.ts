// Set and map elements: the per-network and per-port part of the ruleset. Every change after
// the first rebuild is element adds/deletes in these, so the rule count stays constant however
// many networks and ports there are. Text is built only from typed values (Ip, Cidr, integer
// ports, checked interface names), never from user strings.
import { invalid } from '../../errors.js';
import { formatCidr, formatIp, type Ip } from '../../ipam/address.js';
import { ifname } from '../../kernel/names.js';
import { PROTOS, type FwNetwork, type PortMapping } from '../firewaller.js';

/** The sets and maps of our table, by the role they play in the rules (see ruleset.ts). */
export const SETS = {
  /** Every bridge of ours: isolation and "no direct routing" apply to traffic into these. */
  bridges: 'type ifname;',
  /** `<bridge> . <bridge>` pairs: traffic that leaves the bridge it came in on (same network). */
  bridge_self: 'type ifname . ifname;',
  /** `<bridge> . <subnet>`: a source leaving into its own network's bridge (postrouting has no iif). */
  bridge_nets4: 'type ifname . ipv4_addr; flags interval;',
  bridge_nets6: 'type ifname . ipv6_addr; flags interval;',
  /** Internal networks: nothing forwarded in or out. */
  internal: 'type ifname;',
  /** Networks with enable_icc=false. */
  icc_off: 'type ifname;',
  /** Subnets masqueraded when leaving through a non-bridge interface. */
  masq4: 'type ipv4_addr; flags interval;',
  masq6: 'type ipv6_addr; flags interval;',
  /** Published on every local address: proto . host port → container address . port. */
  ports4_any: 'type inet_proto . inet_service : ipv4_addr . inet_service;',
  ports6_any: 'type inet_proto . inet_service : ipv6_addr . inet_service;',
  /** Published on one host address: host address . proto . host port → container address . port. */
  ports4_addr: 'type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service;',
  ports6_addr: 'type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service;',
  /**
   * Container address . proto . port of a port published beyond loopback: a neighbour routing to
   * the subnet may reach it there too, as Docker's ACCEPT rule per published port allows.
   */
  open4: 'type ipv4_addr . inet_proto . inet_service;',
  open6: 'type ipv6_addr . inet_proto . inet_service;',
} as const;

export type SetName = keyof typeof SETS;

/** One element: `key` alone for a set, `key : value` for a map. */
export interface Element {
  set: SetName;
  key: string;
  value?: string;
}

const quoted = (name: string): string => `"${ifname(name)}"`;

export function networkElements(net: FwNetwork): Element[] {
  const br = quoted(net.bridge);
  const out: Element[] = [
    { set: 'bridges', key: br },
    { set: 'bridge_self', key: `${br} . ${br}` },
  ];
  for (const subnet of net.subnets) {
    out.push({ set: subnet.family === 4 ? 'bridge_nets4' : 'bridge_nets6', key: `${br} . ${formatCidr(subnet)}` });
  }
  if (net.internal) out.push({ set: 'internal', key: br });
  if (!net.icc) out.push({ set: 'icc_off', key: br });
  if (net.masquerade && !net.internal) {
    for (const subnet of net.subnets) {
      out.push({ set: subnet.family === 4 ? 'masq4' : 'masq6', key: formatCidr(subnet) });
    }
  }
  return out;
}

function port(n: number, min: number, what: string): number {
  if (!Number.isInteger(n) || n < min || n > 65535) throw invalid(`invalid ${what}: ${n}`, 'firewall.port');
  return n;
}

const isUnspecified = (ip: Ip): boolean => ip.value === 0n;

/** The map element that publishes one port; its set+key is the port's identity. */
export function portElement(p: PortMapping): Element {
  if (!PROTOS.includes(p.proto)) throw invalid(`invalid proto: ${String(p.proto)}`, 'firewall.proto');
  if (p.hostIp.family !== p.containerIp.family) {
    throw invalid(
      `cannot publish IPv${p.hostIp.family} address ${formatIp(p.hostIp)} to IPv${p.containerIp.family} container address ${formatIp(p.containerIp)}`,
      'firewall.family',
    );
  }
  if (isUnspecified(p.containerIp)) throw invalid('container address is unspecified', 'firewall.containerIp');
  const proto = `${p.proto} . ${port(p.hostPort, 1, 'hostPort')}`;
  const value = `${formatIp(p.containerIp)} . ${port(p.containerPort, 0, 'containerPort')}`;
  const v4 = p.hostIp.family === 4;
  if (isUnspecified(p.hostIp)) return { set: v4 ? 'ports4_any' : 'ports6_any', key: proto, value };
  return { set: v4 ? 'ports4_addr' : 'ports6_addr', key: `${formatIp(p.hostIp)} . ${proto}`, value };
}

const LOOPBACK4 = 0x7fn; // 127.0.0.0/8, by its first octet
const isLoopback = (ip: Ip): boolean => (ip.family === 4 ? ip.value >> 24n === LOOPBACK4 : ip.value === 1n);

/**
 * The container ports reachable by routing, one element each however many host ports lead to
 * them: 127.0.0.1 publishes stay host-only.
 */
export function openElements(ports: Iterable<PortMapping>): Element[] {
  const byId = new Map<string, Element>();
  for (const p of ports) {
    if (isLoopback(p.hostIp)) continue;
    const e: Element = { set: p.containerIp.family === 4 ? 'open4' : 'open6', key: `${formatIp(p.containerIp)} . ${p.proto} . ${port(p.containerPort, 0, 'containerPort')}` };
    byId.set(elementId(e), e);
  }
  return [...byId.values()];
}

/** Identity of an element within our table (set + key, not the value). */
export const elementId = (e: Element): string => `${e.set} ${e.key}`;

/**
 * `add element` / `delete element` lines, one per set (one netlink message for thousands of
 * ports). Deletes carry only keys; adds carry the map values.
 */
export function elementLines(table: string, op: 'add' | 'delete', elements: readonly Element[]): string[] {
  const bySet = new Map<SetName, string[]>();
  for (const e of elements) {
    const text = op === 'add' && e.value !== undefined ? `${e.key} : ${e.value}` : e.key;
    const list = bySet.get(e.set) ?? [];
    list.push(text);
    bySet.set(e.set, list);
  }
  return [...bySet].map(([set, items]) => `${op} element inet ${table} ${set} { ${items.join(', ')} }`);
}
