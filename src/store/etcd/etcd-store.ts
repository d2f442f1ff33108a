// The global-scope store in etcd (3.4, through the maintained `etcd3` client): the records every
// host of a cluster must agree on — overlay networks, their endpoints and address leases, and
// meta such as the VNI cursor. Local networks and containers stay in SQLite.
//
// Key layout (prefix /tether/v1/ by default; every segment URI-encoded, see keys.ts):
//   meta/<key>                               value
//   networks/<id>                            {"status","doc"}   network record
//   network-names/<name>                     <id>               one name, one network
//   leases/<network>/<address>               <owner>            one address, one owner
//   lease-owners/<owner>/<network>/<address> <lease key>        release by owner without a scan
//   endpoints/<network>/<endpoint>           {"status","doc"}   what the overlay driver watches
//   endpoint-ids/<endpoint>                  {"networkId","containerId"}
//   container-endpoints/<container>/<endpoint> <network>
//
// Transactions (etcd-txn.ts) are optimistic, as etcd's STM: every read of an attempt comes from
// one snapshot revision R, writes are buffered, and the commit is one etcd Txn whose compares are
//   - each key read: mod_revision == the one seen (0 when it was absent),
//   - each range listed: every key in [prefix, prefix+1) has mod_revision < R+1,
//   - each key written blind: mod_revision < R+1,
// and whose success branch holds all the writes. A failed compare means another host committed
// first: the attempt is dropped and tx() runs fn again on a fresh snapshot, with jittered backoff,
// for up to 10 s. fn is therefore pure store work (the engine awaits no kernel call inside one).
// Uniqueness lives in keys (network-names, leases, endpoint-ids), so two hosts racing for one
// name or address both read the key free, one commits, the other's rerun meets it and fails with
// Docker's conflict (networkNameTaken, addressTaken, endpointTaken). This store's own
// transactions also queue behind each other, so a busy host does not conflict with itself.
// Plain reads outside tx() are linearizable reads of committed state; a plain write is a
// transaction of its own. Any etcd failure (unreachable, timeout) is `unavailable` (503) naming
// the store. Etcd's limit of 128 operations per Txn bounds one transaction; an endpoint create is
// about 7 writes and 10 compares.
//
// Watch: endpointsAt(network) lists a network's endpoints with the revision of that listing;
// watchEndpoints(network, revision + 1, …) then delivers every change after it, in revision order,
// each event carrying its revision. The client resumes a broken stream by itself from the last
// revision it delivered (etcd keeps history until compaction), so an etcd restart loses nothing;
// a process that restarts resumes from the last revision it handled. A revision compacted away
// is reported through onError: list again and watch from the new revision (Kubernetes' relist).
//
// Host membership: with hostTtl (seconds, 1-10, default 10) the store grants an etcd lease, keeps
// it alive while open, and attaches it to every endpoint and address-lease key it writes
// (networks and meta never). A host that dies stops the keepalives: after the TTL etcd deletes
// its endpoints and frees their addresses in one revision, which every peer's watch sees. close()
// stops the keepalives without revoking, so a restarting daemon finds its records still there
// for up to the TTL and re-puts them under its new lease (the cluster layer's job). A lease lost
// while etcd was unreachable is replaced on the next write.
import { Etcd3, type IOptions, type Lease, type Watcher } from 'etcd3';
import { internal, unavailable } from '../../errors.js';
import type { EndpointRecord } from '../../model/endpoint.js';
import type { ClusterStore } from '../cluster-store.js';
import { serial } from '../serial.js';
import { RECORD_OP_NAMES, RECORD_OPS, type StoreTx } from '../store.js';
import { EtcdRecords, parseRow } from './etcd-records.js';
import { EtcdTxn } from './etcd-txn.js';
import { EtcdKeys, lastSegment } from './keys.js';

export const DEFAULT_PREFIX = '/tether/v1/';
export const MAX_HOST_TTL = 10;

export interface EtcdStoreOptions {
  /** Client URLs: http://h:2379, https://h:2379, or unix:///path/to/socket:port. */
  hosts: string[];
  /** Every key starts with it; ends in "/". */
  prefix?: string;
  /** Seconds (1-10): endpoints and address leases carry a host lease of this TTL. 0: none. */
  hostTtl?: number;
  /** A single etcd request that takes longer fails as unavailable (default 5000 ms). */
  requestTimeoutMs?: number;
  /** TLS material for https:// hosts (--cluster-store-opt kv.cacertfile=… etc.). */
  credentials?: IOptions['credentials'];
}

export type { EndpointEvent, EndpointWatch } from '../cluster-store.js';

/** The etcd store is the cluster store (cluster-store.ts). */
export type EtcdStore = ClusterStore;

/** How long a transaction may keep losing to other hosts before it gives up. */
const CONFLICT_DEADLINE_MS = 10_000;

