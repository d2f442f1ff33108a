// macvlan and ipvlan on the fake engine: addresses from the default IPAM, a sub-interface made in
// the sandbox (no host veth, no bridge, no firewall rule, no published port), Docker's refusals,
// the stand-in parent of a network without -o parent, and a kernel without ipvlan/8021q.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { FakeKernel } from '../kernel/fake-kernel.js';
import { containerRequest, fakeEngine, networkRequest, type FakeWorld } from './testing/fake-engine.js';

let world: FakeWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** An engine on a fake kernel with an uplink `up0` (a veth) and, optionally, kinds it lacks. */
async function open(missing: string[] = []): Promise<FakeWorld> {
  const kernel = new FakeKernel();
  for (const k of missing) kernel.missingKinds.add(k);
  await kernel.ip([['link', 'add', 'name', 'up0', 'type', 'veth', 'peer', 'name', 'up1']]);
  world = await fakeEngine({}, kernel);
  return world;
}

const macvlan = (name: string, options: Record<string, string> = { parent: 'up0' }, subnet = '10.20.0.0/24') =>
  networkRequest(name, { driver: 'macvlan', options, ipamConfig: [{ subnet }] });
const hostLinks = async (w: FakeWorld): Promise<string[]> => (await w.kernel.links()).map((l) => l.ifname).sort();

async function startOn(w: FakeWorld, name: string, net: string): Promise<{ id: string; netns: string }> {
  const { id } = await w.engine.containers.create(containerRequest(name, net));
  await w.engine.lifecycle.start(id);
  const spec = w.runtime.started.get(id)!;
  return { id, netns: spec.netns.kind === 'path' ? spec.netns.path : '' };
}

describe('macvlan driver on the fake engine', () => {
  it('gives containers an address from IPAM on a macvlan of the parent, made in the sandbox', async () => {
    const w = await open();
    const net = await w.engine.networks.create(macvlan('mv', { parent: 'up0', macvlan_mode: 'private' }));
    assert.equal(w.firewall.networks.has(net.id), false, 'no firewall rules');
    const before = await hostLinks(w);
    const { id, netns } = await startOn(w, 'c1', 'mv');
    const [ep] = (await w.store.endpoints({ containerId: id })).map((r) => r.doc);
    assert.deepEqual([ep?.ipv4, ep?.gateway4], ['10.20.0.2', '10.20.0.1']);
    assert.deepEqual(await hostLinks(w), before, 'no host veth, no bridge');
    assert.deepEqual((await w.kernel.links(netns)).map((l) => [l.ifname, l.linkinfo?.info_kind]), [['eth0', 'macvlan']]);
    assert.ok(w.kernel.effects.includes(`ip: link add link up0 name eth0 address ${ep!.mac} netns ${netns} type macvlan mode private`));
    assert.ok(w.kernel.effects.includes(`ip ${netns}: route replace default via 10.20.0.1 dev eth0`));

    // A second container gets the next address; connect/disconnect of a running one adds and removes eth1.
    const other = await w.engine.networks.create(macvlan('mv2', { parent: 'up1' }, '10.21.0.0/24'));
    await w.engine.connect('mv2', { container: 'c1', aliases: [], links: [], driverOpts: {} });
    assert.deepEqual((await w.kernel.links(netns)).map((l) => l.ifname).sort(), ['eth0', 'eth1']);
    await w.engine.disconnect('mv2', { container: 'c1', force: false });
    assert.deepEqual((await w.kernel.links(netns)).map((l) => l.ifname), ['eth0']);
    assert.deepEqual(await w.store.leases(other.id), []);

    await w.engine.lifecycle.stop('c1');
    await w.engine.networks.remove('mv');
    assert.deepEqual(await hostLinks(w), before, 'the user parent stays');
  });

  it("refuses what Docker refuses, before anything is reserved", async () => {
    const w = await open();
    await w.engine.networks.create(macvlan('mv'));
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ parent: 'up0' }, /^network dm-[0-9a-f]{12} is already using parent interface up0$/],
      [{ parent: 'up1', macvlan_mode: 'nope' }, /^requested macvlan mode 'nope' is not valid, 'bridge' mode is the macvlan driver default$/],
      [{ parent: 'lo' }, /^loopback interface is not a valid macvlan parent link$/],
      [{ parent: 'eth9' }, /^invalid subinterface vlan name eth9, example formatting is eth0.10$/],
      [{ parent: 'eth9.10' }, /^-o parent interface was not found on the host: eth9$/],
      [{ parent: 'up1.5000' }, /^vlan id must be between 1-4094, received: 5000$/],
    ];
    for (const [options, re] of cases) {
      await assert.rejects(w.engine.networks.create(macvlan('bad', options, '10.30.0.0/24')), (e: Error) => re.test(e.message));
      assert.equal(await w.store.networkByName('bad'), undefined);
    }
  });

  it('without -o parent: a stand-in parent of its own, no default route; reconcile removes an orphan one', async () => {
    const w = await open();
    const net = await w.engine.networks.create(macvlan('solo', {}));
    const standIn = `dm-${net.id.slice(0, 12)}`;
    assert.equal((await w.kernel.links()).find((l) => l.ifname === standIn)?.operstate, 'UP');
    const { netns } = await startOn(w, 'c1', 'solo');
    assert.equal(w.kernel.effects.some((e) => e.startsWith(`ip ${netns}: route`)), false);
    await w.engine.lifecycle.stop('c1');
    await w.engine.networks.remove('solo');
    assert.equal((await hostLinks(w)).includes(standIn), false);

    await w.kernel.ip([['link', 'add', 'name', 'dm-0123456789ab', 'type', 'bridge'], ['link', 'add', 'name', 'dm-mine', 'type', 'bridge']]);
    await w.restart();
    assert.deepEqual((await hostLinks(w)).filter((n) => n.startsWith('dm-')), ['dm-mine']);
  });

  it('a kernel without ipvlan and 8021q: ipvlan is not offered and both refusals name the module', async () => {
    const w = await open(['ipvlan', 'vlan']);
    assert.deepEqual(w.engine.drivers.available(), ['bridge', 'host', 'macvlan', 'null']);
    const before = await hostLinks(w);
    await assert.rejects(w.engine.networks.create(networkRequest('iv', { driver: 'ipvlan', options: { parent: 'up0' } })), {
      message: 'the ipvlan driver needs the kernel module "ipvlan", which this kernel does not have',
      kind: 'internal',
    });
    await assert.rejects(w.engine.networks.create(macvlan('vl', { parent: 'up0.10' })), {
      message: '-o parent=up0.10 (a VLAN sub-interface to create) needs the kernel module "8021q", which this kernel does not have',
    });
    assert.deepEqual(await hostLinks(w), before);
    assert.deepEqual((await w.engine.networks.list()).map((n) => n.name).sort(), ['bridge', 'host', 'none']);
  });

  it('on a kernel with 8021q, a VLAN parent is made, marked, and deleted with its network only', async () => {
    const w = await open();
    await w.kernel.ip([['link', 'add', 'link', 'up1', 'name', 'up1.7', 'type', 'vlan', 'id', 7]]); // the user's own
    await w.engine.networks.create(macvlan('v10', { parent: 'up0.10' }));
    await w.engine.networks.create(macvlan('v7', { parent: 'up1.7' }, '10.22.0.0/24'));
    assert.ok((await hostLinks(w)).includes('up0.10'));
    await w.engine.networks.remove('v10');
    await w.engine.networks.remove('v7');
    assert.deepEqual((await hostLinks(w)).filter((n) => n.includes('.')), ['up1.7']);
  });
});
