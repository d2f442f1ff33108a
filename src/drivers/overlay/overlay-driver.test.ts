// The overlay driver on the FakeKernel: what it asks the kernel for at create, join, peer, leave
// and delete, VNI assignment, and the answers without a cluster. The real kernel's side is
// test/overlay-driver.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoFirewaller } from '../../firewall/firewaller.js';
import { FakeKernel } from '../../kernel/fake-kernel.js';
import { silentLogger } from '../../model/logger.js';
import { NETWORK_DEFAULTS, type NetworkRecord } from '../../model/network.js';
import type { DriverContext, JoinSpec } from '../driver.js';
import { DriverRegistry } from '../registry.js';
import { VNI_OPT } from './options.js';
import { overlayDriver as d } from './overlay-driver.js';

function record(id: string, options: Record<string, string> = {}, internal = false): NetworkRecord {
  return {
    id: id.repeat(64).slice(0, 64),
    name: `n${id}`,
    driver: 'overlay',
    scope: 'global',
    created: '',
    ...NETWORK_DEFAULTS,
    internal,
    attachable: true,
    pools: [{ family: 4, subnet: '10.0.1.0/24', gateway: '10.0.1.1', gatewayExplicit: false, poolAssigned: true, active: true, auxAddresses: {} }],
    options,
    predefined: false,
  };
}

async function world(): Promise<{ k: FakeKernel; ctx: DriverContext; sandbox: string }> {
  const k = new FakeKernel();
  await k.ip([['link', 'add', 'name', 'eth0', 'mtu', 9000, 'type', 'veth'], ['addr', 'add', '192.0.2.10/24', 'dev', 'eth0']]);
  const sandbox = (await k.netnsCreate()).path;
  return { k, ctx: { kernel: k, firewall: new NoFirewaller(), log: silentLogger, cluster: { advertise: '192.0.2.10' } }, sandbox };
}

const spec = (sandbox: string, ep = 'e'): JoinSpec => ({
  endpointId: ep.repeat(64).slice(0, 64),
  netnsPath: sandbox,
  ifname: 'eth0',
  mac: '02:42:0a:00:01:02',
  addresses: ['10.0.1.2/24'],
  gateways: ['10.0.1.1'],
});

const withVni = (net: NetworkRecord, vni: number): NetworkRecord => ({ ...net, options: { ...net.options, [VNI_OPT]: String(vni) } });

