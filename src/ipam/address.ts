// IP addresses and CIDRs as values: parse, format, compare, contain, overlap.
// Everything is a bigint so IPv4 and IPv6 share one code path (an IPv6 /64 has 2^64 hosts, far
// past Number's 2^53). Parsing follows Go's net.ParseIP/ParseCIDR, because Docker's accepted
// inputs and its error texts come from there: no leading zeros in IPv4 octets, no zones, a
// dotted quad allowed only as the last 32 bits of an IPv6 address.
import { internal, invalid } from '../errors.js';

export type Family = 4 | 6;

export interface Ip {
  readonly family: Family;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: Family;
  readonly prefix: number;
  /** The masked network address; every computation uses this one. */
  readonly network: bigint;
  /** The address as written, host bits included (`10.64.0.5` of `10.64.0.5/24`). */
  readonly address: bigint;
  /**
   * The text as the user gave it. Docker stores and shows a subnet verbatim, host bits and all
   * (`"Subnet":"10.64.0.5/24"`), so display uses this and never the canonical form.
   */
  readonly text: string;
}

export const bitsOf = (family: Family): 32 | 128 => (family === 4 ? 32 : 128);

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** One pass over the characters (the IPAM walks a network's every lease through here). */
function parseV4(text: string): bigint | undefined {
  let value = 0;
  let octets = 0;
  let i = 0;
  while (octets < 4) {
    if (octets > 0) {
      if (text.charCodeAt(i) !== 0x2e) return undefined; // '.'
      i++;
    }
    const start = i;
    let n = 0;
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39 && i - start < 3; c = text.charCodeAt(++i)) n = n * 10 + c - 0x30;
    const digits = i - start;
    // Go refuses leading zeros ("01") and more than three digits; no digit at all is no octet.
    if (digits === 0 || n > 255 || (digits > 1 && text.charCodeAt(start) === 0x30)) return undefined;
    value = value * 256 + n;
    octets++;
  }
  return i === text.length ? BigInt(value) : undefined;
}

/** Parses the 16-bit groups of one side of `::`; a trailing dotted quad counts as two groups. */
function parseV6Groups(text: string, allowTrailingV4: boolean): bigint[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: bigint[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i === parts.length - 1 && allowTrailingV4 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (HEX_GROUP.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const head = parseV6Groups(halves[0] ?? '', false);
    const tail = parseV6Groups(halves[1] ?? '', true);
    if (head === undefined || tail === undefined) return undefined;
    // `::` stands for at least one zero group (RFC 4291 §2.2).
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  } else {
    const all = parseV6Groups(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** An address of either family, or undefined when the text is not one (never throws). */
export function tryParseIp(text: string): Ip | undefined {
  if (text.includes(':')) {
    const value = parseV6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4(text);
  return value === undefined ? undefined : { family: 4, value };
}

const PREFIX = /^[0-9]{1,3}$/;

/** `addr/prefix` of either family, host bits allowed (kept in `address` and `text`). */
export function tryParseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined; // Go's ParseCIDR needs the prefix: `10.70.0.0` is refused
  const ip = tryParseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !PREFIX.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bitsOf(ip.family)) return undefined;
  return { family: ip.family, prefix, network: ip.value & maskOf(ip.family, prefix), address: ip.value, text };
}

/** A network's subnet; the error is Docker's daemon text, e.g. for `10.70.0.0/33`. */
export function parseSubnet(text: string): Cidr {
  const cidr = tryParseCidr(text);
  if (cidr === undefined) {
    throw invalid(`Invalid subnet ${text} : invalid CIDR address: ${text}`, 'ipam.invalidSubnet');
  }
  return cidr;
}

/** Builds a CIDR from an address and a prefix; host bits are cleared and the text is canonical. */
export function makeCidr(ip: Ip, prefix: number): Cidr {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bitsOf(ip.family)) {
    throw internal(`prefix /${prefix} is out of range for IPv${ip.family}`);
  }
  const network = ip.value & maskOf(ip.family, prefix);
  return { family: ip.family, prefix, network, address: network, text: `${formatIp({ family: ip.family, value: network })}/${prefix}` };
}

function maskOf(family: Family, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return (all >> BigInt(prefix)) ^ all;
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

// RFC 5952, which is also what Go prints: lowercase, no leading zeros, the longest run of two or
// more zero groups becomes `::` (the first one on a tie), a lone zero group stays `0`.
function formatV6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // IPv4-mapped addresses keep their dotted tail (`::ffff:1.2.3.4`), as RFC 5952 §5 recommends.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatV4(value & 0xffffffffn)}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a run must be longer than this to be compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The canonical text of an address (dotted quad, or RFC 5952 for IPv6). */
export function formatIp(ip: Ip): string {
  return ip.family === 4 ? formatV4(ip.value) : formatV6(ip.value);
}

/** The canonical masked form, `10.64.0.0/24` for a subnet given as `10.64.0.5/24`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(networkAddress(cidr))}/${cidr.prefix}`;
}

/** How many addresses the CIDR spans. */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(bitsOf(cidr.family) - cidr.prefix);
}

/** The first address (all host bits clear). */
export function networkAddress(cidr: Cidr): Ip {
  return { family: cidr.family, value: cidr.network };
}

/** The last address (all host bits set): the IPv4 broadcast; IPv6 has none but the span ends here. */
export function broadcastAddress(cidr: Cidr): Ip {
  return { family: cidr.family, value: lastValue(cidr) };
}

function lastValue(cidr: Cidr): bigint {
  return cidr.network + cidrSize(cidr) - 1n;
}

export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  return cidr.family === ip.family && ip.value >= cidr.network && ip.value <= lastValue(cidr);
}

/** True when `inner` lies entirely inside `outer` (equal counts). */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && inner.network >= outer.network && lastValue(inner) <= lastValue(outer);
}

/** Aligned blocks either nest or are disjoint, so overlap means one contains the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network <= lastValue(b) && b.network <= lastValue(a);
}

/** The address `offset` places after `ip`; leaving the family's address space is a bug (internal). */
export function addOffset(ip: Ip, offset: bigint | number): Ip {
  const value = ip.value + BigInt(offset);
  if (value < 0n || value >= 1n << BigInt(bitsOf(ip.family))) {
    throw internal(`address ${formatIp(ip)} + ${offset} leaves the IPv${ip.family} space`);
  }
  return { family: ip.family, value };
}

/** Orders IPv4 before IPv6, then numerically. */
export function compareIp(a: Ip, b: Ip): -1 | 0 | 1 {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function ipEquals(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.value === b.value;
}

/** Orders by family, then network address, then prefix (shorter first). */
export function compareCidr(a: Cidr, b: Cidr): -1 | 0 | 1 {
  const byNetwork = compareIp(networkAddress(a), networkAddress(b));
  if (byNetwork !== 0) return byNetwork;
  return a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0;
}
