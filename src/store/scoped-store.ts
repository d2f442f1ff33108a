// One Store over two, routed by scope as libnetwork routes by its datastore scopes: local
// networks, containers, meta and their endpoints in the local store (SQLite); global networks,
// their endpoints and address leases in the cluster store (etcd). The engine takes this as its
// one Store and never knows which holds what.
//
// Routing: a network's scope is its record's (storeScopeOf), remembered by id once seen (ids are
// never reused); an endpoint or lease follows its network; an operation naming only an endpoint
// id (status, delete, release) goes where that endpoint is. "This host's endpoints" (a listing
// without a network, or by container) are the local ones plus the global ones whose host is this
// one. Only this host writes those, through this store, so it keeps them in memory once listed:
// container work never waits for etcd, and goes on while etcd is unreachable.
//
// etcd unreachable: a read of global networks falls back to the last ones seen (so a container
// on a local network starts, `network ls` answers); every global write fails as the cluster
// store says (unavailable, 503, naming it). Within a transaction, a read that fell back poisons
// the transaction's global writes: they would rest on a read etcd never checked.
//
// Transactions (scoped-txn.ts) open a transaction on each store at its first use, the local one
// always first (one lock order: no two transactions wait on each other). A transaction that
// touches one scope is that store's transaction, with all its guarantees. One touching both
// commits the cluster store first, then the local one: if the cluster store asks for a rerun
// (another host committed first), the local one is rolled back and the whole function runs
// again; if the local commit failed after the global one (SQLite refusing a COMMIT, which its
// statement-level constraints make all but impossible), the global writes stand and the error
// is raised. The engine keeps such transactions to reads on one side: reserving an endpoint on
// a global network reads the container's endpoints (from memory) and writes only to etcd.
import { internal, isTetherError } from '../errors.js';
import type { ContainerRecord } from '../model/container.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { NetworkRecord } from '../model/network.js';
import type { ClusterStore } from './cluster-store.js';
import { ScopedTxn, type Handles } from './scoped-txn.js';
import { RECORD_OP_NAMES, storeScopeOf, type Row, type RowStatus, type Store, type StoreScope, type StoreTx } from './store.js';

export interface ScopedStoreOptions {
  local: Store;
  global: Store;
  /** This host's --cluster-advertise: a global endpoint whose host has it is this host's. */
  self: string;
}

/** What the store remembers across operations; changed only by committed work. */
class Known {
  /** network id → which store holds it. */
  readonly scopes = new Map<string, StoreScope>();
  /** The global networks as last read (the fallback while the cluster store is unreachable). */
  networks = new Map<string, Row<NetworkRecord>>();
  /** This host's global endpoints, once listed; undefined before. */
  own: Map<string, Row<EndpointRecord>> | undefined;
}

const isUnavailable = (e: unknown): boolean => isTetherError(e) && e.kind === 'unavailable';
type Where = { networkId?: string; containerId?: string };

/** The records, routed; one per plain use and one per transaction (with its pending changes). */
class Router implements StoreTx {
  /** This transaction's changes to this host's global endpoints (null: deleted). */
  private readonly pending = new Map<string, Row<EndpointRecord> | null>();

  constructor(
    private readonly h: Handles,
    private readonly k: Known,
    private readonly o: ScopedStoreOptions,
  ) {}

  private async on(scope: StoreScope): Promise<StoreTx> {
    if (scope === 'local') return this.h.local();
    return this.h.global();
  }

  private async write<T>(scope: StoreScope, fn: (t: StoreTx) => Promise<T>): Promise<T> {
    if (scope === 'global') this.h.writable();
    return fn(await this.on(scope));
  }

  /** A read of the cluster store, or fallback() when it is unreachable; seen() gets committed results. */
  private async readGlobal<T>(read: (g: StoreTx) => Promise<T>, fallback: () => T, seen?: (v: T) => void): Promise<T> {
    let v: T;
    try {
      v = await read(await this.h.global());
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      this.h.degraded(e as Error);
      return fallback();
    }
    if (!this.h.inTx) seen?.(v);
    return v;
  }

  private async scopeOf(networkId: string): Promise<StoreScope> {
    let s = this.k.scopes.get(networkId);
    if (s === undefined) {
      s = (await (await this.h.local()).network(networkId)) ? 'local' : 'global';
      this.k.scopes.set(networkId, s);
    }
    return s;
  }

