// A Store over a synchronous backend (SQLite, memory): one queue serialises every operation and
// transaction, so a transaction is isolated for its whole length, awaits included, and a plain
// read never sees a transaction's uncommitted writes. The scope rules are checked here once for
// every backend.
import { serial } from './serial.js';
import type { RecordOps, RowStatus, Store, StoreScope, StoreTx } from './store.js';
import { checkContainerScope, checkNetworkScope, networkNotHere, RECORD_OP_NAMES as NAMES, RECORD_OPS as OPS } from './store.js';
import { phase } from '../model/trace.js';

export interface Backend extends RecordOps {
  begin(): void;
  commit(): void;
  rollback(): void;
  close(): void;
}

/** The backend's operations with the scope rules of store.ts applied to every write. */
function scoped(b: RecordOps, scope: StoreScope): RecordOps {
  const ops = Object.fromEntries(NAMES.map((k) => [k, (b[k] as (...a: unknown[]) => unknown).bind(b)])) as unknown as RecordOps;
  const networkHere = (id: string, what: string): void => {
    if (!b.network(id)) throw networkNotHere(id, what, scope);
  };
  return {
    ...ops,
    insertNetwork(net, status: RowStatus) {
      checkNetworkScope(net, scope);
      b.insertNetwork(net, status);
    },
    putEndpoint(ep, status: RowStatus) {
      networkHere(ep.networkId, `endpoint ${ep.id}`);
      b.putEndpoint(ep, status);
    },
    addLease(networkId, address, owner) {
      networkHere(networkId, `lease ${address}`);
      b.addLease(networkId, address, owner);
    },
    putContainer(c, status: RowStatus) {
      checkContainerScope(c, scope);
      b.putContainer(c, status);
    },
  };
}

function asyncView(ops: RecordOps, run: <T>(fn: () => T, kind: 'read' | 'write') => Promise<T>): StoreTx {
  return Object.fromEntries(NAMES.map((k) => [k, (...a: unknown[]) => run(() => (ops[k] as (...x: unknown[]) => unknown)(...a), OPS[k])])) as unknown as StoreTx;
}

export function backedStore(backend: Backend, scope: StoreScope): Store {
  const ops = scoped(backend, scope);
  /** Runs fn after everything queued before it; nothing else runs on the backend meanwhile. */
  const exclusive = serial();
  const transaction = async <T>(fn: () => T | Promise<T>): Promise<T> => {
    backend.begin();
    try {
      const r = await fn();
      backend.commit();
      return r;
    } catch (e) {
      backend.rollback();
      throw e;
    }
  };
  // Inside a transaction the queue is held already: the handle calls the backend directly.
  const handle = asyncView(ops, async (fn) => fn());
  return {
    scope,
    // A write outside tx() is a transaction of its own: a delete and the leases it releases go together.
    ...asyncView(ops, (fn, kind) => phase(`store.${kind}`, () => exclusive(kind === 'write' ? () => transaction(fn) : fn))),
    tx: (fn) => phase('store.tx', () => exclusive(() => transaction(() => fn(handle)))),
    close: () => exclusive(() => backend.close()),
  };
}
