// The fixed part of our nftables table: chains, their hooks and priorities, and rules that only
// look things up in the sets and maps of elements.ts. The rules never change with the number of
// networks or ports; a rebuild flushes and refills our chains and sets in one atomic batch and
// never deletes the table, so the user chain and its rules survive.
//
// Chains (table inet <name>):
//   nat-prerouting   nat    prerouting  dstnat (-100)  DNAT published ports for traffic from
//                                                      outside and from containers (hairpin);
//                                                      never for 127.0.0.0/8 or ::1 destinations,
//                                                      so loopback publishes stay host-only.
//   nat-output       nat    output      -100           DNAT for connections from the host itself
//                                                      (127.0.0.1 and host addresses; ::1 is
//                                                      relayed by tetherd instead).
//   nat-postrouting  nat    postrouting srcnat (100)   masquerade: egress of masqueraded subnets,
//                                                      hairpin on the same bridge, loopback clients.
//   forward          filter forward     filter (0)     user chain first, then same-network,
//                                                      internal, isolation and Docker 28's "only
//                                                      published or established traffic enters a
//                                                      bridge".
//   input            filter input       filter (0)     close the hole route_localnet opens on our
//                                                      bridges (new traffic to 127.0.0.0/8 from them).
//   user             regular chain, DOCKER-USER's role: created once, never flushed by us.
//   published4/6     regular chains holding the DNAT map lookups.
import { invalid } from '../../errors.js';
import type { FirewallState } from '../firewaller.js';
import { elementLines, networkElements, openElements, portElement, SETS, type SetName } from './elements.js';

export const USER_CHAIN = 'user';

const TABLE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** Checks a table name from the daemon's configuration (`--firewall-table`). */
export function tableName(name: string): string {
  if (!TABLE.test(name)) throw invalid(`invalid firewall table name ${JSON.stringify(name)}`, 'firewall.table');
  return name;
}

const BASE_CHAINS = {
  'nat-prerouting': 'type nat hook prerouting priority dstnat; policy accept;',
  'nat-output': 'type nat hook output priority -100; policy accept;',
  'nat-postrouting': 'type nat hook postrouting priority srcnat; policy accept;',
  forward: 'type filter hook forward priority filter; policy accept;',
  input: 'type filter hook input priority filter; policy accept;',
} as const;

const RULES: Record<string, readonly string[]> = {
  published4: [
    'dnat ip to ip daddr . meta l4proto . th dport map @ports4_addr',
    'dnat ip to meta l4proto . th dport map @ports4_any',
  ],
  published6: [
    'dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6_addr',
    'dnat ip6 to meta l4proto . th dport map @ports6_any',
  ],
  'nat-prerouting': [
    'ip daddr != 127.0.0.0/8 fib daddr type local jump published4',
    'ip6 daddr != ::1 fib daddr type local jump published6',
  ],
  'nat-output': [
    'meta nfproto ipv4 fib daddr type local jump published4',
    // Not ::1: IPv6 has no route_localnet, so a ::1 source cannot follow a DNAT out of `lo`.
    // Those clients reach tetherd's socket holding the port, which relays them (family-proxy.ts).
    'ip6 daddr != ::1 fib daddr type local jump published6',
  ],
  'nat-postrouting': [
    // A container reaching a published port of its own network through a host address: without
    // SNAT the reply would go container-to-container and skip the reverse NAT.
    'ct status dnat oifname . ip saddr @bridge_nets4 masquerade',
    'ct status dnat oifname . ip6 saddr @bridge_nets6 masquerade',
    // Host clients on 127.0.0.1: the container cannot answer a loopback source.
    'ct status dnat ip saddr 127.0.0.0/8 masquerade',
    'ip saddr @masq4 oifname != @bridges masquerade',
    'ip6 saddr @masq6 oifname != @bridges masquerade',
  ],
  forward: [
    `jump ${USER_CHAIN}`,
    // Same bridge in and out: hairpin to a published port (routed), or bridged traffic that
    // br_netfilter shows us. icc=false drops the latter.
    'iifname . oifname @bridge_self ct status dnat accept',
    'iifname . oifname @bridge_self iifname @icc_off drop',
    'iifname . oifname @bridge_self accept',
    'iifname @internal drop',
    'oifname @internal drop',
    'oifname @bridges ct state established,related accept',
    'oifname @bridges ct status dnat accept',
    // A neighbour routing to a published container port (not from another network: isolation).
    'iifname != @bridges oifname @bridges ip daddr . meta l4proto . th dport @open4 accept',
    'iifname != @bridges oifname @bridges ip6 daddr . meta l4proto . th dport @open6 accept',
    // Another network, or a neighbour routing to the subnet: not published, not welcome.
    'oifname @bridges drop',
  ],
  input: ['iifname @bridges ip daddr 127.0.0.0/8 ct state new,invalid drop'],
};

/** Our chains in an order where every jump target is declared before the rule that jumps. */
const OUR_CHAINS = ['published4', 'published6', ...Object.keys(BASE_CHAINS)];

/** Names of the chains, sets and maps we own (and rewrite) in the table; the user chain is not one. */
export const OWNED_OBJECTS: readonly string[] = [...OUR_CHAINS, ...Object.keys(SETS)];

/** nft wants `map` for the port maps in declarations and flushes. */
const kind = (s: SetName): 'map' | 'set' => (s.startsWith('ports') ? 'map' : 'set');

function chainDeclaration(table: string, chain: string): string {
  const spec = (BASE_CHAINS as Record<string, string>)[chain];
  return spec === undefined ? `add chain inet ${table} ${chain}` : `add chain inet ${table} ${chain} { ${spec} }`;
}

/**
 * The whole table from a state, as one `nft -f -` batch: declare (idempotent), flush our chains
 * and sets, refill. The user chain is declared (so it exists) but never flushed.
 */
export function rebuildBatch(table: string, state: FirewallState): string {
  const t = tableName(table);
  const sets = Object.keys(SETS) as SetName[];
  const elements = [...state.networks.flatMap(networkElements), ...state.ports.map(portElement), ...openElements(state.ports)];
  return [
    `add table inet ${t}`,
    `add chain inet ${t} ${USER_CHAIN}`,
    ...sets.map((s) => `add ${kind(s)} inet ${t} ${s} { ${SETS[s]} }`),
    ...OUR_CHAINS.map((c) => chainDeclaration(t, c)),
    ...OUR_CHAINS.map((c) => `flush chain inet ${t} ${c}`),
    ...sets.map((s) => `flush ${kind(s)} inet ${t} ${s}`),
    ...OUR_CHAINS.flatMap((c) => (RULES[c] ?? []).map((r) => `add rule inet ${t} ${c} ${r}`)),
    ...elementLines(t, 'add', elements),
    '',
  ].join('\n');
}
