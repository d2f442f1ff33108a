// What a global-scope store offers beyond the records: the endpoints of a network as a listing
// plus a watch resumable from its revision (how every host learns of the others' endpoints), and
// the reclaim a restarted host runs on its own endpoints. The etcd store implements it; the fake
// engine has an in-memory one (engine/testing/fake-cluster-store.ts).
import type { EndpointRecord } from '../model/endpoint.js';
import type { Row, Store } from './store.js';

export interface EndpointEvent {
  type: 'put' | 'delete';
  endpointId: string;
  /** The endpoint as written; absent for a delete. */
  row?: Row<EndpointRecord>;
  /** The revision of this change: a watch resumed from revision + 1 continues right after it. */
  revision: number;
}

export interface EndpointWatch {
  /** The revision of the last event delivered (fromRevision - 1 before the first). */
  readonly revision: number;
  close(): Promise<void>;
}

export interface ClusterStore extends Store {
  /** A network's endpoints and the revision they were read at (watch from revision + 1). */
  endpointsAt(networkId: string): Promise<{ rows: Row<EndpointRecord>[]; revision: number }>;
  /**
   * Calls onEvent for every change to the network's endpoints from fromRevision on, in order.
   * onError: the store ended the watch (its revision was compacted away): list again, watch anew.
   */
  watchEndpoints(networkId: string, fromRevision: number, onEvent: (e: EndpointEvent) => void, onError?: (e: Error) => void): Promise<EndpointWatch>;
  /**
   * Puts the endpoints and their address leases again under this host's current lease (a
   * restarted host's, whose old lease is about to expire). Returns the ids no longer stored.
   */
  reclaim(endpointIds: readonly string[]): Promise<string[]>;
  /**
   * Calls listener when this host's lease is lost while it runs (the store was out of reach past
   * the TTL): its endpoints may be gone from the cluster. The next write takes a new lease.
   */
  onLeaseLost(listener: () => void): void;
}
