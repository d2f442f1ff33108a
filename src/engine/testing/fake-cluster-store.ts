// A cluster store in memory for unit tests: the memory store's records plus what etcd adds —
// endpoint events with revisions, watches resumable from one, a host's endpoints expiring with
// its lease — and switches for the failures to test: the store unreachable (every call fails as
// the etcd store's do; watches hold their events until it is back) and a watch ended by etcd
// (as after a compaction).
import { unavailable } from '../../errors.js';
import type { EndpointRecord } from '../../model/endpoint.js';
import type { ClusterStore, EndpointEvent } from '../../store/cluster-store.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { RECORD_OP_NAMES, RECORD_OPS, type Row, type RowStatus, type StoreTx } from '../../store/store.js';

type Logged = EndpointEvent & { networkId: string };

interface Watcher {
  networkId: string;
  next: number;
  onEvent(e: EndpointEvent): void;
  onError?(e: Error): void;
}

export interface FakeClusterStore extends ClusterStore {
  /** Unreachable: every call fails with the etcd store's error; watches wait. */
  setDown(down: boolean): void;
  /** Ends every watch as etcd does when their revision was compacted away. */
  endWatches(): void;
  /** The host's lease expired: its endpoints and their leases go. */
  expire(address: string): Promise<void>;
  /** Tells every host that registered onLeaseLost (all share this store) that its lease is lost. */
  loseLeases(): void;
  /** Watches open now. */
  readonly watching: number;
}

export function fakeClusterStore(): FakeClusterStore {
  const inner = createMemoryStore('global');
  const log: Logged[] = [];
  const watchers = new Set<Watcher>();
  const lostListeners: Array<() => void> = [];
  let down = false;
  const guard = <T>(fn: () => Promise<T>): Promise<T> => (down ? Promise.reject(unavailable('cluster store etcd (fake) is unreachable', 'store.unavailable')) : fn());

  const pump = (w: Watcher): void => {
    for (const e of log) {
      if (down || !watchers.has(w)) return;
      if (e.revision < w.next || e.networkId !== w.networkId) continue;
      w.next = e.revision + 1;
      const { networkId: _n, ...event } = e;
      w.onEvent(event);
    }
  };
  const emit = (events: Array<Omit<Logged, 'revision'>>): void => {
    for (const e of events) log.push({ ...e, revision: log.length + 1 });
    if (events.length) setImmediate(() => watchers.forEach(pump));
  };

  /** The handle with every endpoint change noted, to be emitted once committed. */
  const tracked = (t: StoreTx, out: Array<Omit<Logged, 'revision'>>): StoreTx => {
    const find = async (id: string): Promise<Row<EndpointRecord> | undefined> => (await t.endpoints()).find((r) => r.doc.id === id);
    const put = (doc: EndpointRecord, status: RowStatus) => out.push({ type: 'put', networkId: doc.networkId, endpointId: doc.id, row: { status, doc } });
    return {
      ...t,
      async putEndpoint(ep, status) {
        await t.putEndpoint(ep, status);
        put(ep, status);
      },
      async setEndpointStatus(id, status) {
        const r = await find(id);
        await t.setEndpointStatus(id, status);
        if (r) put(r.doc, status);
      },
      async deleteEndpoint(id) {
        const r = await find(id);
        await t.deleteEndpoint(id);
        if (r) out.push({ type: 'delete', networkId: r.doc.networkId, endpointId: id });
      },
    };
  };
  const tx = <T>(fn: (t: StoreTx) => Promise<T>): Promise<T> =>
    guard(async () => {
      const out: Array<Omit<Logged, 'revision'>> = [];
      const r = await inner.tx((t) => fn(tracked(t, out)));
      emit(out);
      return r;
    });
  const ops = Object.fromEntries(
    RECORD_OP_NAMES.map((k) => {
      const call = (t: StoreTx, a: unknown[]) => (t[k] as (...x: unknown[]) => Promise<unknown>)(...a);
      return [k, RECORD_OPS[k] === 'write' ? (...a: unknown[]) => tx((t) => call(t, a)) : (...a: unknown[]) => guard(() => call(inner, a))];
    }),
  ) as unknown as StoreTx;

  return {
    ...ops,
    scope: 'global',
    tx,
    close: () => inner.close(),
    endpointsAt: (networkId) => guard(async () => ({ rows: await inner.endpoints({ networkId }), revision: log.length })),
    watchEndpoints: (networkId, fromRevision, onEvent, onError) =>
      guard(async () => {
        const w: Watcher = { networkId, next: fromRevision, onEvent, ...(onError ? { onError } : {}) };
        watchers.add(w);
        setImmediate(() => pump(w));
        return {
          get revision() {
            return w.next - 1;
          },
          close: async () => void watchers.delete(w),
        };
      }),
    // Leases are not modelled: what is stored is reclaimed.
    reclaim: (ids) =>
      guard(async () => {
        const stored = new Set((await inner.endpoints()).map((r) => r.doc.id));
        return ids.filter((id) => !stored.has(id));
      }),
    setDown(d) {
      down = d;
      if (!d) setImmediate(() => watchers.forEach(pump));
    },
    endWatches() {
      for (const w of [...watchers]) {
        watchers.delete(w);
        w.onError?.(unavailable('cluster store etcd (fake): watch ended (compacted)', 'store.watchEnded'));
      }
    },
    onLeaseLost(listener) {
      lostListeners.push(listener);
    },
    loseLeases() {
      for (const l of lostListeners) l();
    },
    async expire(address) {
      await tx(async (t) => {
        for (const { doc } of await t.endpoints()) if (doc.host?.address === address) await t.deleteEndpoint(doc.id);
      });
    },
    get watching() {
      return watchers.size;
    },
  };
}
