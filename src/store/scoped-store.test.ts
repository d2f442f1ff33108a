// The scoped store's own rules, beyond the contract every store passes: where each record goes,
// what happens when the cluster store reruns a transaction that touched both, and what still
// works while the cluster store is unreachable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unavailable } from '../errors.js';
import type { EndpointRecord } from '../model/endpoint.js';
import { createMemoryStore } from './memory/memory-store.js';
import { createScopedStore } from './scoped-store.js';
import { ep, net, rejectsWith } from './store-contract.test-helper.js';
import { RECORD_OP_NAMES, type Store } from './store.js';

const SELF = '192.0.2.1';
const overlay = (name: string) => net(name, { driver: 'overlay', scope: 'swarm' });
const hosted = (e: EndpointRecord, address: string): EndpointRecord => ({ ...e, host: { name: address, address } });

/** A global store that can be cut off (every call unavailable) and made to rerun transactions. */
function flakyGlobal() {
  const inner = createMemoryStore('global');
  const state = { down: false, reruns: 0 };
  const guard = <T>(fn: () => Promise<T>): Promise<T> => (state.down ? Promise.reject(unavailable('cluster store etcd (test) is unreachable', 'store.unavailable')) : fn());
  const store: Store = {
    ...(Object.fromEntries(RECORD_OP_NAMES.map((k) => [k, (...a: unknown[]) => guard(() => (inner[k] as (...x: unknown[]) => Promise<unknown>)(...a))])) as object),
    scope: 'global',
    // As the etcd store after a conflict: the commit is dropped and fn runs again on fresh state.
    tx: (fn) =>
      guard(async () => {
        while (state.reruns > 0) {
          state.reruns -= 1;
          await inner.tx(async (t) => {
            await fn(t);
            throw new Error('dropped');
          }).catch(() => undefined);
        }
        return inner.tx(fn);
      }),
    close: () => inner.close(),
  } as Store;
  return { store, inner, state };
}

function scoped() {
  const local = createMemoryStore('local');
  const g = flakyGlobal();
  return { s: createScopedStore({ local, global: g.store, self: SELF }), local, g };
}

describe('scoped store', () => {
  it('puts local networks, containers and their endpoints in the local store, global ones and their leases in the cluster store', async () => {
    const { s, local, g } = scoped();
    await s.insertNetwork(net('br'), 'ready');
    await s.insertNetwork(overlay('ov'), 'ready');
    await s.putEndpoint(ep('e1', 'br-id', 'c1'), 'ready');
    await s.putEndpoint(hosted(ep('e2', 'ov-id', 'c1'), SELF), 'ready');
    await s.addLease('ov-id', '10.0.0.2', 'e2');
    assert.deepEqual((await local.networks()).map((r) => r.doc.name), ['br']);
    assert.deepEqual((await g.inner.networks()).map((r) => r.doc.name), ['ov']);
    assert.deepEqual(await g.inner.leases('ov-id'), ['10.0.0.2']);
    assert.deepEqual((await s.endpoints({ containerId: 'c1' })).map((r) => r.doc.id).sort(), ['e1', 'e2']);
    await s.deleteEndpoint('e2');
    assert.deepEqual(await g.inner.leases('ov-id'), [], 'the delete went to the cluster store');
  });

  it("lists as this host's only its own global endpoints; a network's listing has every host's", async () => {
    const { s, g } = scoped();
    await s.insertNetwork(overlay('ov'), 'ready');
    await g.inner.putEndpoint(hosted(ep('far', 'ov-id', 'c9'), '192.0.2.9'), 'ready');
    await s.putEndpoint(hosted(ep('near', 'ov-id', 'c1'), SELF), 'ready');
    assert.deepEqual((await s.endpoints()).map((r) => r.doc.id), ['near']);
    assert.deepEqual((await s.endpoints({ networkId: 'ov-id' })).map((r) => r.doc.id).sort(), ['far', 'near']);
    assert.equal(await s.countEndpoints('ov-id'), 2);
  });

  it('runs a transaction over both stores again, local part rolled back, when the cluster store reruns it', async () => {
    const { s, local, g } = scoped();
    await s.insertNetwork(overlay('ov'), 'ready');
    g.state.reruns = 1;
    let runs = 0;
    await s.tx(async (t) => {
      runs += 1;
      await t.setMeta('runs', String(runs));
      await t.putEndpoint(hosted(ep('e1', 'ov-id', 'c1'), SELF), 'creating');
      await t.addLease('ov-id', '10.0.0.2', 'e1');
    });
    assert.equal(runs, 2);
    assert.equal(await local.getMeta('runs'), '2', 'the first attempt’s local write was rolled back, the second committed');
    assert.deepEqual(await g.inner.leases('ov-id'), ['10.0.0.2']);
  });

  it('while the cluster store is unreachable: local work goes on, global networks are the last seen, global writes are refused naming the store', async () => {
    const { s, g } = scoped();
    await s.insertNetwork(net('br'), 'ready');
    await s.insertNetwork(overlay('ov'), 'ready');
    await s.putEndpoint(hosted(ep('e1', 'ov-id', 'c1'), SELF), 'ready');
    assert.equal((await s.networks()).length, 2);
    assert.equal((await s.endpoints()).length, 1); // as the engine lists them at start
    g.state.down = true;
    assert.deepEqual((await s.networks()).map((r) => r.doc.name).sort(), ['br', 'ov']);
    assert.equal((await s.network('ov-id'))?.doc.name, 'ov');
    await s.tx(async (t) => {
      assert.deepEqual((await t.endpoints({ containerId: 'c1' })).map((r) => r.doc.id), ['e1']);
      await t.putEndpoint(ep('e2', 'br-id', 'c1'), 'ready');
    });
    await rejectsWith(s.insertNetwork(overlay('ov2'), 'ready'), 'unavailable', 'store.unavailable');
    await rejectsWith(
      s.tx(async (t) => {
        await t.networks(); // answered from memory: a global write may not rest on it
        await t.insertNetwork(overlay('ov3'), 'ready');
      }),
      'unavailable',
      'store.unavailable',
    );
    await rejectsWith(s.deleteEndpoint('e1'), 'unavailable', 'store.unavailable');
    g.state.down = false;
    assert.equal((await s.networks()).length, 2);
  });
});
