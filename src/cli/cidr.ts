// Just enough of Go's net.ParseIP / net.ParseCIDR / IPNet.Contains for the client-side checks
// `network create` performs before calling the daemon (docker's createIPAMConfig).

interface Addr {
  v4: boolean;
  value: bigint;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // Go rejects empty octets, values > 255 and (since 1.17) leading zeros.
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0')) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  let tail: bigint | undefined;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // Embedded IPv4 in the last 32 bits, e.g. ::ffff:10.0.0.1
    tail = parseV4(s.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0] as string);
  const rest = halves.length === 2 ? groups(halves[1] as string) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(`0x${g}`);
  }
  return tail === undefined ? v : (v & ~0xffffffffn) | tail;
}

/** net.ParseIP; IPv4-mapped IPv6 addresses count as IPv4, like Go's To4(). */
export function parseIP(s: string): Addr | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { v4: true, value: v4 };
  if (!s.includes(':')) return undefined;
  const v6 = parseV6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v4: true, value: v6 & 0xffffffffn };
  return { v4: false, value: v6 };
}

export interface IPNet {
  v4: boolean;
  network: bigint;
  prefix: number;
}

/** net.ParseCIDR: returns the address and its network, or throws Go's error text. */
export function parseCIDR(s: string): { ip: Addr; net: IPNet } {
  const slash = s.indexOf('/');
  const ip = slash < 0 ? undefined : parseIP(s.slice(0, slash));
  const mask = slash < 0 ? '' : s.slice(slash + 1);
  const bits = ip?.v4 ? 32 : 128;
  if (!ip || !/^\d+$/.test(mask) || Number(mask) > bits) throw new Error(`invalid CIDR address: ${s}`);
  const prefix = Number(mask);
  const hostBits = BigInt(bits - prefix);
  return { ip, net: { v4: ip.v4, network: (ip.value >> hostBits) << hostBits, prefix } };
}

export function contains(n: IPNet, ip: Addr | undefined): boolean {
  if (!ip || ip.v4 !== n.v4) return false;
  const hostBits = BigInt((n.v4 ? 32 : 128) - n.prefix);
  return ip.value >> hostBits === n.network >> hostBits;
}

/** net.IP.String(): dotted IPv4, or RFC 5952 IPv6 (longest zero run as `::`, lower-case hex). */
export function formatIP(ip: Addr): string {
  if (ip.v4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1; // a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}
