// The ordered list of candidate subnets that networks without `--subnet` are carved from.
// Docker describes its pools as (base, size) pairs: "split base into /size blocks". A base of
// 10.0.0.0/8 split into /24s is 65 536 candidates (an IPv6 /48 into /64s as many), so the list
// stays as those pairs and a candidate is computed from its index on demand; nothing is
// materialised. The allocator's cursor is such an index.
import { createHash } from 'node:crypto';
import { invalid } from '../errors.js';
import { type Cidr, type Family, bitsOf, formatCidr, makeCidr, parseSubnet } from './address.js';

export interface PoolRange {
  /** The block being split (masked; `base.text` is canonical). */
  readonly base: Cidr;
  /** The prefix length of every candidate carved from `base`. */
  readonly size: number;
  /** How many candidates `base` yields: 2^(size - base.prefix). */
  readonly count: number;
}

/**
 * Candidates in order, grouped in tiers. A later tier is a fallback: it is only searched when
 * every candidate of the earlier tiers is in use, and each tier keeps its own next-fit position
 * (see subnet-allocator.ts). Docker has one tier; Tether's default list adds the extra pool as a
 * second one, so Docker's own sequence is unchanged as long as Docker would have succeeded.
 */
export interface PoolList {
  readonly ranges: readonly PoolRange[];
  /** The total number of candidates over all ranges. */
  readonly length: number;
  /** Candidate counts per tier, in order; they sum to `length` and split the ranges in order. */
  readonly tiers: readonly number[];
}

/**
 * One range. Cursors and indexes are Numbers, so a single list may hold at most 2^53 - 1
 * candidates (an IPv6 /8 split into /64s would not fit; nobody needs that).
 */
export function poolRange(base: string, size: number): PoolRange {
  const cidr = parseSubnet(base);
  const bits = bitsOf(cidr.family);
  if (!Number.isInteger(size) || size < cidr.prefix || size > bits) {
    throw invalid(
      `invalid default address pool ${base}: size ${size} must be between the base prefix /${cidr.prefix} and /${bits}`,
      'ipam.invalidDefaultPool',
    );
  }
  const count = 2 ** (size - cidr.prefix);
  if (!Number.isSafeInteger(count)) {
    throw invalid(`invalid default address pool ${base}: splitting into /${size} gives too many subnets`, 'ipam.invalidDefaultPool');
  }
  return { base: makeCidr({ family: cidr.family, value: cidr.network }, cidr.prefix), size, count };
}

/** A single-tier list, like every list dockerd builds. */
export function poolList(ranges: readonly PoolRange[]): PoolList {
  return tieredPoolList([ranges]);
}

/** A list whose tiers are searched in order, each only when all before it are full. */
export function tieredPoolList(tiers: ReadonlyArray<readonly PoolRange[]>): PoolList {
  const counts = tiers.map((ranges) => ranges.reduce((sum, r) => sum + r.count, 0));
  const length = counts.reduce((a, b) => a + b, 0);
  // The cursor packs one position per tier into a Number (subnet-allocator.ts), so the product
  // of the tier sizes must stay exact too.
  const product = counts.reduce((a, b) => a * Math.max(b, 1), 1);
  if (!Number.isSafeInteger(length) || !Number.isSafeInteger(product)) {
    throw invalid('the default address pools give too many subnets', 'ipam.invalidDefaultPool');
  }
  return { ranges: tiers.flat(), length, tiers: counts };
}

// Docker's built-in local-scope pools (libnetwork ipamutils), in Docker's order: fifteen /16s
// 172.17 … 172.31, then 192.168.0.0/16 as sixteen /20s. 172.17.0.0/16 is normally docker0's,
// which is why a fresh daemon's first user network gets 172.18.0.0/16.
const DOCKER_POOLS: ReadonlyArray<readonly [string, number]> = [
  ...Array.from({ length: 15 }, (_, i) => [`172.${17 + i}.0.0/16`, 16] as const),
  ['192.168.0.0/16', 20],
];

// Tether's addition (decisions.md, IPAM): Docker's pools give only 30 user networks; /24s from
// 10.210.0.0/16 follow so 50 concurrent creates succeed. `--default-address-pool` replaces it too.
const EXTRA_POOLS: ReadonlyArray<readonly [string, number]> = [['10.210.0.0/16', 24]];

const tier = (pairs: ReadonlyArray<readonly [string, number]>): PoolRange[] => pairs.map(([base, size]) => poolRange(base, size));

/** Docker's default pools, then Tether's extra pool as a fallback tier. */
export function defaultPools(): PoolList {
  return tieredPoolList([tier(DOCKER_POOLS), tier(EXTRA_POOLS)]);
}

/**
 * The daemon's own IPv6 pool, Docker 27's (moby #47853, ipamutils.DeriveULABaseNetwork): an
 * RFC 4193 ULA /48 whose 40-bit global id is the low 40 bits of the first 8 bytes of
 * sha256(host id), split into /64s. The same host id always gives the same /48, so networks keep
 * their prefix across restarts, and two hosts almost never share one.
 */
