// The engine's decisions on fakes (memory store, fake kernel, recording firewall): what a network
// create/rm, a connect/disconnect and a restart would do to the kernel and the records, per
// driver. No root, no namespace: these run in `npm run test:unit`.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { containerRequest, fakeEngine, networkRequest, type FakeWorld } from './testing/fake-engine.js';

let world: FakeWorld | undefined;
async function open(): Promise<FakeWorld> {
  world = await fakeEngine();
  return world;
}
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const bridgeOf = (id: string): string => `br-${id.slice(0, 12)}`;
const linkNames = async (w: FakeWorld, netns?: string): Promise<string[]> => (await w.kernel.links(netns)).map((l) => l.ifname).sort();

describe('engine: networks', () => {
  it('creates the predefined networks once, and the default bridge with its firewall rules', async () => {
    const w = await open();
    const names = (await w.engine.networks.list()).map((n) => `${n.name}/${n.driver}`).sort();
    assert.deepEqual(names, ['bridge/bridge', 'host/host', 'none/null']);
    assert.deepEqual(await linkNames(w), ['tether0']);
    const fw = [...w.firewall.networks.values()];
    assert.deepEqual(fw.map((n) => [n.bridge, n.subnets.map((s) => s.text)]), [['tether0', ['172.17.0.0/16']]]);
    await w.restart();
    assert.equal((await w.engine.networks.list()).length, 3);
  });

  it('create makes a bridge with the gateway, up, and its rules; rm takes both away', async () => {
    const w = await open();
    const net = await w.engine.networks.create(networkRequest('n1'));
    assert.equal(net.pools[0]?.subnet, '172.18.0.0/16');
    const br = bridgeOf(net.id);
    assert.ok(w.kernel.effects.includes(`ip: link add name ${br} type bridge`));
    assert.ok(w.kernel.effects.includes(`ip: addr replace 172.18.0.1/16 broadcast + dev ${br}`));
    assert.equal((await w.kernel.links()).find((l) => l.ifname === br)?.operstate, 'UP');
    assert.deepEqual(w.firewall.networks.get(net.id)?.subnets.map((s) => s.text), ['172.18.0.0/16']);

    await w.engine.networks.remove('n1');
    assert.deepEqual(await linkNames(w), ['tether0']);
    assert.equal(w.firewall.networks.has(net.id), false);
    assert.equal(await w.store.network(net.id), undefined);
  });

  it("takes the next pool for each network, and refuses the drivers' singletons and predefined names", async () => {
    const w = await open();
    const a = await w.engine.networks.create(networkRequest('a'));
    const b = await w.engine.networks.create(networkRequest('b', { ipamConfig: [{ subnet: '10.9.0.0/24' }] }));
    const c = await w.engine.networks.create(networkRequest('c'));
    assert.deepEqual([a, b, c].map((n) => n.pools[0]?.subnet), ['172.18.0.0/16', '10.9.0.0/24', '172.19.0.0/16']);
    await assert.rejects(w.engine.networks.create(networkRequest('h2', { driver: 'host' })), /only one instance of "host" network is allowed/);
    await assert.rejects(w.engine.networks.create(networkRequest('none')), /operation is not permitted on predefined none network/);
    await assert.rejects(w.engine.networks.create(networkRequest('x', { driver: 'nope' as 'bridge' })), /plugin "nope" not found/);
  });

  it('a create the kernel refuses leaves no record, no rule and no link', async () => {
    const w = await open();
    // Someone else's interface with the bridge name the user asks for: not a bridge, refused.
    await w.kernel.ip([['link', 'add', 'name', 'mine0', 'type', 'veth', 'peer', 'name', 'mine1']]);
    await assert.rejects(w.engine.networks.create(networkRequest('n', { options: { 'com.docker.network.bridge.name': 'mine0' } })), /existing interface mine0 is not a bridge/);
    assert.equal(await w.store.networkByName('n'), undefined);
    assert.equal(w.firewall.networks.size, 1);
  });
});

