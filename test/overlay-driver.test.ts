// Issue 20: the overlay driver against a real kernel. Two test hosts joined by an underlay veth
// (10.99.0.1/24 and 10.99.0.2/24), the driver driven directly on each (overlay-host.ts: no
// daemon, no store; the network record with a fixed VNI stands in for the cluster store's), a
// sandbox namespace per host joined to the network, and each host told of the other's endpoint
// through peer(). Traffic stays inside namespaces this test made.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTestHost, uniqueName, type TestHost } from './helpers/testhost.js';
import { startOverlayHost, type OverlayHost } from './helpers/overlay-host.js';
import { NETWORK_DEFAULTS, type NetworkRecord } from '../src/model/network.js';
import type { JoinSpec, RemoteEndpoint } from '../src/drivers/driver.js';

const VNI = 4242;
const UNDERLAY = ['10.99.0.1', '10.99.0.2'] as const;

function overlayRecord(extra: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    id: randomBytes(32).toString('hex'),
    name: 'ovnet',
    driver: 'overlay',
    scope: 'global',
    created: new Date().toISOString(),
    ...NETWORK_DEFAULTS,
    attachable: true,
    pools: [{ family: 4, subnet: '10.200.0.0/24', gateway: '10.200.0.1', gatewayExplicit: false, poolAssigned: false, active: true, auxAddresses: {} }],
    options: { 'com.docker.network.driver.overlay.vxlanid_list': String(VNI) },
    predefined: false,
    ...extra,
  };
}

interface Sandbox {
  name: string;
  path: string;
  spec: JoinSpec;
  remote: RemoteEndpoint;
}

function sandbox(i: number, host: string): Sandbox {
  const name = uniqueName('os');
  spawnSync('ip', ['netns', 'add', name]);
  spawnSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  const endpointId = randomBytes(32).toString('hex');
  const ip = `10.200.0.${i + 2}`;
  const mac = `02:42:0a:c8:00:0${i + 2}`;
  const path = `/run/netns/${name}`;
  return {
    name,
    path,
    spec: { endpointId, netnsPath: path, ifname: 'eth0', mac, addresses: [`${ip}/24`], gateways: ['10.200.0.1'] },
    remote: { endpointId, host, mac, ipv4: ip },
  };
}

const inNs = (path: string, argv: string[]) => spawnSync('nsenter', [`--net=${path}`, '--', ...argv], { encoding: 'utf8', timeout: 20_000 });
// busybox's ping: this machine has no iputils.
const ping = (path: string, to: string, ...opts: string[]) => inNs(path, ['busybox', 'ping', '-c', '1', '-W', '1', ...opts, to]).status === 0;

