// The store in memory, for unit tests and anything that needs no durability: the same records,
// constraints and conflicts as the SQLite store (store.contract.test.ts proves it). Documents are
// kept as JSON text, so a caller never shares an object with the store, as with SQLite. A
// transaction keeps the inverse of each write and replays them backwards on rollback.
import type { ContainerRecord } from '../../model/container.js';
import type { EndpointRecord } from '../../model/endpoint.js';
import type { NetworkRecord } from '../../model/network.js';
import { backedStore, type Backend } from '../backed-store.js';
import { addressTaken, containerNameTaken, endpointTaken, networkNameTaken, type Row, type RowStatus, type Store, type StoreScope } from '../store.js';

interface Entry {
  status: RowStatus;
  doc: string;
  /** The indexed fields: name (networks, containers), networkId and containerId (endpoints). */
  keys: Record<string, string>;
}

function parse<T>(e: Entry): Row<T> {
  return { status: e.status, doc: JSON.parse(e.doc) as T };
}

class MemoryBackend implements Backend {
  private readonly meta = new Map<string, string>();
  private readonly nets = new Map<string, Entry>();
  private readonly eps = new Map<string, Entry>();
  private readonly ctrs = new Map<string, Entry>();
  /** `${networkId} ${address}` → owner */
  private readonly leaseOwners = new Map<string, string>();
  private undo: Array<() => void> | undefined;

  /** Notes how to undo a change of map[key] (inside a transaction), then lets the caller change it. */
  private touch<V>(map: Map<string, V>, key: string): void {
    if (!this.undo) return;
    const had = map.has(key);
    const old = map.get(key);
    this.undo.push(() => (had ? map.set(key, old as V) : map.delete(key)));
  }

  private set<V>(map: Map<string, V>, key: string, value: V): void {
    this.touch(map, key);
    map.set(key, value);
  }

  private remove<V>(map: Map<string, V>, key: string): void {
    if (!map.has(key)) return;
    this.touch(map, key);
    map.delete(key);
  }

  private static find(map: Map<string, Entry>, key: string, value: string): Entry | undefined {
    for (const e of map.values()) if (e.keys[key] === value) return e;
    return undefined;
  }

  begin(): void {
    this.undo = [];
  }

  commit(): void {
    this.undo = undefined;
  }

  rollback(): void {
    for (const step of (this.undo ?? []).reverse()) step();
    this.undo = undefined;
  }

  close(): void {}

  getMeta(key: string): string | undefined {
    return this.meta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.set(this.meta, key, value);
  }

  networks(): Row<NetworkRecord>[] {
    return [...this.nets.values()].map(parse<NetworkRecord>);
  }

  network(id: string): Row<NetworkRecord> | undefined {
    const e = this.nets.get(id);
    return e && parse<NetworkRecord>(e);
  }

  networkByName(name: string): Row<NetworkRecord> | undefined {
    const e = MemoryBackend.find(this.nets, 'name', name);
    return e && parse<NetworkRecord>(e);
  }

  insertNetwork(net: NetworkRecord, status: RowStatus): void {
    if (this.nets.has(net.id) || MemoryBackend.find(this.nets, 'name', net.name)) throw networkNameTaken(net.name);
    this.set(this.nets, net.id, { status, doc: JSON.stringify(net), keys: { name: net.name } });
  }

  setNetworkStatus(id: string, status: RowStatus): void {
    const e = this.nets.get(id);
    if (e) this.set(this.nets, id, { ...e, status });
  }

  deleteNetwork(id: string): void {
    this.remove(this.nets, id);
    for (const key of [...this.leaseOwners.keys()]) if (key.startsWith(`${id} `)) this.remove(this.leaseOwners, key);
  }

  leases(networkId: string): string[] {
    return [...this.leaseOwners.keys()].filter((k) => k.startsWith(`${networkId} `)).map((k) => k.slice(networkId.length + 1));
  }

  addLease(networkId: string, address: string, owner: string): void {
    const key = `${networkId} ${address}`;
    if (this.leaseOwners.has(key)) throw addressTaken(networkId, address);
    this.set(this.leaseOwners, key, owner);
  }

  releaseLeases(owner: string): void {
    for (const [key, o] of [...this.leaseOwners]) if (o === owner) this.remove(this.leaseOwners, key);
  }

  endpoints(where: { networkId?: string; containerId?: string } = {}): Row<EndpointRecord>[] {
    const [key, value] = where.networkId !== undefined ? ['networkId', where.networkId] : where.containerId !== undefined ? ['containerId', where.containerId] : [];
    return [...this.eps.values()].filter((e) => key === undefined || e.keys[key] === value).map(parse<EndpointRecord>);
  }

  countEndpoints(networkId: string): number {
    return this.endpoints({ networkId }).length;
  }

  putEndpoint(ep: EndpointRecord, status: RowStatus): void {
    const twin = [...this.eps].find(([id, e]) => id !== ep.id && e.keys['networkId'] === ep.networkId && e.keys['containerId'] === ep.containerId);
    if (twin) throw endpointTaken(ep);
    // As SQLite's upsert: the indexed columns of an existing row stay as they were.
    const keys = this.eps.get(ep.id)?.keys ?? { networkId: ep.networkId, containerId: ep.containerId };
    this.set(this.eps, ep.id, { status, doc: JSON.stringify(ep), keys });
  }

  setEndpointStatus(id: string, status: RowStatus): void {
    const e = this.eps.get(id);
    if (e) this.set(this.eps, id, { ...e, status });
  }

  deleteEndpoint(id: string): void {
    this.remove(this.eps, id);
    this.releaseLeases(id);
  }

  containers(): Row<ContainerRecord>[] {
    return [...this.ctrs.values()].map(parse<ContainerRecord>);
  }

  container(id: string): Row<ContainerRecord> | undefined {
    const e = this.ctrs.get(id);
    return e && parse<ContainerRecord>(e);
  }

  containerByName(name: string): Row<ContainerRecord> | undefined {
    const e = MemoryBackend.find(this.ctrs, 'name', name);
    return e && parse<ContainerRecord>(e);
  }

  putContainer(c: ContainerRecord, status: RowStatus): void {
    const owner = this.containerByName(c.name)?.doc.id;
    if (owner !== undefined && owner !== c.id) throw containerNameTaken(c.name, owner);
    this.set(this.ctrs, c.id, { status, doc: JSON.stringify(c), keys: { name: c.name } });
  }

  deleteContainer(id: string): void {
    this.remove(this.ctrs, id);
  }
}

export function createMemoryStore(scope: StoreScope = 'local'): Store {
  return backedStore(new MemoryBackend(), scope);
}
