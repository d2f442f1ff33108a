// The records of store.ts on etcd keys (keys.ts), read and written through one optimistic
// transaction (etcd-txn.ts). The constraints SQLite keeps with UNIQUE columns are keys here: a
// name, an address, an endpoint id. Reading such a key puts it in the transaction's read set, so
// two hosts that both saw it free cannot both commit: the second runs again and meets the first's
// key as Docker's conflict.
import type { ContainerRecord } from '../../model/container.js';
import type { EndpointRecord } from '../../model/endpoint.js';
import type { NetworkRecord } from '../../model/network.js';
import {
  addressTaken, checkContainerScope, checkNetworkScope, endpointTaken, networkNameTaken, networkNotHere,
  type Row, type RowStatus, type StoreTx,
} from '../store.js';
import type { EtcdTxn } from './etcd-txn.js';
import { lastSegment, type EtcdKeys } from './keys.js';

/** Where an endpoint's keys are: fixed at its first put, as SQLite's indexed columns are. */
interface EndpointPlace {
  networkId: string;
  containerId: string;
}

export function parseRow<T>(value: string): Row<T> {
  return JSON.parse(value) as Row<T>;
}

const row = <T>(status: RowStatus, doc: T): string => JSON.stringify({ status, doc });

/**
 * A global store's records in one transaction. leased: endpoints and address leases carry the
 * host lease (they vanish with a dead host); networks and meta never do.
 */
export class EtcdRecords implements StoreTx {
  constructor(
    private readonly t: EtcdTxn,
    private readonly keys: EtcdKeys,
    private readonly leased: boolean,
  ) {}

  async getMeta(key: string): Promise<string | undefined> {
    return this.t.get(this.keys.meta(key));
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.t.put(this.keys.meta(key), value);
  }

  async networks(): Promise<Row<NetworkRecord>[]> {
    return [...(await this.t.range(this.keys.networks())).values()].map(parseRow<NetworkRecord>);
  }

  async network(id: string): Promise<Row<NetworkRecord> | undefined> {
    const v = await this.t.get(this.keys.network(id));
    return v === undefined ? undefined : parseRow<NetworkRecord>(v);
  }

  async networkByName(name: string): Promise<Row<NetworkRecord> | undefined> {
    const id = await this.t.get(this.keys.networkName(name));
    return id === undefined ? undefined : this.network(id);
  }

  async insertNetwork(net: NetworkRecord, status: RowStatus): Promise<void> {
    checkNetworkScope(net, 'global');
    // Both keys are read first: they join the read set, so a rival insert fails our commit.
    const [byId, byName] = await Promise.all([this.t.get(this.keys.network(net.id)), this.t.get(this.keys.networkName(net.name))]);
    if (byId !== undefined || byName !== undefined) throw networkNameTaken(net.name);
    this.t.put(this.keys.network(net.id), row(status, net));
    this.t.put(this.keys.networkName(net.name), net.id);
  }

  async setNetworkStatus(id: string, status: RowStatus): Promise<void> {
    const r = await this.network(id);
    if (r) this.t.put(this.keys.network(id), row(status, r.doc));
  }

  async deleteNetwork(id: string): Promise<void> {
    const r = await this.network(id);
    if (r) {
      this.t.del(this.keys.network(id));
      if ((await this.t.get(this.keys.networkName(r.doc.name))) === id) this.t.del(this.keys.networkName(r.doc.name));
    }
    for (const [key, owner] of await this.t.range(this.keys.leases(id))) {
      this.t.del(key);
      this.t.del(this.keys.ownerLease(owner, id, lastSegment(key)));
    }
  }

  async leases(networkId: string): Promise<string[]> {
    return [...(await this.t.range(this.keys.leases(networkId))).keys()].map(lastSegment);
  }

  async addLease(networkId: string, address: string, owner: string): Promise<void> {
    await this.networkHere(networkId, `lease ${address}`);
    const key = this.keys.lease(networkId, address);
    if ((await this.t.get(key)) !== undefined) throw addressTaken(networkId, address);
    this.t.put(key, owner, this.leased);
    this.t.put(this.keys.ownerLease(owner, networkId, address), key, this.leased);
  }

  async releaseLeases(owner: string): Promise<void> {
    for (const [indexKey, leaseKey] of await this.t.range(this.keys.ownerLeases(owner))) {
      this.t.del(leaseKey);
      this.t.del(indexKey);
    }
  }