describe('engine: containers on networks', () => {
  it('start on a bridge network: an address from its pool, a veth into the sandbox, the default route', async () => {
    const w = await open();
    const net = await w.engine.networks.create(networkRequest('n1'));
    const { id } = await w.engine.containers.create(containerRequest('c1', 'n1'));
    await w.engine.lifecycle.start(id);
    const [ep] = (await w.store.endpoints({ containerId: id })).map((r) => r.doc);
    assert.equal(ep?.ipv4, '172.18.0.2');
    assert.equal(ep?.gateway4, '172.18.0.1');
    const host = `tv${ep!.id.slice(0, 11)}`;
    const link = (await w.kernel.links()).find((l) => l.ifname === host);
    assert.equal(link?.master, bridgeOf(net.id));
    const spec = w.runtime.started.get(id)!;
    assert.equal(spec.netns.kind, 'path');
    const netns = spec.netns.kind === 'path' ? spec.netns.path : '';
    assert.deepEqual(await linkNames(w, netns), ['eth0']);
    assert.ok(w.kernel.effects.includes(`ip ${netns}: addr add 172.18.0.2/16 broadcast + dev eth0`));
    assert.ok(w.kernel.effects.includes(`ip ${netns}: route replace default via 172.18.0.1 dev eth0`));
  });

  it('connect adds eth1 without a second default route; disconnect removes the veth and frees the address', async () => {
    const w = await open();
    await w.engine.networks.create(networkRequest('n1'));
    const n2 = await w.engine.networks.create(networkRequest('n2', { ipamConfig: [{ subnet: '10.5.0.0/24' }] }));
    const { id } = await w.engine.containers.create(containerRequest('c1', 'n1'));
    await w.engine.lifecycle.start(id);
    await w.engine.connect('n2', { container: 'c1', ipv4: '10.5.0.9', aliases: ['db'], links: [], driverOpts: {} });
    const ep = (await w.store.endpoints({ containerId: id })).map((r) => r.doc).find((e) => e.networkId === n2.id)!;
    assert.deepEqual([ep.ifname, ep.ipv4, ep.defaultRoute], ['eth1', '10.5.0.9', false]);
    assert.ok(ep.dnsNames.includes('db'));
    const host = `tv${ep.id.slice(0, 11)}`;
    assert.ok((await linkNames(w)).includes(host));
    assert.equal(w.kernel.effects.some((e) => e.includes('route replace default via 10.5.0.1')), false);

    await w.engine.disconnect('n2', { container: 'c1', force: false });
    assert.equal((await linkNames(w)).includes(host), false);
    assert.deepEqual(await w.store.leases(n2.id), []);
    // The address is free again: the next container gets it.
    await w.engine.connect('n2', { container: 'c1', ipv4: '10.5.0.9', aliases: [], links: [], driverOpts: {} });
  });

  it('host and none: no address, no link, and neither joins another network', async () => {
    const w = await open();
    await w.engine.networks.create(networkRequest('n1'));
    for (const mode of ['host', 'none']) {
      const { id } = await w.engine.containers.create(containerRequest(`c-${mode}`, mode));
      const before = (await w.kernel.links()).length;
      await w.engine.lifecycle.start(id);
      const eps = (await w.store.endpoints({ containerId: id })).map((r) => r.doc);
      assert.equal(eps.length, 1);
      assert.equal(eps[0]?.ipv4, undefined, `${mode} gets no address`);
      assert.equal((await w.kernel.links()).length, before, `${mode} makes no host link`);
      await assert.rejects(w.engine.connect('n1', { container: `c-${mode}`, aliases: [], links: [], driverOpts: {} }), mode === 'host' ? /host network/ : /private \(none\) mode/);
    }
    assert.equal(w.runtime.started.get((await w.engine.containers.find('c-host')).id)?.netns.kind, 'host');
  });

  it('two containers on one network get consecutive addresses; a removed one gives its address back', async () => {
    const w = await open();
    await w.engine.networks.create(networkRequest('n1', { ipamConfig: [{ subnet: '10.7.0.0/29' }] }));
    const ids: string[] = [];
    for (const name of ['ca', 'cb']) {
      const { id } = await w.engine.containers.create(containerRequest(name, 'n1'));
      await w.engine.lifecycle.start(id);
      ids.push(id);
    }
    const addr = async (id: string): Promise<string | undefined> => (await w.store.endpoints({ containerId: id }))[0]?.doc.ipv4;
    assert.deepEqual([await addr(ids[0]!), await addr(ids[1]!)], ['10.7.0.2', '10.7.0.3']);
    await w.engine.lifecycle.stop('ca');
    assert.equal(await addr(ids[0]!), undefined);
  });
});

describe('engine: reconcile after a restart', () => {
  it('removes our bridges and veths no record owns, and leaves anyone else’s alone', async () => {
    const w = await open();
    await w.kernel.ip([
      ['link', 'add', 'name', 'br-0123456789ab', 'type', 'bridge'],
      ['link', 'add', 'name', 'tv0123456789a', 'type', 'veth', 'peer', 'name', 'x0'],
      ['link', 'add', 'name', 'br-notours', 'type', 'bridge'],
    ]);
    await w.restart();
    assert.deepEqual(await linkNames(w), ['br-notours', 'tether0']);
  });

  it('rolls back a network create a crash interrupted, and recreates a bridge that vanished', async () => {
    const w = await open();
    const half = await w.engine.networks.create(networkRequest('half'));
    const kept = await w.engine.networks.create(networkRequest('kept'));
    await w.store.setNetworkStatus(half.id, 'creating');
    await w.kernel.ip([['link', 'del', 'dev', bridgeOf(kept.id)]]);
    await w.restart();
    assert.equal(await w.store.network(half.id), undefined);
    assert.deepEqual(await linkNames(w), [bridgeOf(kept.id), 'tether0'].sort());
    assert.deepEqual([...w.firewall.networks.values()].map((n) => n.bridge).sort(), [bridgeOf(kept.id), 'tether0'].sort());
  });

  it('a container whose process died while the daemon was down is exited, its endpoint gone', async () => {
    const w = await open();
    await w.engine.networks.create(networkRequest('n1'));
    const { id } = await w.engine.containers.create(containerRequest('c1', 'n1'));
    await w.engine.lifecycle.start(id);
    await w.restart(); // the fake runtime recovers no process
    assert.equal((await w.engine.containers.find('c1')).state.status, 'exited');
    assert.deepEqual(await w.store.endpoints({ containerId: id }), []);
    assert.deepEqual((await linkNames(w)).filter((n) => n.startsWith('tv')), []);
  });
});
