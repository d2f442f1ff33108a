// Decisions of the records (answer.ts) remembered per sandbox and question until the records
// change: a repeated question — most of a container's lookups — skips the lookup and the
// encoding of its addresses, and leaves no garbage but its reply. Answers whose order rotates
// per query (several addresses for one name) are never kept.
import { decide, type AnswerContext, type Decision } from './answer.js';
import type { DnsRecords } from './records.js';
import type { Query } from './wire.js';

/** Enough for every name every sandbox asks for; a flood of made-up names only empties it. */
const MAX_ENTRIES = 4096;

export class AnswerCache {
  private readonly entries = new Map<string, Decision>();
  private version = -1;

  constructor(
    private readonly records: DnsRecords,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  decide(ctx: AnswerContext, query: Query, rotation: number): Decision {
    if (this.version !== this.records.version) {
      this.entries.clear();
      this.version = this.records.version;
    }
    // The sandbox id and numbers hold no space: the name, last, may hold anything.
    const key = `${ctx.sandboxId} ${query.type} ${query.qclass} ${query.name}`;
    const known = this.entries.get(key);
    if (known) return known;
    const d = decide(this.records, ctx, query, rotation);
    if (d.kind === 'notOurs' || !d.rotated) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, d);
    }
    return d;
  }
}