  private mine(r: Row<EndpointRecord>): boolean {
    return (r.doc.host?.address ?? this.o.self) === this.o.self; // no host named: nobody else's
  }

  /** This host's global endpoints as this transaction sees them. */
  private async own(): Promise<Map<string, Row<EndpointRecord>>> {
    if (!this.k.own) {
      try {
        this.k.own = new Map((await (await this.h.global()).endpoints()).filter((r) => this.mine(r)).map((r) => [r.doc.id, r]));
      } catch (e) {
        if (!isUnavailable(e)) throw e;
        this.h.degraded(e as Error); // listed again next time
      }
    }
    const view = new Map(this.k.own);
    for (const [id, r] of this.pending) {
      if (r) view.set(id, r);
      else view.delete(id);
    }
    return view;
  }

  /** Notes a change to one of this host's global endpoints, kept once committed. */
  private pend(id: string, r: Row<EndpointRecord> | null): void {
    if (this.h.inTx) this.pending.set(id, r);
    this.h.later(() => {
      if (!this.k.own) return; // listed from the store later, change included
      if (r) this.k.own.set(id, r);
      else this.k.own.delete(id);
    });
  }

  private async endpointScope(id: string): Promise<StoreScope> {
    return (await this.own()).has(id) ? 'global' : 'local';
  }

  private static select(rows: Iterable<Row<EndpointRecord>>, where: Where): Row<EndpointRecord>[] {
    return [...rows].filter((r) => (where.networkId === undefined || r.doc.networkId === where.networkId) && (where.containerId === undefined || r.doc.containerId === where.containerId));
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.h.local()).getMeta(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await (await this.h.local()).setMeta(key, value);
  }

  async networks(): Promise<Row<NetworkRecord>[]> {
    const local = await (await this.h.local()).networks();
    const global = await this.readGlobal(
      (g) => g.networks(),
      () => [...this.k.networks.values()],
      (rows) => (this.k.networks = new Map(rows.map((r) => [r.doc.id, r]))),
    );
    for (const r of local) this.k.scopes.set(r.doc.id, 'local');
    for (const r of global) this.k.scopes.set(r.doc.id, 'global');
    return [...local, ...global];
  }

  async network(id: string): Promise<Row<NetworkRecord> | undefined> {
    if (this.k.scopes.get(id) !== 'global') {
      const r = await (await this.h.local()).network(id);
      if (r || this.k.scopes.get(id) === 'local') return r;
    }
    return this.readGlobal(
      (g) => g.network(id),
      () => this.k.networks.get(id),
      (r) => (r ? this.k.networks.set(id, r) : this.k.networks.delete(id)),
    );
  }

  async networkByName(name: string): Promise<Row<NetworkRecord> | undefined> {
    const r = await (await this.h.local()).networkByName(name);
    if (r) return r;
    return this.readGlobal((g) => g.networkByName(name), () => [...this.k.networks.values()].find((n) => n.doc.name === name));
  }

  async insertNetwork(net: NetworkRecord, status: RowStatus): Promise<void> {
    const scope = storeScopeOf(net.scope);
    await this.write(scope, (t) => t.insertNetwork(net, status));
    this.k.scopes.set(net.id, scope);
  }

  async setNetworkStatus(id: string, status: RowStatus): Promise<void> {
    await this.write(await this.scopeOf(id), (t) => t.setNetworkStatus(id, status));
  }

  async deleteNetwork(id: string): Promise<void> {
    const scope = await this.scopeOf(id);
    await this.write(scope, (t) => t.deleteNetwork(id));
    if (scope === 'global') this.h.later(() => this.k.networks.delete(id));
  }

  async leases(networkId: string): Promise<string[]> {
    return (await this.on(await this.scopeOf(networkId))).leases(networkId);
  }

  async addLease(networkId: string, address: string, owner: string): Promise<void> {
    await this.write(await this.scopeOf(networkId), (t) => t.addLease(networkId, address, owner));
  }

  /** The engine's lease owners are endpoints; an owner that is none of this host's may hold leases in either store. */
  async releaseLeases(owner: string): Promise<void> {
    const scope = await this.endpointScope(owner);
    await this.write(scope, (t) => t.releaseLeases(owner));
    if (scope === 'local') await this.write('global', (t) => t.releaseLeases(owner));
  }

