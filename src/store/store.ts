// The Store contract: the engine's state, async (a cluster store answers over the network) and
// scope-aware (libnetwork's local/global split). The records are listed once, with synchronous
// signatures (RecordOps); the Store serves each of them as a promise, and inside a transaction
// through the handle tx() gives, never through the store itself (which would wait for the
// transaction it is in). Every implementation passes store.contract.test.ts.
import { conflict, internal } from '../errors.js';
import type { ContainerRecord } from '../model/container.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { NetworkRecord, Scope } from '../model/network.js';

/** 'creating' and 'removing' rows are changes whose kernel side is unfinished (the journal). */
export type RowStatus = 'creating' | 'ready' | 'removing';

export interface Row<T> {
  status: RowStatus;
  doc: T;
}

/**
 * Which records a store holds. A network's scope is its own (NetworkRecord.scope); its endpoints
 * and address leases live with it; containers are always local (they run on this host); meta keys
 * are per store. A store refuses a record of the other scope.
 */
export type StoreScope = 'local' | 'global';

export function storeScopeOf(scope: Scope): StoreScope {
  return scope === 'local' ? 'local' : 'global';
}

/** The records, as a backend serves them synchronously (SQLite, memory). */
export interface RecordOps {
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;

  networks(): Row<NetworkRecord>[];
  network(id: string): Row<NetworkRecord> | undefined;
  networkByName(name: string): Row<NetworkRecord> | undefined;
  /** A taken name is a conflict (networkNameTaken). */
  insertNetwork(net: NetworkRecord, status: RowStatus): void;
  setNetworkStatus(id: string, status: RowStatus): void;
  /** Deletes the network and its leases; succeeds when it is gone. */
  deleteNetwork(id: string): void;

  leases(networkId: string): string[];
  /** An address leased already is a conflict. */
  addLease(networkId: string, address: string, owner: string): void;
  releaseLeases(owner: string): void;

  endpoints(where?: { networkId?: string; containerId?: string }): Row<EndpointRecord>[];
  countEndpoints(networkId: string): number;
  /** Inserts or replaces by id; a second endpoint of one container on one network is a conflict. */
  putEndpoint(ep: EndpointRecord, status: RowStatus): void;
  setEndpointStatus(id: string, status: RowStatus): void;
  /** Deletes the endpoint and its leases; succeeds when it is gone. */
  deleteEndpoint(id: string): void;

  containers(): Row<ContainerRecord>[];
  container(id: string): Row<ContainerRecord> | undefined;
  containerByName(name: string): Row<ContainerRecord> | undefined;
  /** Inserts or replaces by id; a name taken by another container is Docker's 409. */
  putContainer(c: ContainerRecord, status: RowStatus): void;
  deleteContainer(id: string): void;
}

/** Every record operation and whether it writes: a write outside tx() is a transaction of its own. */
export const RECORD_OPS: Record<keyof RecordOps, 'read' | 'write'> = {
  getMeta: 'read', setMeta: 'write',
  networks: 'read', network: 'read', networkByName: 'read', insertNetwork: 'write', setNetworkStatus: 'write', deleteNetwork: 'write',
  leases: 'read', addLease: 'write', releaseLeases: 'write',
  endpoints: 'read', countEndpoints: 'read', putEndpoint: 'write', setEndpointStatus: 'write', deleteEndpoint: 'write',
  containers: 'read', container: 'read', containerByName: 'read', putContainer: 'write', deleteContainer: 'write',
};
export const RECORD_OP_NAMES = Object.keys(RECORD_OPS) as Array<keyof RecordOps>;

/** The scope rules above, said once for every implementation: a network of the other scope. */
export function checkNetworkScope(net: NetworkRecord, scope: StoreScope): void {
  if (storeScopeOf(net.scope) !== scope) throw internal(`network ${net.name} of scope ${net.scope} cannot go in a ${scope} store`);
}

/** Containers are local: a global store refuses them. */
export function checkContainerScope(c: ContainerRecord, scope: StoreScope): void {
  if (scope !== 'local') throw internal(`container ${c.name} cannot go in a ${scope} store: containers are local`);
}

/** An endpoint or lease names a network this store does not hold (it lives in the other scope's store). */
export function networkNotHere(id: string, what: string, scope: StoreScope) {
  return internal(`${what} of network ${id}, which is not in this ${scope} store`);
}

type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

/** The records inside a transaction: everything read sees the transaction's own writes. */
export type StoreTx = Async<RecordOps>;

export interface Store extends StoreTx {
  readonly scope: StoreScope;
  /**
   * Runs fn as one transaction, isolated from every other: all its writes commit or none. Two
   * transactions that write the same record or name run one after the other, so the second sees
   * the first (a taken name is then its conflict, a counter is never lost). A cluster store may
   * run fn again when another host's transaction got in first, so fn touches nothing but the
   * handle it is given.
   */
  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Docker's words for a taken network name: the early check and the store's own say the same. */
export function networkNameTaken(name: string) {
  return conflict(`network with name ${name} already exists`, 'network.exists');
}

export function containerNameTaken(name: string, ownerId: string) {
  return conflict(
    `Conflict. The container name "/${name}" is already in use by container "${ownerId}". You have to remove (or rename) that container to be able to reuse that name.`,
    'container.nameInUse',
  );
}

export function endpointTaken(ep: Pick<EndpointRecord, 'containerId' | 'networkId'>) {
  return conflict(`container ${ep.containerId} has an endpoint on network ${ep.networkId} already`, 'endpoint.exists');
}

export function addressTaken(networkId: string, address: string) {
  return conflict(`address ${address} is leased already on network ${networkId}`, 'ipam.leased');
}
