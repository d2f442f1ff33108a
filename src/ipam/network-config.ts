// Validating and normalising the IPAM part of a network create (`IPAM.Config` entries) the way
// Docker does (reference 03, 06), into typed PoolConfigs the allocators work on. Stateless: the
// checks against other networks (overlap) and the choice of pool subnets live in
// subnet-allocator.ts and network-plan.ts.
//
// Where Docker 20.10 accepted nonsense (an ip-range outside its subnet, an unparsable aux
// address) we refuse with 400 and a message naming the field, as later Docker does
// (decisions.md: follow later fixes). Messages are Docker's wherever the reference has one.
import { invalid } from '../errors.js';
import type { PoolConfigRecord } from '../model/network.js';
import {
  type Cidr,
  type Family,
  type Ip,
  broadcastAddress,
  cidrContains,
  cidrContainsCidr,
  formatIp,
  ipEquals,
  makeCidr,
  networkAddress,
  parseSubnet,
  tryParseCidr,
  tryParseIp,
} from './address.js';

/** One `IPAM.Config` entry as the API (or `--subnet/--ip-range/--gateway/--aux-address`) gives it. */
export interface IpamConfigInput {
  readonly subnet?: string;
  readonly ipRange?: string;
  readonly gateway?: string;
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

export interface IpamRequest {
  readonly configs: readonly IpamConfigInput[];
  readonly enableIPv6: boolean;
  /** Docker 28's EnableIPv4; absent means true. */
  readonly enableIPv4?: boolean;
}

/** One normalised subnet of a network. */
export interface PoolConfig {
  readonly family: Family;
  /** `subnet.text` is what inspect shows (verbatim, host bits included). */
  readonly subnet: Cidr;
  /** Dynamic addresses come from here; static ones may lie anywhere in the subnet (Docker). */
  readonly ipRange?: Cidr;
  readonly gateway: Ip;
  /** Given with `--gateway`: inspect shows Gateway only when explicit or poolAssigned. */
  readonly gatewayExplicit: boolean;
  /** The subnet came from the default pools rather than from `--subnet`. */
  readonly poolAssigned: boolean;
  /**
   * False for an IPv6 subnet on a network without EnableIPv6: Docker keeps and shows it but
   * allocates nothing from it (no overlap check, no container addresses).
   */
  readonly active: boolean;
  /** Reserved addresses by name, in the order given. */
  readonly auxAddresses: ReadonlyMap<string, Ip>;
}

export interface ValidatedIpam {
  /** The explicit subnets, IPv4 first then IPv6 (Docker's order), each in request order. */
  readonly pools: readonly PoolConfig[];
  /** IPv4 is enabled and no IPv4 subnet was given: the caller must allocate one from the pools. */
  readonly needsV4Pool: boolean;
  /** IPv6 is enabled and no IPv6 subnet was given: one comes from the ULA (or configured) pool. */
  readonly needsV6Pool: boolean;
}

/** Docker's text for a `--gateway`/`--ip-range` without a subnet to belong to (its CLI check). */
const NO_SUBNET = 'every ip-range or gateway must have a corresponding subnet';

export interface ParsedEntry {
  readonly input: IpamConfigInput;
  readonly subnet: Cidr;
}

/**
 * Parses every entry's subnet (Docker does this first, before touching any pool) and groups the
 * entries by family. An entry that is entirely empty means "pick a subnet for me" and is
 * dropped; one with a gateway, range or aux address but no subnet is refused.
 */
export function parseIpamEntries(configs: readonly IpamConfigInput[]): { v4: ParsedEntry[]; v6: ParsedEntry[] } {
  const v4: ParsedEntry[] = [];
  const v6: ParsedEntry[] = [];
  for (const input of configs) {
    if (input.subnet === undefined || input.subnet === '') {
      const hasAux = Object.keys(input.auxAddresses ?? {}).length > 0;
      if (input.gateway || input.ipRange || hasAux) throw invalid(NO_SUBNET, 'ipam.noSubnet');
      continue;
    }
    const subnet = parseSubnet(input.subnet);
    (subnet.family === 4 ? v4 : v6).push({ input, subnet });
  }
  return { v4, v6 };
}

/** Validates one explicit entry: ip-range, gateway and aux addresses against its subnet. */
export function normaliseEntry(entry: ParsedEntry, active: boolean): PoolConfig {
  const { input, subnet } = entry;
  const ipRange = input.ipRange ? parseRange(input.ipRange, subnet) : undefined;
  let gateway: Ip;
  if (input.gateway) {
    gateway = parseGateway(input.gateway, subnet);
  } else {
    // Docker asks the pool for "any address" for the gateway, which comes from the ip-range when
    // there is one: subnet 10.2.0.0/16 with range 10.2.5.0/24 gets gateway 10.2.5.0 (reference 03).
    const first = firstHostAddress(subnet, ipRange);
    if (first === undefined) throw invalid('failed to allocate gateway: no available addresses on this pool', 'ipam.noGateway');
    gateway = first;
  }
  const auxAddresses = parseAux(input.auxAddresses ?? {}, subnet, gateway);
  return { family: subnet.family, subnet, ...(ipRange ? { ipRange } : {}), gateway, gatewayExplicit: Boolean(input.gateway), poolAssigned: false, active, auxAddresses };
}

/** The PoolConfig of a subnet chosen from the default pools: gateway = first host (`.1`). */
export function poolAssignedConfig(subnet: Cidr): PoolConfig {
  const gateway = firstHostAddress(subnet, undefined);
  if (gateway === undefined) throw invalid(`default pool subnet ${subnet.text} has no host addresses`, 'ipam.noGateway');
  return { family: subnet.family, subnet, gateway, gatewayExplicit: false, poolAssigned: true, active: true, auxAddresses: new Map() };
}

/**
 * The whole request, checked without any state: returns the explicit subnets and which families
 * need a pool subnet. network-plan.ts runs the same steps in Docker's order so that a failure
 * after a pool subnet was chosen still moves the cursor.
 */
export function validateIpamRequest(req: IpamRequest): ValidatedIpam {
  const { v4, v6 } = parseIpamEntries(req.configs);
  const enableIPv4 = req.enableIPv4 ?? true;
  const pools = [...v4.map((e) => normaliseEntry(e, enableIPv4)), ...v6.map((e) => normaliseEntry(e, req.enableIPv6))];
  return { pools, needsV4Pool: enableIPv4 && v4.length === 0, needsV6Pool: req.enableIPv6 && v6.length === 0 };
}

function parseRange(text: string, subnet: Cidr): Cidr {
  const range = tryParseCidr(text);
  if (range === undefined) throw invalid(`Invalid ip-range ${text} : invalid CIDR address: ${text}`, 'ipam.invalidRange');
  // Docker masks the range (net.ParseCIDR); only the masked block has to fit in the subnet.
  const masked = { ...makeCidr({ family: range.family, value: range.network }, range.prefix), text };
  if (!cidrContainsCidr(subnet, masked)) throw invalid(`no matching subnet for range ${text}`, 'ipam.rangeOutsideSubnet');
  return masked;
}

function parseGateway(text: string, subnet: Cidr): Ip {
  const gateway = tryParseIp(text);
  if (gateway === undefined) throw invalid(`invalid gateway address ${text} in Ipam configuration`, 'ipam.invalidGateway');
  if (!cidrContains(subnet, gateway)) {
    throw invalid(`failed to allocate gateway (${text}): Requested address is out of range`, 'ipam.gatewayOutOfRange');
  }
  if (isReserved(subnet, gateway)) throw invalid(`failed to allocate gateway (${text}): Address already in use`, 'ipam.gatewayReserved');
  return gateway;
}

// Docker reserves aux addresses after the gateway, so an aux address equal to the gateway (given
// or defaulted), to another aux address, or to the network/broadcast address is already in use.
function parseAux(aux: Readonly<Record<string, string>>, subnet: Cidr, gateway: Ip): Map<string, Ip> {
  const out = new Map<string, Ip>();
  for (const [name, text] of Object.entries(aux)) {
    const ip = tryParseIp(text);
    if (ip === undefined) throw invalid(`non parsable secondary ip address (${name}:${text})`, 'ipam.invalidAux');
    if (!cidrContains(subnet, ip)) throw invalid(`no matching subnet for aux-address ${text}`, 'ipam.auxOutsideSubnet');
    const clash = isReserved(subnet, ip) || ipEquals(ip, gateway) || [...out.values()].some((other) => ipEquals(other, ip));
    if (clash) throw invalid(`failed to allocate secondary ip address (${name}:${text}): Address already in use`, 'ipam.auxInUse');
    out.set(name, ip);
  }
  return out;
}

/**
 * The addresses no endpoint or gateway can have: the subnet's network address (both families,
 * so an IPv6 bridge gets `::1`) and, for IPv4, its broadcast address.
 */
export function isReserved(subnet: Cidr, ip: Ip): boolean {
  if (ipEquals(ip, networkAddress(subnet))) return true;
  return subnet.family === 4 && ipEquals(ip, broadcastAddress(subnet));
}

/**
 * The lowest address of the range (or subnet) that is not reserved, if any. Only the subnet's
 * first address can be reserved at the start of a span, so two steps always suffice.
 */
function firstHostAddress(subnet: Cidr, range: Cidr | undefined): Ip | undefined {
  const span = range ?? subnet;
  const last = broadcastAddress(span).value;
  for (let value = span.network; value <= last && value <= span.network + 1n; value++) {
    const ip: Ip = { family: subnet.family, value };
    if (!isReserved(subnet, ip)) return ip;
  }
  return undefined;
}

/** Docker's `IPAM.Config` entry for inspect: keys Subnet, IPRange, Gateway, AuxiliaryAddresses in that order. */
export interface DockerIpamConfig {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/**
 * The inspect shape. Gateway appears only when it was given or the subnet came from the pools
 * (an explicit `--subnet` alone shows no Gateway although the bridge gets `.1`); aux keys are
 * sorted, as Go's JSON encoder sorts map keys.
 */
export function inspectIpamConfig(pool: PoolConfig): DockerIpamConfig {
  const out: DockerIpamConfig = { Subnet: pool.subnet.text };
  if (pool.ipRange) out.IPRange = pool.ipRange.text;
  if (pool.gatewayExplicit || pool.poolAssigned) out.Gateway = formatIp(pool.gateway);
  if (pool.auxAddresses.size > 0) {
    const names = [...pool.auxAddresses.keys()].sort();
    out.AuxiliaryAddresses = Object.fromEntries(names.map((n) => [n, formatIp(pool.auxAddresses.get(n) as Ip)]));
  }
  return out;
}

/** The plain-JSON form for the store. */
export function poolConfigToRecord(pool: PoolConfig): PoolConfigRecord {
  return {
    family: pool.family,
    subnet: pool.subnet.text,
    ...(pool.ipRange ? { ipRange: pool.ipRange.text } : {}),
    gateway: formatIp(pool.gateway),
    gatewayExplicit: pool.gatewayExplicit,
    poolAssigned: pool.poolAssigned,
    active: pool.active,
    auxAddresses: Object.fromEntries([...pool.auxAddresses].map(([n, ip]) => [n, formatIp(ip)])),
  };
}

/** Reads a stored record back; it was validated on the way in, so a bad one is corrupt state. */
export function poolConfigFromRecord(rec: PoolConfigRecord): PoolConfig {
  const subnet = parseSubnet(rec.subnet);
  const ipRange = rec.ipRange === undefined ? undefined : parseRange(rec.ipRange, subnet);
  const gateway = tryParseIp(rec.gateway);
  if (gateway === undefined) throw invalid(`stored gateway ${rec.gateway} is not an address`, 'ipam.corruptRecord');
  const auxAddresses = new Map<string, Ip>();
  for (const [name, text] of Object.entries(rec.auxAddresses)) {
    const ip = tryParseIp(text);
    if (ip === undefined) throw invalid(`stored aux address ${text} is not an address`, 'ipam.corruptRecord');
    auxAddresses.set(name, ip);
  }
  return {
    family: subnet.family,
    subnet,
    ...(ipRange ? { ipRange } : {}),
    gateway,
    gatewayExplicit: rec.gatewayExplicit,
    poolAssigned: rec.poolAssigned,
    active: rec.active,
    auxAddresses,
  };
}
