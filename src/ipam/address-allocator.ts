// Container (endpoint) addresses inside a network's PoolConfigs. Docker hands out the lowest free
// address of the ip-range (or the subnet) — a freed address comes back first, which is why a
// container that reconnects gets its old IP (reference 04) — and lets `--ip` take any free
// address of a user-configured subnet, even outside the ip-range. "Taken" is state the engine
// reads from its store and passes in; nothing is remembered here.
import { conflict, internal, invalid } from '../errors.js';
import { type Cidr, type Family, type Ip, broadcastAddress, cidrContains, formatIp, tryParseIp } from './address.js';
import { type PoolConfig, isReserved } from './network-config.js';

export interface NetworkRef {
  readonly name: string;
  readonly id: string;
}

/** Addresses already held by endpoints of the network, as text or values (either family). */
export type TakenAddresses = Iterable<string | Ip>;

export interface EndpointAddress {
  readonly address: Ip;
  readonly prefixLength: number;
  readonly gateway: Ip;
  readonly pool: PoolConfig;
}

export interface EndpointRequest {
  /** `--ip` / `IPAMConfig.IPv4Address`. */
  readonly ipv4?: string;
  /** `--ip6` / `IPAMConfig.IPv6Address`. */
  readonly ipv6?: string;
}

const IN_USE = 'Address already in use';

/** Taken addresses by family, as values: a walk over a thousand of them costs set lookups only. */
type TakenSets = Readonly<Record<Family, ReadonlySet<bigint>>>;

function takenSets(taken: TakenAddresses): TakenSets {
  const sets = { 4: new Set<bigint>(), 6: new Set<bigint>() };
  for (const item of taken) {
    const ip = typeof item === 'string' ? tryParseIp(item) : item;
    // The store only ever holds addresses this module produced; anything else is corrupt state.
    if (ip === undefined) throw internal(`taken address ${String(item)} is not an address`);
    sets[ip.family].add(ip.value);
  }
  return sets;
}

/**
 * A `--ip`/`--ip6` value. Docker's daemon message carries a stray `)` (`Invalid IPv4 address:
 * 10.1.1.999)`, reference 05); it is reproduced as recorded.
 */
export function parseRequestedAddress(text: string, family: Family): Ip {
  const ip = tryParseIp(text);
  if (ip === undefined || ip.family !== family) {
    throw invalid(`Invalid IPv${family} address: ${text})`, 'ipam.invalidAddress');
  }
  return ip;
}

/** What the pool itself holds: network/broadcast address, gateway and aux addresses. */
function heldByPool(pool: PoolConfig): Set<bigint> {
  const held = new Set([pool.subnet.network, pool.gateway.value, ...[...pool.auxAddresses.values()].map((aux) => aux.value)]);
  const broadcast = broadcastAddress(pool.subnet);
  if (isReserved(pool.subnet, broadcast)) held.add(broadcast.value);
  return held;
}

/**
 * A static address: it must lie in one of the network's (active) subnets of its family, else
 * Docker's 400 `Invalid address … It does not belong to any of this network's subnets`; an
 * address the pool holds or an endpoint has is `Address already in use` (409 here; see the
 * report — Docker's IPAM contract marks it Forbidden).
 */
export function reserveStaticAddress(pools: readonly PoolConfig[], ip: Ip, taken: TakenAddresses): EndpointAddress {
  return reserveIn(pools, ip, takenSets(taken));
}

/**
 * Checks the `--ip`/`--ip6` values of a request against the network's subnets, so that create
 * refuses what start would (Docker's message, 400).
 */
export function checkRequestedAddresses(pools: readonly PoolConfig[], req: EndpointRequest): void {
  if (req.ipv4) poolContaining(pools, parseRequestedAddress(req.ipv4, 4));
  if (req.ipv6) poolContaining(pools, parseRequestedAddress(req.ipv6, 6));
}

function poolContaining(pools: readonly PoolConfig[], ip: Ip): PoolConfig {
  const pool = pools.find((p) => p.active && p.family === ip.family && cidrContains(p.subnet, ip));
  if (pool === undefined) {
    throw invalid(`Invalid address ${formatIp(ip)}: It does not belong to any of this network's subnets`, 'ipam.addressOutsideNetwork');
  }
  return pool;
}