  async endpoints(where: Where = {}): Promise<Row<EndpointRecord>[]> {
    if (where.networkId !== undefined && (await this.scopeOf(where.networkId)) === 'global') {
      // Every host's: peers, `network rm`'s check, inspect. Only this host's while etcd is away.
      return this.readGlobal((g) => g.endpoints(where), () => Router.select([...this.k.own?.values() ?? []], where));
    }
    const local = await (await this.h.local()).endpoints(where);
    return where.networkId !== undefined ? local : [...local, ...Router.select((await this.own()).values(), where)];
  }

  async countEndpoints(networkId: string): Promise<number> {
    if ((await this.scopeOf(networkId)) === 'local') return (await this.h.local()).countEndpoints(networkId);
    return this.readGlobal((g) => g.countEndpoints(networkId), () => Router.select([...this.k.own?.values() ?? []], { networkId }).length);
  }

  async putEndpoint(ep: EndpointRecord, status: RowStatus): Promise<void> {
    const scope = await this.scopeOf(ep.networkId);
    await this.write(scope, (t) => t.putEndpoint(ep, status));
    if (scope === 'global' && this.mine({ status, doc: ep })) this.pend(ep.id, { status, doc: ep });
  }

  async setEndpointStatus(id: string, status: RowStatus): Promise<void> {
    const mine = (await this.own()).get(id);
    await this.write(mine ? 'global' : 'local', (t) => t.setEndpointStatus(id, status));
    if (mine) this.pend(id, { status, doc: mine.doc });
  }

  async deleteEndpoint(id: string): Promise<void> {
    const scope = await this.endpointScope(id);
    await this.write(scope, (t) => t.deleteEndpoint(id));
    if (scope === 'global') this.pend(id, null);
  }

  async containers(): Promise<Row<ContainerRecord>[]> {
    return (await this.h.local()).containers();
  }

  async container(id: string): Promise<Row<ContainerRecord> | undefined> {
    return (await this.h.local()).container(id);
  }

  async containerByName(name: string): Promise<Row<ContainerRecord> | undefined> {
    return (await this.h.local()).containerByName(name);
  }

  async putContainer(c: ContainerRecord, status: RowStatus): Promise<void> {
    await (await this.h.local()).putContainer(c, status);
  }

  async deleteContainer(id: string): Promise<void> {
    await (await this.h.local()).deleteContainer(id);
  }
}

/** How long a transaction touching both stores may keep being rerun by the cluster store. */
const RERUN_DEADLINE_MS = 10_000;

export function createScopedStore(o: ScopedStoreOptions): Store {
  if (o.local.scope !== 'local' || o.global.scope !== 'global') throw internal('a scoped store takes a local and a global store');
  const known = new Known();
  // A lost host lease: the cluster store may have dropped this host's endpoints behind our back
  // (its one exception to "only this host writes them"), so they are listed again.
  (o.global as Partial<Pick<ClusterStore, 'onLeaseLost'>>).onLeaseLost?.(() => (known.own = undefined));
  const plain: Handles = {
    inTx: false,
    local: async () => o.local,
    global: async () => o.global,
    degraded: () => undefined,
    writable: () => undefined,
    later: (fn) => fn(),
  };
  const records = new Router(plain, known, o);
  const ops = Object.fromEntries(RECORD_OP_NAMES.map((k) => [k, (records[k] as (...a: unknown[]) => unknown).bind(records)])) as unknown as StoreTx;
  return {
    scope: 'local',
    ...ops,
    async tx(fn) {
      const deadline = Date.now() + RERUN_DEADLINE_MS;
      for (let attempt = 0; ; attempt++) {
        const run = new ScopedTxn(o.local, o.global);
        let result;
        try {
          result = await fn(new Router(run, known, o));
        } catch (e) {
          await run.finish(false);
          throw e;
        }
        if (await run.finish(true)) return result;
        if (Date.now() > deadline) throw internal(`a transaction over both stores kept being rerun by the cluster store for ${RERUN_DEADLINE_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 ** attempt)));
      }
    },
    async close() {
      await Promise.all([o.local.close(), o.global.close()]);
    },
  };
}
