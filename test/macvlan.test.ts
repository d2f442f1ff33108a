// Issue 18: the macvlan driver against a real kernel. The uplink is a veth in the test host whose
// far end sits in a peer namespace on the same L2 segment (the peer has an address in the macvlan
// subnet), so traffic never leaves namespaces this test made. Also: the ipvlan and 802.1Q
// refusals of a kernel without those modules, and docker info's list of working drivers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createTestHost, uniqueName, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient } from './helpers/cli.js';
import { inContainer, inspect, preloadBusybox, runDetached } from './helpers/containers.js';

const docker = dockerClients()[0]!;
const PEER_IP = '10.77.0.254';

interface Link {
  ifname: string;
  linkinfo?: { info_kind?: string };
}

describe('macvlan driver', () => {
  let host: TestHost;
  let d: TestDaemon;
  let peer: string;
  let uplink: string;
  const peerTry = (argv: string[]) => spawnSync('nsenter', [`--net=/run/netns/${peer}`, '--', ...argv], { encoding: 'utf8', timeout: 20_000 });
  const links = (): Link[] => JSON.parse(host.sh(['ip', '-j', '-d', 'link', 'show'])) as Link[];
  const linkNames = (): string[] => links().map((l) => l.ifname).sort();
  const cli = (...args: string[]) => runClient([docker, ...args], d.socket);
  const networkNames = (): string => cli('network', 'ls', '--format', '{{.Name}}').stdout;

  before(async () => {
    host = createTestHost('mv');
    peer = uniqueName('mp');
    uplink = uniqueName('mu');
    spawnSync('ip', ['netns', 'add', peer]);
    host.sh(['ip', 'link', 'add', uplink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', `/run/netns/${peer}`]);
    host.sh(['ip', 'link', 'set', uplink, 'up']);
    for (const args of [['link', 'set', 'lo', 'up'], ['link', 'set', 'eth0', 'up'], ['addr', 'add', `${PEER_IP}/24`, 'dev', 'eth0']]) {
      assert.equal(peerTry(['ip', ...args]).status, 0);
    }
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
    if (peer) spawnSync('ip', ['netns', 'del', peer]);
  });

  it('containers reach the peer on the parent segment and each other; the peer reaches them; no host link per endpoint', async () => {
    const create = cli('network', 'create', '-d', 'macvlan', '--subnet', '10.77.0.0/24', '--gateway', PEER_IP, '--ip-range', '10.77.0.16/28', '--aux-address', 'x=10.77.0.17', '-o', `parent=${uplink}`, 'mvnet');
    assert.equal(create.code, 0, create.stderr);
    const before = linkNames();
    const a = await runDetached(d, 'mva', { HostConfig: { NetworkMode: 'mvnet' } });
    // -p on macvlan: dockerd only logs that the driver cannot map ports, and starts the container.
    const b = await runDetached(d, 'mvb', { ExposedPorts: { '80/tcp': {} }, HostConfig: { NetworkMode: 'mvnet', PortBindings: { '80/tcp': [{ HostPort: '18080' }] } } });
    const ipA = a.NetworkSettings.Networks.mvnet.IPAddress as string;
    const ipB = b.NetworkSettings.Networks.mvnet.IPAddress as string;
    assert.deepEqual([ipA, ipB], ['10.77.0.16', '10.77.0.18'], 'from the ip-range, skipping the aux address');
    assert.deepEqual(b.NetworkSettings.Ports['80/tcp'] ?? null, null, 'nothing published');

    assert.deepEqual(linkNames(), before, 'no bridge, no veth on the host side');
    const inA = JSON.parse(host.sh(['nsenter', '-t', String(a.State.Pid), '-n', 'ip', '-j', '-d', 'link', 'show', 'eth0'])) as Link[];
    assert.equal(inA[0]?.linkinfo?.info_kind, 'macvlan');
    assert.match(inContainer(host, a.State.Pid, ['ip', 'route']).stdout, new RegExp(`default via ${PEER_IP.replaceAll('.', '\\.')} dev eth0`));

    for (const [from, to] of [[a, PEER_IP], [a, ipB], [b, ipA]] as const) {
      const r = inContainer(host, from.State.Pid, ['ping', '-c', '1', '-W', '2', to]);
      assert.equal(r.code, 0, `${from.Name} → ${to}: ${r.stdout}${r.stderr}`);
    }
    for (const ip of [ipA, ipB]) {
      const r = peerTry(['busybox', 'ping', '-c', '1', '-W', '2', ip]);
      assert.equal(r.status, 0, `peer → ${ip}: ${r.stdout}${r.stderr}`);
    }

    // Disconnect removes the sub-interface from the running container; rm leaves the parent alone.
    assert.equal(cli('network', 'disconnect', 'mvnet', 'mvb').code, 0);
    const left = JSON.parse(host.sh(['nsenter', '-t', String(b.State.Pid), '-n', 'ip', '-j', 'link', 'show'])) as Link[];
    assert.deepEqual(left.map((l) => l.ifname), ['lo']);
    assert.equal(cli('rm', '-f', 'mva', 'mvb').code, 0);
    assert.equal(cli('network', 'rm', 'mvnet').code, 0);
    assert.ok(linkNames().includes(uplink));
  });

  it("refuses a second network on a parent, a missing parent and bad modes, with Docker's words and exit 1", async () => {
    const first = cli('network', 'create', '-d', 'macvlan', '--subnet', '10.78.0.0/24', '-o', `parent=${uplink}`, 'mvone');
    assert.equal(first.code, 0, first.stderr);
    const id = first.stdout.trim().slice(0, 12);
    const before = { links: linkNames(), nets: networkNames() };
    const cases: Array<[string[], string]> = [
      [['-o', `parent=${uplink}`], `network dm-${id} is already using parent interface ${uplink}`],
      [['-o', 'parent=nosuch0'], 'invalid subinterface vlan name nosuch0, example formatting is eth0.10'],
      [['-o', 'parent=nosuch0.10'], '-o parent interface was not found on the host: nosuch0'],
      [['-o', 'parent=lo'], 'loopback interface is not a valid macvlan parent link'],
      [['-o', 'macvlan_mode=nope'], "requested macvlan mode 'nope' is not valid, 'bridge' mode is the macvlan driver default"],
    ];
    for (const [opts, message] of cases) {
      const r = cli('network', 'create', '-d', 'macvlan', '--subnet', '10.79.0.0/24', ...opts, 'mvbad');
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim(), `Error response from daemon: ${message}`);
    }
    assert.deepEqual({ links: linkNames(), nets: networkNames() }, before, 'nothing made, nothing recorded');
    assert.equal(cli('network', 'rm', 'mvone').code, 0);
  });

  it('without -o parent: a stand-in parent, containers reach each other, nothing is left after rm', async () => {
    const before = linkNames();
    const id = cli('network', 'create', '-d', 'macvlan', '--subnet', '10.76.0.0/24', 'mvsolo').stdout.trim();
    const standIn = `dm-${id.slice(0, 12)}`;
    assert.ok(linkNames().includes(standIn));
    const a = await runDetached(d, 'sa', { HostConfig: { NetworkMode: 'mvsolo' } });
    const b = await runDetached(d, 'sb', { HostConfig: { NetworkMode: 'mvsolo' } });
    const r = inContainer(host, a.State.Pid, ['ping', '-c', '1', '-W', '2', b.NetworkSettings.Networks.mvsolo.IPAddress]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(inContainer(host, a.State.Pid, ['ip', 'route']).stdout, /default/, 'no way out');
    assert.equal(cli('rm', '-f', 'sa', 'sb').code, 0);
    assert.equal(cli('network', 'rm', 'mvsolo').code, 0);
    assert.deepEqual(linkNames(), before);
  });

  it('ipvlan and an 802.1Q parent are refused on this kernel, naming the missing module; nothing is left', async () => {
    const before = { links: linkNames(), nets: networkNames() };
    const cases: Array<[string[], string]> = [
      [['-d', 'ipvlan', '-o', `parent=${uplink}`], 'the ipvlan driver needs the kernel module "ipvlan", which this kernel does not have'],
      [['-d', 'macvlan', '-o', `parent=${uplink}.10`], `-o parent=${uplink}.10 (a VLAN sub-interface to create) needs the kernel module "8021q", which this kernel does not have`],
    ];
    for (const [opts, message] of cases) {
      const r = cli('network', 'create', '--subnet', '10.75.0.0/24', ...opts, 'mvkern');
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim(), `Error response from daemon: ${message}`);
    }
    const api = await d.api('POST', '/v1.43/networks/create', { Name: 'mvkern', Driver: 'ipvlan', Options: { parent: uplink } });
    assert.equal(api.status, 500);
    assert.deepEqual({ links: linkNames(), nets: networkNames() }, before);
  });

  it("docker info lists only the drivers that work here", async () => {
    const info = (await d.api('GET', '/v1.43/info')).json;
    assert.deepEqual(info.Plugins.Network, ['bridge', 'host', 'macvlan', 'null']);
    const r = cli('info', '--format', '{{json .Plugins.Network}}');
    assert.equal(r.stdout.trim(), '["bridge","host","macvlan","null"]');
  });

  it('a container on a macvlan network survives a daemon restart', async () => {
    assert.equal(cli('network', 'create', '-d', 'macvlan', '--subnet', '10.77.0.0/24', '--gateway', PEER_IP, '-o', `parent=${uplink}`, 'mvkeep').code, 0);
    const c = await runDetached(d, 'keep', { HostConfig: { NetworkMode: 'mvkeep' } });
    await d.stop();
    d = await startDaemon(host, [], { dataRoot: d.dataRoot, execRoot: d.execRoot });
    assert.equal((await inspect(d, 'keep')).State.Running, true);
    const ip = c.NetworkSettings.Networks.mvkeep.IPAddress as string;
    assert.equal(peerTry(['busybox', 'ping', '-c', '1', '-W', '2', ip]).status, 0);
    assert.equal(cli('rm', '-f', 'keep').code, 0);
    assert.equal(cli('network', 'rm', 'mvkeep').code, 0);
  });
});
