// One attempt of an optimistic transaction over etcd, as etcd's own STM (clientv3/concurrency,
// SerializableSnapshot) does it, plus range reads, which that STM lacks and our listings need.
// Reads come from one snapshot (the revision of the first read); writes are buffered and read
// back by later reads; commit() is a single etcd Txn whose compares say "nothing I read or write
// changed since my snapshot" and whose success branch holds every write. A failed compare means
// another client got in first: the caller runs the whole transaction again.
import { CompareResult, CompareTarget, type ICompare, type IRangeRequest, type IRangeResponse, type IRequestOp, type KVClient } from 'etcd3';
import { prefixEnd } from './keys.js';

type Write = { value: string; leased: boolean } | null;

export class EtcdTxn {
  /** The snapshot revision, fixed by the first read; later reads see the store as it was then. */
  private rev: number | undefined;
  /** key → mod_revision seen (0: absent); commit fails if any of them moved. */
  private readonly reads = new Map<string, number>();
  /** Prefixes listed; commit fails if a key in one was created or changed after the snapshot. */
  private readonly ranges = new Set<string>();
  /** Buffered writes, in order; null deletes. */
  private readonly writes = new Map<string, Write>();
  /** The first read while it is on its way: reads issued meanwhile wait for its revision. */
  private first: Promise<unknown> | undefined;

  /** call wraps every etcd request, to turn its failures into the store's own error. */
  constructor(
    private readonly kv: KVClient,
    private readonly call: <T>(request: () => Promise<T>) => Promise<T>,
  ) {}

  /** The snapshot revision: what was read is the store as of it (undefined before any read). */
  get revision(): number | undefined {
    return this.rev;
  }

  get hasWrites(): boolean {
    return this.writes.size > 0;
  }

  /** Whether commit needs the host lease (a write asked for it). */
  get needsLease(): boolean {
    return [...this.writes.values()].some((w) => w?.leased === true);
  }

  async get(key: string): Promise<string | undefined> {
    if (this.writes.has(key)) return this.writes.get(key)?.value;
    const res = await this.read({ key: Buffer.from(key) });
    const kv = res.kvs[0];
    // A key read twice is validated against its first sighting: the snapshot makes them equal.
    if (!this.reads.has(key)) this.reads.set(key, kv ? Number(kv.mod_revision) : 0);
    return kv?.value.toString();
  }

  /** key → value of every key under prefix, this transaction's writes included. */
  async range(prefix: string): Promise<Map<string, string>> {
    const res = await this.read({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) });
    this.ranges.add(prefix);
    const out = new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]));
    for (const [key, w] of this.writes) {
      if (!key.startsWith(prefix)) continue;
      if (w) out.set(key, w.value);
      else out.delete(key);
    }
    return out;
  }

  /** leased: the key belongs to this host's lease and vanishes with it. */
  put(key: string, value: string, leased = false): void {
    this.writes.delete(key); // keeps the map in the order of the last write to each key
    this.writes.set(key, { value, leased });
  }

  del(key: string): void {
    this.writes.delete(key);
    this.writes.set(key, null);
  }

  /**
   * Applies the writes if nothing read or written moved since the snapshot. Resolves false on a
   * conflict (nothing applied), else the revision of the commit. A key deleted from a listed range
   * does not fail the commit (etcd compares only keys that exist): every invariant we keep is
   * guarded by a single key read (a name, an address, an endpoint id), which does.
   */
  async commit(lease: string | undefined): Promise<number | false> {
    const compare: ICompare[] = [...this.reads].map(([key, mod]) => ({
      key: Buffer.from(key),
      target: CompareTarget.Mod,
      result: CompareResult.Equal,
      mod_revision: mod,
    }));
    if (this.rev !== undefined) {
      const unchanged = (key: string, rangeEnd?: Buffer): ICompare => ({
        key: Buffer.from(key),
        ...(rangeEnd ? { range_end: rangeEnd } : {}),
        target: CompareTarget.Mod,
        result: CompareResult.Less,
        mod_revision: this.rev! + 1,
      });
      for (const prefix of this.ranges) compare.push(unchanged(prefix, prefixEnd(prefix)));
      // Blind writes too: a key another client wrote since our snapshot is a conflict.
      for (const key of this.writes.keys()) if (!this.reads.has(key)) compare.push(unchanged(key));
    }
    const success: IRequestOp[] = [...this.writes].map(([key, w]) =>
      w
        ? { request_put: { key: Buffer.from(key), value: Buffer.from(w.value), ...(w.leased && lease ? { lease } : {}) } }
        : { request_delete_range: { key: Buffer.from(key) } },
    );
    const res = await this.call(() => this.kv.txn({ compare, success, failure: [] }));
    return res.succeeded ? Number(res.header.revision) : false;
  }

  /** A range request at the snapshot revision; the first read fixes it, and the others wait for it. */
  private async read(req: IRangeRequest): Promise<IRangeResponse> {
    if (this.rev === undefined && this.first) await this.first.catch(() => undefined);
    if (this.rev !== undefined) return this.call(() => this.kv.range({ ...req, revision: this.rev }));
    const p = this.call(() => this.kv.range(req));
    this.first = p;
    const res = await p;
    this.rev ??= Number(res.header.revision);
    return res;
  }
}
