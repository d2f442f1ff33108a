// One contract, every driver (it lives here because it drives them through the fake engine): what the engine and reconcile take for granted of a driver, checked
// for each built-in one on the fake kernel. Kernel methods are idempotent (create twice, delete
// twice, leave twice); a network deleted leaves none of its links; reconcile with no records
// removes the driver's own leftovers and nobody else's; uninstall of nothing does nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { fakeEngine, networkRequest, type FakeWorld } from './testing/fake-engine.js';
import type { IpLine } from '../kernel/kernel.js';
import { FakeKernel } from '../kernel/fake-kernel.js';
import { silentLogger } from '../model/logger.js';
import type { NetworkRecord } from '../model/network.js';
import type { DriverContext, JoinSpec, NetworkDriver } from '../drivers/driver.js';
import { DriverRegistry } from '../drivers/registry.js';
import { createMemoryStore } from '../store/memory/memory-store.js';
import { createScopedStore } from '../store/scoped-store.js';
import { fakeClusterStore } from './testing/fake-cluster-store.js';

let world: FakeWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A network of the driver as the engine makes it: the predefined one, or a user network with a parent where needed. */
async function networkOf(w: FakeWorld, d: NetworkDriver): Promise<NetworkRecord> {
  if (d.singleton) return (await w.store.networkByName(d.predefined!.name))!.doc;
  const options: Record<string, string> = d.type === 'bridge' || d.scope === 'global' ? {} : { parent: 'up0' };
  return w.engine.networks.create(networkRequest(`n-${d.type}`, { driver: d.type, options, ipamConfig: [{ subnet: '10.30.0.0/24' }] }));
}

const names = async (k: FakeKernel, netns?: string): Promise<string[]> => (await k.links(netns)).map((l) => l.ifname).sort();

const ADVERTISE = '192.0.2.1';

/** The fake engine on a kernel with an uplink (up0, a veth holding the cluster address); in cluster mode for a global driver. */
async function open(d: NetworkDriver, extra: IpLine[] = []): Promise<{ w: FakeWorld; kernel: FakeKernel; ctx: DriverContext }> {
  const kernel = new FakeKernel();
  await kernel.ip([['link', 'add', 'name', 'up0', 'type', 'veth', 'peer', 'name', 'up1'], ['addr', 'add', `${ADVERTISE}/24`, 'dev', 'up0'], ...extra]);
  const clustered = d.scope === 'global';
  const cluster = fakeClusterStore();
  const self = { name: 'host-1', address: ADVERTISE };
  const store = clustered ? createScopedStore({ local: createMemoryStore('local'), global: cluster, self: ADVERTISE }) : createMemoryStore();
  const w = (world = await fakeEngine({}, kernel, store, clustered ? { cluster: { self, store: cluster } } : {}));
  return { w, kernel, ctx: { kernel, firewall: w.firewall, log: silentLogger, ...(clustered ? { cluster: { advertise: ADVERTISE } } : {}) } };
}

for (const d of new DriverRegistry().drivers) {
  describe(`driver contract: ${d.type}`, () => {
    it('probes, creates and deletes idempotently, and a deleted network leaves no link', async () => {
      const { w, kernel, ctx } = await open(d);
      const before = ['up0', 'up1'];
      assert.equal(await d.probe(ctx), undefined, 'the fake kernel has every kind');
      const net = await networkOf(w, d);
      // The engine's create made it, except a global network's (its first endpoint here does).
      await d.createNetwork(ctx, net);
      const made = await names(kernel);
      await d.createNetwork(ctx, net);
      assert.deepEqual(await names(kernel), made, 'a second create converges');

      const sb = await kernel.netnsCreate();
      const spec: JoinSpec = { endpointId: randomBytes(32).toString('hex'), netnsPath: sb.path, ifname: 'eth3', mac: '02:42:0a:1e:00:05', addresses: d.ipam === 'default' ? ['10.30.0.5/24'] : [], gateways: [] };
      await d.join(ctx, net, spec);
      await d.leave(ctx, net, spec);
      await d.leave(ctx, net, spec);
      assert.deepEqual(await names(kernel), made, 'leave takes away what join made on the host');
      sb.close();

      await d.deleteNetwork(ctx, net);
      await d.deleteNetwork(ctx, net);
      if (!d.singleton) assert.deepEqual((await names(kernel)).filter((n) => !before.includes(n) && n !== 'tether0'), [], 'nothing of the network is left');
    });

    it("reconcile with no records removes the driver's own leftovers only; uninstall of nothing does nothing", async () => {
      const { w, kernel, ctx } = await open(d, [['link', 'add', 'name', 'br-notours', 'type', 'bridge']]);
      const net = await networkOf(w, d);
      const foreign = ['br-notours', 'tether0', 'up0', 'up1'];
      await d.reconcile(ctx, { networks: [], endpoints: [] });
      for (const n of foreign) assert.ok((await names(kernel)).includes(n), `${n} is not the ${d.type} driver's to remove`);
      if (!d.singleton) assert.deepEqual((await names(kernel)).filter((n) => !foreign.includes(n)), [], `the record-less ${net.name} is gone`);
      assert.deepEqual(await d.uninstall(ctx, { networks: [], endpoints: [] }), []);
    });
  });
}
