// Routed prefixes from /proc/net/route and /proc/net/ipv6_route (the main table of the reading
// process's namespace), as CIDR text. The default route and single-host routes are left out:
// only a routed network can overlap a pool.

/** /proc/net/route: destination and mask are 32-bit hex in host (little-endian) byte order. */
export function parseProcRoutes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dst = Number.parseInt(f[1]!, 16);
    const mask = Number.parseInt(f[7]!, 16);
    const prefix = popcount(mask);
    if (Number.isNaN(dst) || prefix === 0 || prefix === 32) continue;
    out.push(`${[0, 8, 16, 24].map((s) => (dst >>> s) & 0xff).join('.')}/${prefix}`);
  }
  return out;
}

/** /proc/net/ipv6_route: 32 hex digits of destination, then the prefix length in hex. */
export function parseProcIpv6Routes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || !/^[0-9a-f]{32}$/.test(f[0]!)) continue;
    const prefix = Number.parseInt(f[1]!, 16);
    if (prefix === 0 || prefix === 128) continue;
    const groups = f[0]!.match(/.{4}/g)!.map((g) => Number.parseInt(g, 16).toString(16));
    out.push(`${compress(groups)}/${prefix}`);
  }
  return out;
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v; v >>>= 1) c += v & 1;
  return c;
}

/** RFC 5952 text: the longest run of two or more zero groups becomes `::`. */
function compress(groups: string[]): string {
  let best = -1;
  let len = 0;
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > len && j - i >= 2) [best, len] = [i, j - i];
    i = j > i ? j : i + 1;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + len).join(':')}`;
}