function reserveIn(pools: readonly PoolConfig[], ip: Ip, taken: TakenSets): EndpointAddress {
  const pool = poolContaining(pools, ip);
  if (heldByPool(pool).has(ip.value) || taken[ip.family].has(ip.value)) throw conflict(IN_USE, 'ipam.addressInUse');
  return { address: ip, prefixLength: pool.subnet.prefix, gateway: pool.gateway, pool };
}

/**
 * The lowest free address, trying the network's active pools of the family in order and moving
 * to the next when one is full, as libnetwork does; Docker's message when all are full.
 */
export function allocateDynamicAddress(
  pools: readonly PoolConfig[],
  family: Family,
  taken: TakenAddresses,
  network: NetworkRef,
): EndpointAddress {
  return allocateIn(pools, family, takenSets(taken)[family], network);
}

function allocateIn(pools: readonly PoolConfig[], family: Family, keys: ReadonlySet<bigint>, network: NetworkRef): EndpointAddress {
  for (const pool of pools) {
    if (!pool.active || pool.family !== family) continue;
    const address = lowestFree(pool, keys);
    if (address !== undefined) return { address, prefixLength: pool.subnet.prefix, gateway: pool.gateway, pool };
  }
  throw conflict(`no available IPv${family} addresses on this network's address pools: ${network.name} (${network.id})`, 'ipam.noAddresses');
}

/**
 * Walks the span from its start, skipping held and taken addresses. Each skipped address is in
 * the taken set or held by the pool, so this takes at most |taken| + |aux| + 3 steps even in an
 * IPv6 /64.
 */
function lowestFree(pool: PoolConfig, taken: ReadonlySet<bigint>): Ip | undefined {
  const span: Cidr = pool.ipRange ?? pool.subnet;
  const last = broadcastAddress(span).value;
  const held = heldByPool(pool);
  for (let value = span.network; value <= last; value++) {
    if (!held.has(value) && !taken.has(value)) return { family: pool.family, value };
  }
  return undefined;
}

/**
 * Both addresses of a new endpoint: IPv4 always (when the network has IPv4 subnets), IPv6 when
 * the network has active IPv6 subnets. Static requests follow Docker's daemon checks first:
 * parse, then "user configured subnets only". An `--ip6` on a network without active IPv6 is
 * ignored, as in Docker ("ipv6 address is not mandatory").
 */
export function allocateEndpoint(
  pools: readonly PoolConfig[],
  request: EndpointRequest,
  taken: TakenAddresses,
  network: NetworkRef,
): { ipv4?: EndpointAddress; ipv6?: EndpointAddress } {
  const wanted4 = request.ipv4 ? parseRequestedAddress(request.ipv4, 4) : undefined;
  const wanted6 = request.ipv6 ? parseRequestedAddress(request.ipv6, 6) : undefined;
  if ((wanted4 || wanted6) && !pools.some((p) => !p.poolAssigned)) {
    throw invalid(
      'user specified IP address is supported only when connecting to networks with user configured subnets',
      'ipam.staticOnPoolNetwork',
    );
  }
  const sets = takenSets(taken);
  const pick = (family: Family, wanted: Ip | undefined): EndpointAddress | undefined => {
    if (!pools.some((p) => p.active && p.family === family)) return undefined;
    return wanted ? reserveIn(pools, wanted, sets) : allocateIn(pools, family, sets[family], network);
  };
  const ipv4 = pick(4, wanted4);
  const ipv6 = pick(6, wanted6);
  return { ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) };
}

/**
 * Docker's container MAC on bridge networks is not random: `02:42:` + the four IPv4 bytes
 * (172.17.0.2 → 02:42:ac:11:00:02).
 */
export function macFromIPv4(addr: Ip | string): string {
  const ip = typeof addr === 'string' ? tryParseIp(addr) : addr;
  if (ip === undefined || ip.family !== 4) throw invalid(`Invalid IPv4 address: ${String(addr)}`, 'ipam.invalidAddress');
  const bytes = [24n, 16n, 8n, 0n].map((shift) => ((ip.value >> shift) & 0xffn).toString(16).padStart(2, '0'));
  return `02:42:${bytes.join(':')}`;
}
