// Two hosts on the fake engine sharing one fake cluster store, with a stub global driver that
// records peer(): a global network seen by both with one id, subnet and VNI; each host's
// endpoints programmed on the other and resolvable there by name; the cluster store's outages,
// ended watches and expired hosts; and Docker's refusal without a cluster.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { STUB_VNI, stubOverlayDriver, type StubOverlay } from '../drivers/testing/stub-overlay.js';
import { TetherError } from '../errors.js';
import { FakeKernel } from '../kernel/fake-kernel.js';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { createScopedStore } from '../store/scoped-store.js';
import { fakeClusterStore, type FakeClusterStore } from './testing/fake-cluster-store.js';
import { containerRequest, fakeEngine, networkRequest, type FakeWorld } from './testing/fake-engine.js';

interface Host {
  w: FakeWorld;
  driver: StubOverlay;
  address: string;
}

const worlds: FakeWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

async function host(cluster: FakeClusterStore, address: string): Promise<Host> {
  const driver = stubOverlayDriver();
  const self = { name: `host-${address}`, address };
  const store = createScopedStore({ local: createMemoryStore('local'), global: cluster, self: address });
  const w = await fakeEngine({}, new FakeKernel(), store, { drivers: [driver], cluster: { self, store: cluster } });
  worlds.push(w);
  return { w, driver, address };
}

async function twoHosts(): Promise<{ cluster: FakeClusterStore; a: Host; b: Host }> {
  const cluster = fakeClusterStore();
  return { cluster, a: await host(cluster, '192.0.2.1'), b: await host(cluster, '192.0.2.2') };
}

const overlay = (name: string) => networkRequest(name, { driver: 'overlay', attachable: true });

async function run(h: Host, name: string, net: string) {
  const { id } = await h.w.engine.containers.create(containerRequest(name, net));
  await h.w.engine.lifecycle.start(id);
  const [ep] = (await h.w.store.endpoints({ containerId: id })).map((r) => r.doc);
  return { id, ep: ep! };
}

