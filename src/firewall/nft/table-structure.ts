// What our part of the table looks like, read back from `nft -t list table` (terse: no set
// elements). Comparing it with the listing taken right after our last rebuild tells whether
// someone flushed, deleted or edited our chains, while ignoring the user chain and anything
// else a user keeps in our table.
import { OWNED_OBJECTS } from './ruleset.js';

const BLOCK_START = /^\t(?:chain|set|map) (\S+) \{$/;

/** The listing's blocks for the objects we own, in a fixed order, with a marker for each missing one. */
export function ownedStructure(listing: string): string {
  const blocks = new Map<string, string>();
  const lines = listing.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = BLOCK_START.exec(lines[i] ?? '');
    if (m === null) continue;
    const start = i;
    while (i < lines.length && lines[i] !== '\t}') i++;
    blocks.set(m[1] ?? '', lines.slice(start, i + 1).join('\n'));
  }
  return OWNED_OBJECTS.map((name) => blocks.get(name) ?? `<missing ${name}>`).join('\n');
}
