// Natural ordering as in github.com/fvbommel/sortorder.NaturalLess, which docker uses to sort
// `network ls` by name: digits sort before other characters and runs of digits compare by value,
// so `ref-net`, `ref-net2`, `ref-net-aux` (not byte order). Compared bytewise on UTF-8, like Go.

const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;

export function naturalLess(a: string, b: string): boolean {
  const s1 = Buffer.from(a);
  const s2 = Buffer.from(b);
  let i1 = 0;
  let i2 = 0;
  while (i1 < s1.length && i2 < s2.length) {
    const c1 = s1[i1] as number;
    const c2 = s2[i2] as number;
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1; // digits before other characters
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i1++;
      i2++;
      continue;
    }
    // Both at a run of digits: skip leading zeros, then compare by length, then digits.
    while (s1[i1] === 0x30) i1++;
    while (s2[i2] === 0x30) i2++;
    const nz1 = i1;
    const nz2 = i2;
    while (isDigit(s1[i1])) i1++;
    while (isDigit(s2[i2])) i2++;
    const len1 = i1 - nz1;
    const len2 = i2 - nz2;
    if (len1 !== len2) return len1 < len2;
    const n1 = s1.subarray(nz1, i1).toString('latin1');
    const n2 = s2.subarray(nz2, i2).toString('latin1');
    if (n1 !== n2) return n1 < n2;
    // Equal value: fewer leading zeros first.
    if (nz1 !== nz2) return nz1 < nz2;
  }
  // Identical so far: the shorter string sorts first (Go compares the whole lengths).
  return s1.length < s2.length;
}

/** Comparator for Array.prototype.sort. */
export function naturalCompare(a: string, b: string): number {
  if (naturalLess(a, b)) return -1;
  if (naturalLess(b, a)) return 1;
  return 0;
}
