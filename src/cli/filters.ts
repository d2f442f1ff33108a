// docker's filters.Args on the wire: `{"key":{"value":true}}`, keys sorted bytewise as Go marshals
// maps (built as text: a JS object would move integer-like keys first), omitted when empty. Items
// come from a `filter` flag as normalised `key=value` strings.

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function filtersQuery(items: string[]): string | undefined {
  if (items.length === 0) return undefined;
  const byKey = new Map<string, Set<string>>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const set = byKey.get(item.slice(0, eq)) ?? new Set<string>();
    set.add(item.slice(eq + 1));
    byKey.set(item.slice(0, eq), set);
  }
  const entries = [...byKey.keys()].sort(byteOrder).map((k) => {
    const vals = [...(byKey.get(k) as Set<string>)].sort(byteOrder);
    return `${JSON.stringify(k)}:{${vals.map((v) => `${JSON.stringify(v)}:true`).join(',')}}`;
  });
  return `{${entries.join(',')}}`;
}