  async endpoints(where: { networkId?: string; containerId?: string } = {}): Promise<Row<EndpointRecord>[]> {
    if (where.networkId === undefined && where.containerId !== undefined) {
      const mine = await this.t.range(this.keys.containerEndpoints(where.containerId));
      const rows = await Promise.all([...mine].map(([key, networkId]) => this.t.get(this.keys.endpoint(networkId, lastSegment(key)))));
      return rows.filter((v): v is string => v !== undefined).map(parseRow<EndpointRecord>);
    }
    return [...(await this.t.range(this.keys.endpoints(where.networkId))).values()].map(parseRow<EndpointRecord>);
  }

  async countEndpoints(networkId: string): Promise<number> {
    return (await this.t.range(this.keys.endpoints(networkId))).size;
  }

  async putEndpoint(ep: EndpointRecord, status: RowStatus): Promise<void> {
    await this.networkHere(ep.networkId, `endpoint ${ep.id}`);
    const place = (await this.place(ep.id)) ?? { networkId: ep.networkId, containerId: ep.containerId };
    const siblings = await this.t.range(this.keys.containerEndpoints(place.containerId));
    for (const [key, networkId] of siblings) if (networkId === place.networkId && lastSegment(key) !== ep.id) throw endpointTaken(ep);
    this.t.put(this.keys.endpoint(place.networkId, ep.id), row(status, ep), this.leased);
    this.t.put(this.keys.endpointNetwork(ep.id), JSON.stringify(place), this.leased);
    this.t.put(this.keys.containerEndpoint(place.containerId, ep.id), place.networkId, this.leased);
  }

  async setEndpointStatus(id: string, status: RowStatus): Promise<void> {
    const place = await this.place(id);
    const v = place && (await this.t.get(this.keys.endpoint(place.networkId, id)));
    if (place && v !== undefined) this.t.put(this.keys.endpoint(place.networkId, id), row(status, parseRow<EndpointRecord>(v).doc), this.leased);
  }

  async deleteEndpoint(id: string): Promise<void> {
    const place = await this.place(id);
    if (place) {
      this.t.del(this.keys.endpoint(place.networkId, id));
      this.t.del(this.keys.endpointNetwork(id));
      this.t.del(this.keys.containerEndpoint(place.containerId, id));
    }
    await this.releaseLeases(id);
  }

  /**
   * Writes the endpoint's keys and its address leases again as they are, so they carry the lease
   * of this transaction's commit (a restarted host's new one). False: the endpoint is gone.
   */
  async reclaimEndpoint(id: string): Promise<boolean> {
    const place = await this.place(id);
    const value = place && (await this.t.get(this.keys.endpoint(place.networkId, id)));
    if (!place || value === undefined) return false;
    this.t.put(this.keys.endpoint(place.networkId, id), value, this.leased);
    this.t.put(this.keys.endpointNetwork(id), JSON.stringify(place), this.leased);
    this.t.put(this.keys.containerEndpoint(place.containerId, id), place.networkId, this.leased);
    for (const [indexKey, leaseKey] of await this.t.range(this.keys.ownerLeases(id))) {
      if ((await this.t.get(leaseKey)) !== id) continue; // freed and taken by another meanwhile
      this.t.put(leaseKey, id, this.leased);
      this.t.put(indexKey, leaseKey, this.leased);
    }
    return true;
  }

  // Containers run on one host: a global store holds none, refuses to take one, and deletes none.
  async containers(): Promise<Row<ContainerRecord>[]> {
    return [];
  }

  async container(): Promise<Row<ContainerRecord> | undefined> {
    return undefined;
  }

  async containerByName(): Promise<Row<ContainerRecord> | undefined> {
    return undefined;
  }

  async putContainer(c: ContainerRecord): Promise<void> {
    checkContainerScope(c, 'global');
  }

  async deleteContainer(): Promise<void> {}

  private async place(endpointId: string): Promise<EndpointPlace | undefined> {
    const v = await this.t.get(this.keys.endpointNetwork(endpointId));
    return v === undefined ? undefined : (JSON.parse(v) as EndpointPlace);
  }

  private async networkHere(id: string, what: string): Promise<void> {
    if ((await this.t.get(this.keys.network(id))) === undefined) throw networkNotHere(id, what, 'global');
  }
}
