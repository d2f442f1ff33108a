// The etcd store against a real etcd (root: the member runs in a test netns of its own): the
// store contract every Store passes, then what only a cluster store has — two hosts (two store
// instances) racing for one address or name, a watch that survives an etcd restart and resumes
// from a revision, and a dead host's lease taking its endpoints with it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type TestEtcd } from '../../../test/helpers/etcd.js';
import { waitFor } from '../../../test/helpers/daemon.js';
import { createTestHost, type TestHost } from '../../../test/helpers/testhost.js';
import { TetherError } from '../../errors.js';
import { ep, net, rejectsWith, storeContract } from '../store-contract.test-helper.js';
import { createEtcdStore, type EndpointEvent, type EtcdStore, type EtcdStoreOptions } from './etcd-store.js';

const skip = process.getuid?.() === 0 ? false : 'needs root: etcd runs in a test network namespace';
let host: TestHost | undefined;
let etcd: TestEtcd | undefined;
let prefixes = 0;

before(async () => {
  if (skip) return;
  host = createTestHost('etcd');
  etcd = await startEtcd(host);
});

after(async () => {
  await etcd?.dispose();
  host?.dispose();
});

/** A store on the test etcd; each test gets its own key prefix unless it shares one on purpose. */
function open(opts: Partial<EtcdStoreOptions> = {}): EtcdStore {
  return createEtcdStore({ hosts: [etcd!.url], prefix: `/t${++prefixes}/`, hostTtl: 0, requestTimeoutMs: 2000, ...opts });
}

storeContract({ name: 'etcd', scopes: ['global'], open: () => open(), skip });

const overlay = (name: string) => net(name, { driver: 'overlay', scope: 'global' });