export function ulaPool(hostId: string): PoolRange {
  const globalId = createHash('sha256').update(hostId).digest().readBigUInt64BE(0) & ((1n << 40n) - 1n);
  const base = makeCidr({ family: 6, value: (0xfdn << 120n) | (globalId << 80n) }, 48);
  return poolRange(formatCidr(base), 64);
}

/**
 * The daemon's pool list: the configured pools (or the defaults) with IPv4 and IPv6 as separate
 * tiers, so each family keeps its own next-fit position in the cursor (a search skips the other
 * family's ranges). As in Docker 27, when no IPv6 pool is configured the ULA pool of `hostId` is
 * added, so `--ipv6` works without `--subnet`. The IPv4 tiers come first and keep their place in
 * the cursor, so cursors persisted before the IPv6 tier existed decode the same.
 */
export function daemonPools(configured: readonly PoolRange[], hostId: string): PoolList {
  const v4 = configured.filter((r) => r.base.family === 4);
  const v6 = configured.filter((r) => r.base.family === 6);
  const v4Tiers = configured.length === 0 ? [DOCKER_POOLS, EXTRA_POOLS].map(tier) : [v4];
  return tieredPoolList([...v4Tiers, v6.length > 0 ? v6 : [ulaPool(hostId)]].filter((t) => t.length > 0));
}

/** Docker's built-in pools alone (one tier): what dockerd itself uses. */
export function dockerDefaultPools(): PoolList {
  return poolList(tier(DOCKER_POOLS));
}

/**
 * One `--default-address-pool` value as dockerd takes it: comma-separated `key=value` fields,
 * keys `base` and `size` (case-insensitive), e.g. `base=10.10.0.0/16,size=24`. The messages
 * for malformed fields are dockerd's (opts.PoolsOpt).
 */
export function parseDefaultAddressPool(spec: string): PoolRange {
  let base: string | undefined;
  let size: number | undefined;
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) throw invalid(`invalid field '${field}' must be a key=value pair`, 'ipam.invalidDefaultPool');
    const key = field.slice(0, eq).trim().toLowerCase();
    const value = field.slice(eq + 1).trim().toLowerCase();
    if (key === 'base') {
      base = value;
    } else if (key === 'size') {
      if (!/^[+-]?[0-9]+$/.test(value)) {
        throw invalid(`invalid size value: "${value}" (must be integer)`, 'ipam.invalidDefaultPool');
      }
      size = Number(value);
    } else {
      throw invalid(`unexpected key '${key}' in '${field}'`, 'ipam.invalidDefaultPool');
    }
  }
  if (base === undefined || size === undefined) {
    throw invalid(`invalid default address pool '${spec}': both base and size are required`, 'ipam.invalidDefaultPool');
  }
  return poolRange(base, size);
}

/**
 * The pool list for the daemon: the defaults when no `--default-address-pool` is given,
 * otherwise exactly the given ones, in the given order, as one tier (they replace the extra
 * pool as well).
 */
export function parseDefaultAddressPools(specs: readonly string[]): PoolList {
  if (specs.length === 0) return defaultPools();
  return poolList(specs.map(parseDefaultAddressPool));
}

export interface PoolPosition {
  readonly range: PoolRange;
  /** Index of the range's first candidate within the list. */
  readonly rangeStart: number;
  /** Index of the candidate within its range. */
  readonly local: number;
}

/** Which range holds candidate `index` (0 ≤ index < list.length). */
export function locate(list: PoolList, index: number): PoolPosition {
  let start = 0;
  for (const range of list.ranges) {
    if (index < start + range.count) return { range, rangeStart: start, local: index - start };
    start += range.count;
  }
  throw invalid(`pool index ${index} is outside the ${list.length} candidates`, 'ipam.poolIndex');
}

/** The `local`-th /size block of a range. */
export function rangeCandidate(range: PoolRange, local: number): Cidr {
  const step = 1n << BigInt(bitsOf(range.base.family) - range.size);
  return makeCidr({ family: range.base.family, value: range.base.network + BigInt(local) * step }, range.size);
}

/** Candidate number `index` of the list. */
export function poolCandidate(list: PoolList, index: number): Cidr {
  const { range, local } = locate(list, index);
  return rangeCandidate(range, local);
}

/** Every candidate in order; lazy, so stopping early costs nothing. */
export function* poolCandidates(list: PoolList): Generator<Cidr> {
  for (const range of list.ranges) {
    for (let local = 0; local < range.count; local++) yield rangeCandidate(range, local);
  }
}

/** Whether the list has any candidate of the family (Docker's defaults have no IPv6 at all). */
export function hasFamily(list: PoolList, family: Family): boolean {
  return list.ranges.some((r) => r.base.family === family);
}

/**
 * Per range, the shape `GET /info` reports as DefaultAddressPools when `--default-address-pool`
 * is given (with the built-in defaults Docker reports `null`, reference 00).
 */
export function describePools(list: PoolList): Array<{ Base: string; Size: number }> {
  return list.ranges.map((r) => ({ Base: formatCidr(r.base), Size: r.size }));
}
