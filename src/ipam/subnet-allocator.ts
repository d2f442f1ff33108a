// Choosing a subnet for a network created without `--subnet`, and refusing explicit subnets that
// clash with existing networks.
//
// Docker's allocator is next-fit with a persistent cursor (reference 08), not lowest-free: each
// search starts at the candidate after the previously allocated one, skips candidates that
// overlap a subnet in use, wraps around once, and on success moves the cursor past what it took.
// A freed subnet is therefore not handed out again until the cursor comes round. The cursor is
// state the engine persists; this module only computes the next value.
import { forbidden, notFound } from '../errors.js';
import { type Cidr, type Family, bitsOf, cidrsOverlap } from './address.js';
import { type PoolList, locate, rangeCandidate } from './default-pools.js';

export interface SubnetRequest {
  readonly pools: PoolList;
  readonly family: Family;
  /** The subnets of every existing network (any family; other families are ignored). */
  readonly inUse: readonly Cidr[];
  /**
   * Destinations of the host's routes (decisions.md: skip any subnet that overlaps a route on
   * the host). A /0 — the default route — is ignored: it overlaps everything, and Docker's old
   * route check skipped it too (netlink reports it without a destination).
   */
  readonly hostRoutes?: readonly Cidr[];
  /** The persisted cursor (start with 0); opaque, see encodeCursor. */
  readonly cursor: number;
}

export interface SubnetChoice {
  readonly subnet: Cidr;
  /** Index of the chosen candidate in the pool list. */
  readonly index: number;
  /** The cursor to persist. */
  readonly cursor: number;
}

/** Docker's message (20.10 ipam allocator) when no candidate of the family is free. */
export function noPoolMessage(family: Family): string {
  return `could not find an available, non-overlapping IPv${family} address pool among the defaults to assign to the network`;
}

/**
 * The cursor holds one next-fit position per tier of the list (default-pools.ts), packed as
 * mixed-radix digits: position(tier 0) + len0 * (position(tier 1) + len1 * …). For a one-tier
 * list — anything built from `--default-address-pool`, and Docker's own — it is simply the index
 * of the candidate after the last one handed out, exactly Docker's predefinedStartIndex. Any
 * number decodes (digits are taken modulo each tier's size), so a cursor persisted under
 * another pool configuration is harmless.
 */
export function decodeCursor(pools: PoolList, cursor: number): number[] {
  let rest = Number.isSafeInteger(cursor) && cursor > 0 ? cursor : 0;
  return pools.tiers.map((size) => {
    if (size === 0) return 0;
    const digit = rest % size;
    rest = Math.floor(rest / size);
    return digit;
  });
}

export function encodeCursor(pools: PoolList, positions: readonly number[]): number {
  let cursor = 0;
  for (let t = pools.tiers.length - 1; t >= 0; t--) {
    const size = Math.max(pools.tiers[t] ?? 0, 1);
    cursor = cursor * size + ((positions[t] ?? 0) % size);
  }
  return cursor;
}

/**
 * Picks the next free candidate: within the first tier that has one, at or after that tier's
 * position, wrapping around once. On exhaustion it throws Docker's error (a NotFound error in
 * Docker, hence 404) and the cursor is unchanged, as in Docker, where a search that went all the
 * way round ends where it began. (A failed network create can still move the cursor: Docker
 * allocates the IPv4 pool first and does not undo the move when a later step fails —
 * network-plan.ts reproduces that.)
 */
export function allocatePoolSubnet(req: SubnetRequest): SubnetChoice {
  const { pools, family } = req;
  const blockers = [
    ...req.inUse.filter((c) => c.family === family),
    ...(req.hostRoutes ?? []).filter((c) => c.family === family && c.prefix > 0),
  ];
  const positions = decodeCursor(pools, req.cursor);
  let tierStart = 0;
  for (const [t, size] of pools.tiers.entries()) {
    const start = tierStart + (positions[t] ?? 0);
    const tierEnd = tierStart + size;
    // Two segments make the single wrap-around: [start, end of tier) then [start of tier, start).
    const found = scan(pools, family, blockers, start, tierEnd) ?? scan(pools, family, blockers, tierStart, start);
    if (found !== undefined) {
      positions[t] = (found.index + 1 - tierStart) % size;
      return { ...found, cursor: encodeCursor(pools, positions) };
    }
    tierStart = tierEnd;
  }
  throw notFound(noPoolMessage(family), 'ipam.noPool');
}

/**
 * Walks candidates from..to-1. Instead of stepping one candidate at a time past a blocker, it
 * jumps to the first candidate that starts after the blocker's end, so a route covering a /8 or
 * a long run of used subnets costs one step, and exhaustion of a 65 536-entry list is cheap.
 */
function scan(
  pools: PoolList,
  family: Family,
  blockers: readonly Cidr[],
  from: number,
  to: number,
): { subnet: Cidr; index: number } | undefined {
  let i = from;
  while (i < to) {
    const { range, rangeStart, local } = locate(pools, i);
    const rangeEnd = rangeStart + range.count;
    if (range.base.family !== family) {
      i = rangeEnd; // a whole range of the other family: skip it at once
      continue;
    }
    const subnet = rangeCandidate(range, local);
    let furthestEnd: bigint | undefined; // the last address of the blocker reaching furthest
    for (const b of blockers) {
      if (!cidrsOverlap(b, subnet)) continue;
      const end = b.network + (1n << BigInt(bitsOf(b.family) - b.prefix)) - 1n;
      if (furthestEnd === undefined || end > furthestEnd) furthestEnd = end;
    }
    if (furthestEnd === undefined) return { subnet, index: i };
    const step = 1n << BigInt(bitsOf(family) - range.size);
    const nextLocal = (furthestEnd - range.base.network) / step + 1n; // > local, as the blocker reaches subnet
    i = nextLocal >= BigInt(range.count) ? rangeEnd : rangeStart + Number(nextLocal);
  }
  return undefined;
}

/**
 * An explicit `--subnet` may not overlap (be equal to, inside, or around) any existing network's
 * subnet: Docker answers 403 `Pool overlaps with other one on this address space` (reference 06).
 * Host routes are deliberately not consulted — Docker accepts a subnet equal to the host's own
 * eth0 network.
 */
export function checkExplicitSubnet(subnet: Cidr, inUse: readonly Cidr[]): void {
  if (inUse.some((used) => cidrsOverlap(used, subnet))) {
    throw forbidden('Pool overlaps with other one on this address space', 'ipam.poolOverlap');
  }
}