describe('etcd store: two hosts', { skip }, () => {
  it('hands out distinct addresses when two hosts allocate at once; the loser reruns on a fresh snapshot', async () => {
    const prefix = `/t${++prefixes}/`;
    const [a, b] = [open({ prefix }), open({ prefix })];
    try {
      await a.insertNetwork(overlay('ov'), 'ready');
      const pool = Array.from({ length: 30 }, (_, i) => `10.0.0.${i + 2}`);
      let runs = 0;
      /** IPAM as the engine does it: list the leases, take the first free address. */
      const allocate = (s: EtcdStore, owner: string) =>
        s.tx(async (t) => {
          runs += 1;
          const taken = await t.leases('ov-id');
          const free = pool.find((x) => !taken.includes(x))!;
          await t.addLease('ov-id', free, owner);
          return free;
        });
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => [allocate(a, `a${i}`), allocate(b, `b${i}`)]).flat());
      assert.equal(new Set(got).size, 20, `addresses handed out twice: ${got.join(' ')}`);
      assert.deepEqual((await b.leases('ov-id')).sort(), [...got].sort());
      assert.ok(runs > 20, 'no transaction was rerun: the hosts never raced');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('gives one static address to one host only: the other gets Docker’s conflict', async () => {
    const prefix = `/t${++prefixes}/`;
    const [a, b] = [open({ prefix }), open({ prefix })];
    try {
      await a.insertNetwork(overlay('ov'), 'ready');
      let read!: () => void;
      const bothRead = new Promise<void>((r) => (read = r));
      const sightings: number[] = [];
      const claim = (s: EtcdStore, owner: string) =>
        s.tx(async (t) => {
          sightings.push((await t.leases('ov-id')).length);
          if (sightings.length === 2) read();
          await bothRead; // both first attempts have read before either commits
          await t.addLease('ov-id', '10.0.0.9', owner);
        });
      const results = await Promise.allSettled([claim(a, 'ea'), claim(b, 'eb')]);
      assert.deepEqual(sightings, [0, 0, 1], 'both hosts saw the address free, the loser saw it taken on its rerun');
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof TetherError && lost.reason.code === 'ipam.leased', String(lost.reason));
      assert.deepEqual(await a.leases('ov-id'), ['10.0.0.9']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('creates one network of a name two hosts create at once; the other gets network.exists', async () => {
    const prefix = `/t${++prefixes}/`;
    const [a, b] = [open({ prefix }), open({ prefix })];
    try {
      const results = await Promise.allSettled([a.insertNetwork(overlay('same'), 'ready'), b.insertNetwork(net('same', { id: 'other-id', driver: 'overlay', scope: 'global' }), 'ready')]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      await rejectsWith(Promise.reject((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason), 'conflict', 'network.exists');
      assert.equal((await b.networks()).length, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('etcd store: watch and lease', { skip }, () => {
  it('resumes a watch across an etcd restart and from a revision after the watcher went away, missing nothing', async () => {
    const prefix = `/t${++prefixes}/`;
    const [watcherHost, writer] = [open({ prefix }), open({ prefix })];
    let later: EtcdStore | undefined;
    const seen: EndpointEvent[] = [];
    const names = () => seen.map((e) => `${e.type} ${e.endpointId}`).join(', ');
    try {
      await writer.insertNetwork(overlay('ov'), 'ready');
      await writer.putEndpoint(ep('e0', 'ov-id', 'c0'), 'ready');
      const { rows, revision } = await watcherHost.endpointsAt('ov-id');
      assert.deepEqual(rows.map((r) => r.doc.id), ['e0']);
      const watch = await watcherHost.watchEndpoints('ov-id', revision + 1, (e) => seen.push(e));
      await writer.putEndpoint(ep('e1', 'ov-id', 'c1'), 'creating');
      await waitFor(names, () => seen.length === 1);
      assert.equal(seen[0]?.row?.status, 'creating');

      await etcd!.stop();
      await rejectsWith(writer.putEndpoint(ep('e2', 'ov-id', 'c2'), 'ready'), 'unavailable', 'store.unavailable');
      await etcd!.start();
      // The writer's client comes back on its own; the watch stream too, from its revision.
      await waitFor(() => 'the writer never reconnected', () => writer.putEndpoint(ep('e2', 'ov-id', 'c2'), 'ready').then(() => true, () => false), 15_000);
      await writer.setEndpointStatus('e1', 'ready');
      await waitFor(names, () => seen.length === 3, 15_000);
      assert.equal(names(), 'put e1, put e2, put e1');
      assert.equal(seen[2]?.row?.status, 'ready');

      // The watcher goes away; changes meanwhile are replayed from the last revision it handled.
      const resumeFrom = watch.revision + 1;
      assert.equal(watch.revision, seen[2]?.revision);
      await watch.close();
      await writer.deleteEndpoint('e1');
      await writer.putEndpoint(ep('e3', 'ov-id', 'c3'), 'ready');
      later = open({ prefix });
      const replay: EndpointEvent[] = [];
      const again = await later.watchEndpoints('ov-id', resumeFrom, (e) => replay.push(e));
      await waitFor(() => replay.map((e) => `${e.type} ${e.endpointId}`).join(', '), () => replay.length === 2);
      assert.deepEqual(replay.map((e) => `${e.type} ${e.endpointId}`), ['delete e1', 'put e3']);
      assert.ok(replay[0]!.revision < replay[1]!.revision);
      await again.close();
      assert.equal(seen.length, 3, 'the closed watch delivered more');
    } finally {
      await Promise.all([watcherHost.close(), writer.close(), later?.close()]);
    }
  });

  it('reports a watch from a revision compacted away through onError, so the caller lists again', async () => {
    const s = open();
    try {
      await s.insertNetwork(overlay('ov'), 'ready');
      await s.putEndpoint(ep('e1', 'ov-id', 'c1'), 'creating');
      await s.setEndpointStatus('e1', 'ready');
      const { revision } = await s.endpointsAt('ov-id');
      etcd!.ctl(['compact', String(revision)]);
      let ended: Error | undefined;
      const w = await s.watchEndpoints('ov-id', revision - 1, () => assert.fail('an event from a compacted revision'), (e) => (ended = e));
      await waitFor(() => 'the watch never reported the compaction', () => ended !== undefined);
      assert.ok(ended instanceof TetherError && ended.code === 'store.watchEnded', String(ended));
      await w.close();
    } finally {
      await s.close();
    }
  });

  it('lets a dead host’s endpoints and addresses vanish after its lease TTL, while a live host keeps them', async () => {
    const prefix = `/t${++prefixes}/`;
    const peer = open({ prefix });
    const dying = open({ prefix, hostTtl: 2 });
    try {
      await peer.insertNetwork(overlay('ov'), 'ready');
      await dying.tx(async (t) => {
        await t.putEndpoint(ep('e1', 'ov-id', 'c1'), 'ready');
        await t.addLease('ov-id', '10.0.0.2', 'e1');
      });
      const { revision } = await peer.endpointsAt('ov-id');
      const gone: EndpointEvent[] = [];
      const watch = await peer.watchEndpoints('ov-id', revision + 1, (e) => gone.push(e));
      // Kept alive, the records outlive the TTL.
      await new Promise((r) => setTimeout(r, 3000));
      assert.deepEqual((await peer.endpoints({ networkId: 'ov-id' })).map((r) => r.doc.id), ['e1']);
      // The host stops keeping its lease alive (as a killed daemon does): etcd drops its records.
      const died = Date.now();
      await dying.close();
      await waitFor(() => `still there: ${gone.length} events`, async () => (await peer.countEndpoints('ov-id')) === 0, 6000);
      assert.ok(Date.now() - died >= 1000, 'records vanished before the lease could expire');
      assert.deepEqual(await peer.leases('ov-id'), []);
      assert.deepEqual(await peer.endpoints({ containerId: 'c1' }), []);
      assert.equal((await peer.network('ov-id'))?.status, 'ready', 'the network is not the host’s: it stays');
      await waitFor(() => gone.map((e) => `${e.type} ${e.endpointId}`).join(', '), () => gone.some((e) => e.type === 'delete' && e.endpointId === 'e1'));
      await watch.close();
      // The address is free for anyone again.
      await peer.addLease('ov-id', '10.0.0.2', 'e9');
    } finally {
      await Promise.all([peer.close(), dying.close()]);
    }
  });

  it('lets a restarted host reclaim its endpoints and addresses under its new lease before the old one expires', async () => {
    const prefix = `/t${++prefixes}/`;
    const before = open({ prefix, hostTtl: 2 });
    let after: EtcdStore | undefined;
    try {
      await before.insertNetwork(overlay('ov'), 'ready');
      await before.tx(async (t) => {
        await t.putEndpoint(ep('e1', 'ov-id', 'c1'), 'ready');
        await t.addLease('ov-id', '10.0.0.2', 'e1');
      });
      await before.close(); // killed: its lease runs out in 2 s
      after = open({ prefix, hostTtl: 2 });
      assert.deepEqual(await after.reclaim(['e1', 'never-was']), ['never-was']);
      await new Promise((r) => setTimeout(r, 3500));
      assert.deepEqual((await after.endpoints({ networkId: 'ov-id' })).map((r) => r.doc.id), ['e1']);
      assert.deepEqual(await after.leases('ov-id'), ['10.0.0.2']);
      await rejectsWith(after.addLease('ov-id', '10.0.0.2', 'e2'), 'conflict', 'ipam.leased');
    } finally {
      await Promise.all([before.close(), after?.close()]);
    }
  });

  it('refuses a host lease TTL above 10 s', () => {
    assert.throws(() => createEtcdStore({ hosts: ['http://127.0.0.1:1'], hostTtl: 11 }), /0-10 s/);
  });
});