async function waitFor(what: string, f: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!f()) {
    if (Date.now() > until) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('overlay driver over VXLAN between two hosts', () => {
  const hosts: TestHost[] = [];
  const drivers: OverlayHost[] = [];
  const sandboxes: Sandbox[] = [];
  const net = overlayRecord();
  const ovns = (i: number): string => join(drivers[i]!.pinDir, `ov-${net.id.slice(0, 12)}`);
  const txPackets = (i: number): number => {
    const [l] = JSON.parse(inNs(ovns(i), ['ip', '-s', '-j', 'link', 'show', 'dev', `vx-${VNI}`]).stdout) as Array<{ stats64: { tx: { packets: number } } }>;
    return l!.stats64.tx.packets;
  };

  before(async () => {
    for (let i = 0; i < 2; i++) hosts.push(createTestHost('ov'));
    const [h1, h2] = hosts as [TestHost, TestHost];
    h1.sh(['ip', 'link', 'add', 'ul0', 'type', 'veth', 'peer', 'name', 'ul0', 'netns', h2.nsPath]);
    hosts.forEach((h, i) => {
      h.sh(['ip', 'addr', 'add', `${UNDERLAY[i]}/24`, 'dev', 'ul0']);
      h.sh(['ip', 'link', 'set', 'ul0', 'up']);
      h.sh(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    });
    for (let i = 0; i < 2; i++) drivers.push(await startOverlayHost(hosts[i]!, UNDERLAY[i]));
    for (let i = 0; i < 2; i++) sandboxes.push(sandbox(i, UNDERLAY[i]!));
  });

  after(() => {
    for (const d of drivers) d.kill();
    for (const s of sandboxes) spawnSync('ip', ['netns', 'del', s.name]);
    for (const h of hosts) h.dispose();
  });

  it('probes: vxlan works here, and without a cluster the answer is Docker\'s', async () => {
    assert.equal(await drivers[0]!.call('probe'), null);
    const lone = await startOverlayHost(hosts[0]!, undefined, 'ovtlone');
    try {
      assert.match(String(await lone.call('probe')), /not a swarm manager/);
    } finally {
      lone.kill();
    }
  });

  it('containers on two hosts ping each other over the VXLAN, with static entries only', async () => {
    const [a, b] = sandboxes as [Sandbox, Sandbox];
    for (let i = 0; i < 2; i++) {
      await drivers[i]!.call('create', { net });
      await drivers[i]!.call('join', { net, spec: sandboxes[i]!.spec });
    }
    await drivers[0]!.call('peer', { net, ep: b.remote, present: true });
    await drivers[1]!.call('peer', { net, ep: a.remote, present: true });
    await waitFor('ping a → b over the overlay', () => ping(a.path, '10.200.0.3'));
    assert.ok(ping(b.path, '10.200.0.2'), 'ping b → a');

    // The VXLAN device was made with learning off, port 4789, our underlay address, in the overlay namespace.
    const [vx] = JSON.parse(inNs(ovns(0), ['ip', '-d', '-j', 'link', 'show', 'dev', `vx-${VNI}`]).stdout) as Array<{ linkinfo: { info_data: Record<string, unknown> } }>;
    assert.equal(vx!.linkinfo.info_data.id, VNI);
    assert.equal(vx!.linkinfo.info_data.port, 4789);
    assert.equal(vx!.linkinfo.info_data.learning, false);
    assert.equal(vx!.linkinfo.info_data.proxy, true);
    assert.equal(vx!.linkinfo.info_data.local, UNDERLAY[0]);
    // Its FDB has our one static entry and nothing learned or flooded (no all-zero default destination).
    const fdb = JSON.parse(inNs(ovns(0), ['bridge', '-j', 'fdb', 'show', 'dev', `vx-${VNI}`]).stdout) as Array<{ mac: string; dst?: string; state?: string; flags?: string[] }>;
    const remote = fdb.filter((e) => e.dst !== undefined);
    assert.deepEqual(remote.map((e) => [e.mac, e.dst, e.state]), [[b.remote.mac, UNDERLAY[1], 'permanent']]);
    assert.ok(!fdb.some((e) => e.mac === '00:00:00:00:00:00'), 'no flood entry');
    const neigh = JSON.parse(inNs(ovns(0), ['ip', '-j', 'neigh', 'show', 'dev', `vx-${VNI}`]).stdout) as Array<{ dst: string; lladdr: string; state: string[] }>;
    assert.deepEqual(neigh.map((n) => [n.dst, n.lladdr, n.state]), [['10.200.0.3', b.remote.mac, ['PERMANENT']]]);

    // Nothing floods: pinging an address no peer has sends nothing into the tunnel.
    const before = txPackets(0);
    assert.ok(!ping(a.path, '10.200.0.77'));
    assert.equal(txPackets(0), before, 'no packet for an unknown peer left through the VXLAN device');
  });

  it('sets MTU = underlay − 50 and carries full-size packets unfragmented over the underlay', () => {
    const mtu = (path: string, dev: string): number => (JSON.parse(inNs(path, ['ip', '-j', 'link', 'show', 'dev', dev]).stdout) as Array<{ mtu: number }>)[0]!.mtu;
    assert.equal(mtu(sandboxes[0]!.path, 'eth0'), 1450);
    assert.equal(mtu(ovns(0), `vx-${VNI}`), 1450);
    assert.equal(mtu(ovns(0), `ov-${VNI}`), 1450);
    // A full 1450-byte packet becomes exactly 1500 on the underlay: no IP fragment is made there.
    const fragments = (): number => Number(/FragCreates\s+(\d+)/.exec(hosts[0]!.sh(['nstat', '-az', 'IpFragCreates']))?.[1] ?? 0);
    const before = fragments();
    assert.ok(ping(sandboxes[0]!.path, '10.200.0.3', '-s', String(1450 - 28)), 'a 1450-byte packet');
    assert.equal(fragments(), before);
  });

  it('reaches the outside through the gateway bridge with masquerade (the other host\'s underlay address)', async () => {
    await waitFor('ping a → 10.99.0.2 via tether_gwbridge', () => ping(sandboxes[0]!.path, UNDERLAY[1]));
    const route = inNs(sandboxes[0]!.path, ['ip', 'route', 'show', 'default']).stdout;
    assert.match(route, /default via 172\.\d+\.0\.1 dev gw-eth0/);
  });

  it('survives its daemon: a kill -9 leaves traffic flowing, a restart converges without duplicates', async () => {
    drivers[0]!.kill();
    assert.ok(ping(sandboxes[0]!.path, '10.200.0.3'), 'still pinging with the driver dead');
    drivers[0] = await startOverlayHost(hosts[0]!, UNDERLAY[0]);
    await drivers[0].call('create', { net });
    await drivers[0].call('peer', { net, ep: sandboxes[1]!.remote, present: true });
    await drivers[0].call('reconcile', { others: [net], endpoints: [{ id: sandboxes[0]!.spec.endpointId }] });
    assert.ok(ping(sandboxes[0]!.path, '10.200.0.3'));
    assert.ok(ping(sandboxes[0]!.path, UNDERLAY[1]), 'the gateway leg survived reconcile');
  });

  it('forgets a peer that went: its entries are removed and traffic to it stops', async () => {
    await drivers[0]!.call('peer', { net, ep: sandboxes[1]!.remote, present: false });
    await drivers[0]!.call('peer', { net, ep: sandboxes[1]!.remote, present: false }); // idempotent
    const fdb = JSON.parse(inNs(ovns(0), ['bridge', '-j', 'fdb', 'show', 'dev', `vx-${VNI}`]).stdout) as Array<{ dst?: string }>;
    assert.equal(fdb.filter((e) => e.dst !== undefined).length, 0);
    assert.ok(!ping(sandboxes[0]!.path, '10.200.0.3'));
  });

  it('refuses --opt encrypted naming the missing kernel feature, leaving nothing behind', async () => {
    const linksBefore = hosts[0]!.sh(['ip', '-o', 'link', 'show']);
    const enc = overlayRecord({ options: { encrypted: '' } });
    await assert.rejects(drivers[0]!.call('validate', { net: enc }), /encrypted.*(ESP|WireGuard)/);
    assert.equal(hosts[0]!.sh(['ip', '-o', 'link', 'show']), linksBefore);
  });

  it('deletes: leave and delete remove the veths, the namespace, the VXLAN device and the gateway bridge', async () => {
    for (let i = 0; i < 2; i++) {
      await drivers[i]!.call('leave', { net, spec: sandboxes[i]!.spec });
      await drivers[i]!.call('delete', { net });
      await drivers[i]!.call('delete', { net }); // idempotent
      const links = hosts[i]!.sh(['ip', '-o', 'link', 'show']);
      assert.doesNotMatch(links, /tether_gwbridge|tvg|vx-/);
      assert.equal(inNs(sandboxes[i]!.path, ['ip', 'link', 'show', 'dev', 'eth0']).status, 1);
      assert.equal(inNs(sandboxes[i]!.path, ['ip', 'link', 'show', 'dev', 'gw-eth0']).status, 1);
      assert.deepEqual(spawnSync('ls', [drivers[i]!.pinDir], { encoding: 'utf8' }).stdout.trim(), '');
    }
  });
});