export function createEtcdStore(opts: EtcdStoreOptions): EtcdStore {
  const ttl = opts.hostTtl ?? MAX_HOST_TTL;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_HOST_TTL) throw internal(`etcd host lease TTL must be 0-${MAX_HOST_TTL} s, not ${ttl}`);
  const name = `etcd (${opts.hosts.join(',')})`;
  const timeout = opts.requestTimeoutMs ?? 5000;
  const client = new Etcd3({
    hosts: opts.hosts,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    dialTimeout: timeout,
    // Streams (watch, keepalive) live long; one request does not.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
  });
  const keys = new EtcdKeys(opts.prefix ?? DEFAULT_PREFIX);
  const call = async <T>(request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (e) {
      throw unavailable(`cluster store ${name} is unreachable: ${(e as Error).message}`, 'store.unavailable', e);
    }
  };

  let lease: Lease | undefined;
  const lostListeners: Array<() => void> = [];
  const leaseId = async (): Promise<string> => {
    if (!lease || lease.revoked()) {
      const fresh = client.lease(ttl);
      fresh.on('lost', () => {
        if (lease !== fresh) return;
        lease = undefined;
        for (const l of lostListeners) l();
      });
      lease = fresh;
    }
    return call(() => lease!.grant());
  };

  const exclusive = serial();
  const records = (t: EtcdTxn): EtcdRecords => new EtcdRecords(t, keys, ttl > 0);
  const tx = <T>(fn: (t: EtcdRecords) => Promise<T>): Promise<T> =>
    exclusive(async () => {
      const deadline = Date.now() + CONFLICT_DEADLINE_MS;
      for (let attempt = 0; ; attempt++) {
        const t = new EtcdTxn(client.kv, call);
        const result = await fn(records(t));
        if (!t.hasWrites) return result;
        if ((await t.commit(t.needsLease ? await leaseId() : undefined)) !== false) return result;
        if (Date.now() > deadline) throw unavailable(`cluster store ${name}: a transaction kept conflicting with other hosts for ${CONFLICT_DEADLINE_MS / 1000} s`, 'store.busy');
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 ** attempt)));
      }
    });
  // Outside tx(): a read is one snapshot of committed state, a write a transaction of its own.
  const plain = Object.fromEntries(
    RECORD_OP_NAMES.map((k) => {
      const op = (t: StoreTx, a: unknown[]) => (t[k] as (...x: unknown[]) => Promise<unknown>)(...a);
      return [k, RECORD_OPS[k] === 'write' ? (...a: unknown[]) => tx((t) => op(t, a)) : (...a: unknown[]) => op(records(new EtcdTxn(client.kv, call)), a)];
    }),
  ) as unknown as StoreTx;

  const watchers = new Set<Watcher>();
  let closed: Promise<void> | undefined;
  return {
    scope: 'global',
    ...plain,
    tx,
    async endpointsAt(networkId) {
      const t = new EtcdTxn(client.kv, call);
      const rows = await records(t).endpoints({ networkId });
      return { rows, revision: t.revision! }; // a range read fixed it
    },
    onLeaseLost(listener) {
      lostListeners.push(listener);
    },
    async reclaim(endpointIds) {
      const gone: string[] = [];
      // One transaction each: etcd bounds a Txn to 128 operations, an endpoint takes about 7.
      for (const id of endpointIds) if (!(await tx((t) => t.reclaimEndpoint(id)))) gone.push(id);
      return gone;
    },
    async watchEndpoints(networkId, fromRevision, onEvent, onError) {
      let last = fromRevision - 1;
      const watcher = await call(() => client.watch().prefix(keys.endpoints(networkId)).startRevision(String(fromRevision)).create());
      watchers.add(watcher);
      watcher.on('data', (res) => {
        for (const ev of res.events) {
          last = Number(ev.kv.mod_revision);
          const key = ev.kv.key.toString();
          onEvent({
            type: ev.type === 'Put' ? 'put' : 'delete',
            endpointId: lastSegment(key),
            ...(ev.type === 'Put' ? { row: parseRow<EndpointRecord>(ev.kv.value.toString()) } : {}),
            revision: last,
          });
        }
      });
      // A disconnect is not an error: the client reconnects and resumes from its revision. An
      // error is etcd cancelling the watch, as it does for a compacted revision (etcd 3.4 gives
      // no reason then).
      watcher.on('error', (e) => {
        watchers.delete(watcher);
        const why = `watch of the endpoints of network ${networkId} ended after revision ${last} (compacted away?): list them again and watch from that revision`;
        onError?.(unavailable(`cluster store ${name}: ${why}`, 'store.watchEnded', e));
      });
      return {
        get revision() {
          return last;
        },
        async close() {
          watchers.delete(watcher);
          await watcher.cancel();
        },
      };
    },
    close: () =>
      (closed ??= exclusive(async () => {
        lease?.release(); // passively: records outlive a restart by up to the TTL
        await Promise.all([...watchers].map((w) => w.cancel().catch(() => undefined)));
        client.close();
      })),
  };
}