/** Resolves once cond() holds (the watch delivers asynchronously), or fails naming what is seen. */
async function eventually(what: () => unknown, cond: () => boolean): Promise<void> {
  const until = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`never: ${JSON.stringify(what())}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('cluster on the fake engine', () => {
  it('shows a global network on every host with one id, subnet and VNI, Scope swarm, and another VNI for the next', async () => {
    const { a, b } = await twoHosts();
    const net = await a.w.engine.networks.create(overlay('ov'));
    const seen = await b.w.engine.networks.find('ov');
    assert.deepEqual([seen.id, seen.scope, seen.pools[0]?.subnet, seen.options[STUB_VNI]], [net.id, 'swarm', net.pools[0]?.subnet, '4096']);
    const next = await b.w.engine.networks.create(overlay('ov2'));
    assert.equal(next.options[STUB_VNI], '4097');
    assert.notEqual(next.pools[0]?.subnet, net.pools[0]?.subnet);
    await assert.rejects(b.w.engine.networks.create(overlay('ov')), /network with name ov already exists/);
    assert.deepEqual((await a.w.engine.networks.list()).map((n) => n.name).sort(), ['bridge', 'host', 'none', 'ov', 'ov2']);
  });

  it("programs each host's endpoints on the other, answers their names, lists Peers, and unprograms them when they go", async () => {
    const { a, b } = await twoHosts();
    const net = await a.w.engine.networks.create(overlay('ov'));
    const ca = await run(a, 'ca', 'ov');
    const cb = await run(b, 'cb', 'ov');
    await eventually(() => a.driver.peers, () => a.driver.peers.includes(`+${cb.ep.id}@${b.address} ${cb.ep.ipv4}`));
    assert.deepEqual(b.driver.peers, [`+${ca.ep.id}@${a.address} ${ca.ep.ipv4}`], 'listed when b joined; its own endpoint is not a peer');
    assert.deepEqual(a.w.engine.dns.records.lookup(ca.id, 'cb')?.ipv4, [cb.ep.ipv4]);
    assert.deepEqual(b.w.engine.dns.records.lookup(cb.id, 'ca')?.ipv4, [ca.ep.ipv4]);
    assert.deepEqual((await a.w.engine.networkPeers(net.id)).map((p) => p.address), [a.address, b.address]);
    assert.deepEqual((await a.w.engine.networkContainers(net.id)).map((c) => c.name), ['ca'], "inspect's Containers are this host's");
    await assert.rejects(a.w.engine.networks.remove('ov'), /has active endpoints/);

    await b.w.engine.lifecycle.stop(cb.id);
    await eventually(() => a.driver.peers, () => a.driver.peers.includes(`-${cb.ep.id}@${b.address}`));
    assert.equal(a.w.engine.dns.records.lookup(ca.id, 'cb'), undefined);
  });

  it("makes a global network's kernel side on a host with its first endpoint there and takes it with the last", async () => {
    const { a, b } = await twoHosts();
    const net = await a.w.engine.networks.create(overlay('ov'));
    assert.deepEqual([a.driver.made.has(net.id), b.driver.made.has(net.id)], [false, false], 'nothing at create, on either host');
    const [b1, b2] = await Promise.all([run(b, 'b1', 'ov'), run(b, 'b2', 'ov')]);
    assert.deepEqual([a.driver.made.has(net.id), b.driver.made.has(net.id)], [false, true]);
    await b.w.engine.lifecycle.stop(b1.id);
    assert.ok(b.driver.made.has(net.id), 'b2 still uses it');
    await b.w.engine.lifecycle.stop(b2.id);
    assert.ok(!b.driver.made.has(net.id), 'gone with the last endpoint on b');
    await b.w.engine.lifecycle.start(b2.id);
    assert.ok(b.driver.made.has(net.id), 'back with the next');
    await b.w.engine.lifecycle.stop(b2.id);
    await a.w.engine.networks.remove('ov');
    assert.deepEqual([a.driver.made.has(net.id), b.driver.made.has(net.id)], [false, false], 'removed on a, nothing left on b');
  });

  it('a host whose lease was lost while it ran puts back what is stored and rejoins what expired', async () => {
    const { cluster, a, b } = await twoHosts();
    await a.w.engine.networks.create(overlay('ov'));
    const ca = await run(a, 'ca', 'ov');
    const kept = await run(b, 'kept', 'ov');
    await cluster.expire(b.address); // b's endpoints are gone from the cluster
    await eventually(() => a.driver.peers, () => a.driver.peers.includes(`-${kept.ep.id}@${b.address}`));
    const squatter = await run(a, 'squatter', 'ov');
    assert.equal(squatter.ep.ipv4, kept.ep.ipv4, 'the freed address is the lowest free one');
    cluster.setDown(true);
    cluster.loseLeases(); // b learns it while the store is out of reach: it retries
    await new Promise((r) => setTimeout(r, 50));
    cluster.setDown(false);
    await eventually(() => b.w.store.endpoints({ containerId: kept.id }), () => a.w.engine.dns.records.lookup(ca.id, 'kept') !== undefined);
    const [again] = (await b.w.store.endpoints({ containerId: kept.id })).map((r) => r.doc);
    assert.ok(again && again.ipv4 !== squatter.ep.ipv4, `kept joined anew on ${again?.ipv4}, not on squatter's ${squatter.ep.ipv4}`);
    assert.deepEqual(a.w.engine.dns.records.lookup(ca.id, 'kept')?.ipv4, [again.ipv4]);
  });

  it('hands out distinct addresses to endpoints reserved at once on both hosts', async () => {
    const { a, b } = await twoHosts();
    await a.w.engine.networks.create(overlay('ov'));
    const started = await Promise.all(Array.from({ length: 20 }, (_, i) => run(i % 2 ? a : b, `c${i}`, 'ov')));
    assert.equal(new Set(started.map((s) => s.ep.ipv4)).size, 20);
  });

  it('refuses global creates with 503 naming the store while it is unreachable, keeps local work going, and misses nothing after', async () => {
    const { cluster, a, b } = await twoHosts();
    await a.w.engine.networks.create(overlay('ov'));
    await run(a, 'ca', 'ov');
    await b.w.engine.networks.find('ov'); // b has seen it
    cluster.setDown(true);
    await assert.rejects(a.w.engine.networks.create(overlay('ov2')), (e: unknown) => e instanceof TetherError && e.kind === 'unavailable' && /cluster store etcd/.test(e.message));
    await assert.rejects(run(b, 'cb', 'ov'), (e: unknown) => e instanceof TetherError && e.kind === 'unavailable');
    const local = await run(b, 'local', 'bridge');
    assert.ok(local.ep.ipv4, 'a container on a local network starts');
    assert.deepEqual((await b.w.engine.networks.list()).map((n) => n.name).sort(), ['bridge', 'host', 'none', 'ov'], 'the global network as last seen');
    cluster.setDown(false);
    const cb = await run(b, 'cb-again', 'ov');
    await eventually(() => a.driver.peers, () => a.driver.peers.includes(`+${cb.ep.id}@${b.address} ${cb.ep.ipv4}`));
  });

  it('lists again when the store ends a watch, and drops an expired host’s endpoints', async () => {
    const { cluster, a, b } = await twoHosts();
    await a.w.engine.networks.create(overlay('ov'));
    await run(a, 'ca', 'ov');
    const cb = await run(b, 'cb', 'ov');
    await eventually(() => a.driver.peers, () => a.driver.peers.length === 1);
    cluster.endWatches();
    const cb2 = await run(b, 'cb2', 'ov');
    await eventually(() => a.driver.peers, () => a.driver.peers.includes(`+${cb2.ep.id}@${b.address} ${cb2.ep.ipv4}`));
    assert.equal(a.driver.peers.filter((p) => p.startsWith(`+${cb.ep.id}`)).length, 1, 'a relist programs nothing twice');
    await cluster.expire(b.address);
    await eventually(() => a.driver.peers, () => a.driver.peers.includes(`-${cb.ep.id}@${b.address}`) && a.driver.peers.includes(`-${cb2.ep.id}@${b.address}`));
  });

  it('refuses a global network without a cluster store, with Docker’s words', async () => {
    const driver = stubOverlayDriver();
    const w = await fakeEngine({}, new FakeKernel(), createMemoryStore(), { drivers: [driver] });
    worlds.push(w);
    await assert.rejects(w.engine.networks.create(overlay('ov')), /This node is not a swarm manager/);
  });
});