describe('overlay driver (fake kernel)', () => {
  it('assigns the lowest free VNI from 4096 up, keeps one asked for, refuses one in use', () => {
    const others = [withVni(record('a'), 4096), withVni(record('b'), 4098), { ...record('c'), driver: 'bridge' as const }];
    const n = record('d');
    d.assign!(n, others);
    assert.equal(n.options[VNI_OPT], '4097');
    const asked = record('e', { [VNI_OPT]: '42' });
    d.assign!(asked, others);
    assert.equal(asked.options[VNI_OPT], '42');
    assert.equal(d.conflict(record('f', { [VNI_OPT]: '4098' }), others)?.message, 'vxlan id 4098 is already in use by network nb');
    assert.equal(d.conflict(asked, others), undefined);
  });

  it('refuses bad options with their reasons', async () => {
    const { ctx } = await world();
    for (const [opts, re] of [
      [{ [VNI_OPT]: '0' }, /invalid vxlan id/],
      [{ [VNI_OPT]: '1,2' }, /one VXLAN id/],
      [{ 'com.docker.network.driver.mtu': 'x' }, /failed to parse/],
    ] as const) {
      await assert.rejects(d.validate(ctx, record('a', opts)), re);
    }
  });

  it('without a cluster: the probe and a create give Docker\'s no-swarm answer (403)', async () => {
    const { ctx } = await world();
    const lone = { ...ctx, cluster: undefined };
    const registry = new DriverRegistry();
    await registry.probe(lone);
    assert.ok(!registry.available().includes('overlay'));
    assert.throws(() => registry.forCreate('overlay'), (e: Error & { kind?: string }) => /not a swarm manager/.test(e.message) && e.kind === 'forbidden');
    await registry.probe(ctx);
    assert.ok(registry.available().includes('overlay'));
  });

  it('creates the namespace, bridge and VXLAN device (made outside, then moved), MTU underlay − 50', async () => {
    const { k, ctx } = await world();
    const net = withVni(record('1'), 4100);
    await d.createNetwork(ctx, net);
    await d.createNetwork(ctx, net); // converges
    const ns = '/fake/pinned/ov-111111111111';
    assert.deepEqual(await k.netnsPinned(), ['ov-111111111111']);
    assert.deepEqual((await k.links(ns)).map((l) => [l.ifname, l.linkinfo?.info_kind, l.mtu, l.master]), [
      ['vx-4100', 'vxlan', 8950, 'ov-4100'],
      ['ov-4100', 'bridge', 8950, undefined],
    ]);
    assert.ok(k.effects.includes('ip: link add name vx-4100 mtu 8950 type vxlan id 4100 dstport 4789 nolearning proxy local 192.0.2.10'));
    assert.ok(k.effects.includes(`ip: link set dev vx-4100 netns ${ns}`));
    assert.ok(k.effects.includes(`ip ${ns}: addr replace 10.0.1.1/24 broadcast + dev ov-4100`));
    assert.deepEqual((await k.links()).map((l) => l.ifname).sort(), ['eth0', 'tether_gwbridge']);
    assert.equal(d.firewallRules(net)?.bridge, 'tether_gwbridge');
  });

  it('joins with a veth into the overlay bridge and a gateway leg that carries the default route', async () => {
    const { k, ctx, sandbox } = await world();
    const net = withVni(record('2', { 'com.docker.network.driver.mtu': '1400' }), 4101);
    await d.createNetwork(ctx, net);
    await d.join(ctx, net, spec(sandbox));
    const ns = '/fake/pinned/ov-222222222222';
    assert.deepEqual((await k.links(sandbox)).map((l) => [l.ifname, l.mtu]), [['eth0', 1400], ['gw-eth0', 1500]]);
    assert.deepEqual((await k.links(ns)).find((l) => l.ifname === `ve${'e'.repeat(11)}`)?.master, 'ov-4101');
    const leg = (await k.links()).find((l) => l.ifname === 'tvgeeeeeeeeee');
    assert.equal(leg?.master, 'tether_gwbridge');
    assert.equal(leg?.ifalias, '172.31.0.2');
    assert.ok(k.effects.includes('ip: route replace 10.0.1.2/32 via 172.31.0.2 dev tether_gwbridge'), 'published ports reach the overlay address');
    assert.ok(k.effects.includes(`ip ${sandbox}: route replace default via 172.31.0.1 dev gw-eth0`));
    assert.ok(!k.effects.some((e) => /route replace default via 10\.0\.1\.1/.test(e)), 'no default route into the overlay');
    assert.deepEqual(d.publishing(net), { hostIpv4: '0.0.0.0' });

    await d.leave(ctx, net, spec(sandbox));
    await d.leave(ctx, net, spec(sandbox)); // idempotent
    assert.deepEqual(await k.links(sandbox), []);
    assert.equal((await k.links()).find((l) => l.ifname.startsWith('tvg')), undefined);
    await d.deleteNetwork(ctx, net);
    await d.deleteNetwork(ctx, net);
    assert.deepEqual(await k.netnsPinned(), []);
    assert.deepEqual((await k.links()).map((l) => l.ifname), ['eth0'], 'the gateway bridge went with the last overlay');
  });

  it('internal overlays get no gateway leg, no default route and no publishing', async () => {
    const { k, ctx, sandbox } = await world();
    const net = withVni(record('3', {}, true), 4102);
    await d.createNetwork(ctx, net);
    await d.join(ctx, net, { ...spec(sandbox), gateways: [] });
    assert.deepEqual((await k.links(sandbox)).map((l) => l.ifname), ['eth0']);
    assert.equal((await k.links()).find((l) => l.ifname === 'tether_gwbridge'), undefined);
    assert.equal(d.publishing(net), undefined);
    assert.equal(d.firewallRules(net), undefined);
  });

  it('programs peers as static FDB and neighbour entries, replays them at create, removes them idempotently', async () => {
    const { k, ctx } = await world();
    const net = withVni(record('4'), 4103);
    const peer = { endpointId: 'p1', host: '192.0.2.11', mac: '02:42:0a:00:01:09', ipv4: '10.0.1.9' };
    await d.peer!(ctx, net, peer, true); // before the network exists here: remembered
    await d.peer!(ctx, net, { ...peer, endpointId: 'mine', host: '192.0.2.10', ipv4: '10.0.1.10' }, true); // ours: ignored
    await d.createNetwork(ctx, net);
    const ns = '/fake/pinned/ov-444444444444';
    assert.deepEqual(k.neighbours(ns, 'fdb'), ['02:42:0a:00:01:09 dev vx-4103 dst 192.0.2.11 self permanent']);
    assert.deepEqual(k.neighbours(ns, 'neigh'), ['10.0.1.9 lladdr 02:42:0a:00:01:09 dev vx-4103 nud permanent']);
    await d.peer!(ctx, net, peer, true); // again: nothing new
    assert.equal(k.neighbours(ns, 'fdb').length, 1);

    // The address moves to another endpoint before the old one's "gone" arrives: the newcomer stays.
    const heir = { endpointId: 'p2', host: '192.0.2.12', mac: '02:42:0a:00:01:0a', ipv4: '10.0.1.9' };
    await d.peer!(ctx, net, heir, true);
    await d.peer!(ctx, net, peer, false);
    await d.peer!(ctx, net, peer, false);
    assert.deepEqual(k.neighbours(ns, 'neigh'), ['10.0.1.9 lladdr 02:42:0a:00:01:0a dev vx-4103 nud permanent']);
    assert.deepEqual(k.neighbours(ns, 'fdb'), ['02:42:0a:00:01:0a dev vx-4103 dst 192.0.2.12 self permanent']);
    await d.peer!(ctx, net, heir, false);
    assert.deepEqual([k.neighbours(ns, 'neigh'), k.neighbours(ns, 'fdb')], [[], []]);
    assert.ok(k.effects.some((e) => e.startsWith(`bridge ${ns}: fdb del`)), 'FDB changes go through the bridge batch');
  });

  it('reconcile removes namespaces, legs and the gateway bridge that no record owns', async () => {
    const { k, ctx, sandbox } = await world();
    const kept = withVni(record('5'), 4104);
    const gone = withVni(record('6'), 4105);
    await d.createNetwork(ctx, kept);
    await d.createNetwork(ctx, gone);
    await d.join(ctx, kept, spec(sandbox, 'a'));
    await k.ip([['link', 'add', 'name', 'vx-4999', 'type', 'vxlan']]); // a crash between add and move
    await d.reconcile(ctx, { networks: [kept], endpoints: [] });
    assert.deepEqual(await k.netnsPinned(), ['ov-555555555555']);
    assert.deepEqual((await k.links()).map((l) => l.ifname).sort(), ['eth0', 'tether_gwbridge']);
    await d.reconcile(ctx, { networks: [], endpoints: [] });
    assert.deepEqual(await k.netnsPinned(), []);
    assert.deepEqual((await k.links()).map((l) => l.ifname), ['eth0']);
  });
});
