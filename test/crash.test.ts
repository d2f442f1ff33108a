// Issue 12: kill -9 at every crash point of network create/remove, endpoint attach and container
// start; after a restart every change is finished or rolled back: no orphan bridge, veth, netns or
// lease, no address handed out twice, and everything is removable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { helpersOf, namespaceOf, startDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox } from './helpers/containers.js';

interface Link {
  ifname: string;
  linkinfo?: { info_kind?: string };
}

describe('crash safety', () => {
  let host: TestHost;
  let d: TestDaemon;
  let roots: { dataRoot: string; execRoot: string };

  before(async () => {
    host = createTestHost('cr');
    await preloadBusybox(host);
    d = await startDaemon(host);
    roots = { dataRoot: d.dataRoot, execRoot: d.execRoot };
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  const links = (): Link[] => JSON.parse(host.sh(['ip', '-j', '-d', 'link', 'show'])) as Link[];

  /** Starts the daemon paused at `point`, fires `op` without waiting, kills at the point, restarts clean. */
  async function crashAt(point: string, op: (d: TestDaemon) => Promise<unknown>): Promise<void> {
    await d.stop();
    d = await startDaemon(host, [], roots, { TETHER_CRASH_AT: point });
    const pending = op(d).catch(() => undefined);
    await d.waitForLog(new RegExp(`crash point ${point.replaceAll('.', '\\.')}`));
    await d.kill9();
    await pending;
    // A killed daemon's helpers leave by themselves (one holding a namespace would keep it).
    await waitFor(() => `helpers outlive their daemon: ${helpersOf(roots.execRoot, host.name).join('; ')}`, () => helpersOf(roots.execRoot, host.name).length === 0);
    d = await startDaemon(host, [], roots);
  }

  /** The kernel matches the records: one bridge per bridge network, one veth per endpoint, one netns per running container. */
  async function assertConsistent(): Promise<void> {
    const nets = (await d.api('GET', '/v1.43/networks')).json as Array<{ Id: string; Name: string; Driver: string; Options: Record<string, string> }>;
    // A macvlan network without -o parent has a stand-in bridge (dm-<id>) as its parent.
    const wantBridges = [
      ...nets.filter((n) => n.Driver === 'bridge').map((n) => n.Options['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`),
      ...nets.filter((n) => n.Driver === 'macvlan' && !n.Options['parent']).map((n) => `dm-${n.Id.slice(0, 12)}`),
    ].sort();
    const driverOf = new Map(nets.map((n) => [n.Name, n.Driver]));
    assert.deepEqual(links().filter((l) => l.linkinfo?.info_kind === 'bridge').map((l) => l.ifname).sort(), wantBridges, 'bridges match networks');
    const containers = (await d.api('GET', '/v1.43/containers/json?all=1')).json as Array<{ Id: string; State: string }>;
    const running = containers.filter((c) => c.State === 'running');
    const addrs: string[] = [];
    let endpoints = 0;
    for (const c of running) {
      const j = (await d.api('GET', `/v1.43/containers/${c.Id}/json`)).json;
      for (const [name, n] of Object.entries(j.NetworkSettings.Networks) as Array<[string, { IPAddress: string; GlobalIPv6Address: string; EndpointID: string }]>) {
        if (n.EndpointID && driverOf.get(name) === 'bridge') endpoints++;
        for (const a of [n.IPAddress, n.GlobalIPv6Address]) if (a) addrs.push(a);
      }
    }
    assert.equal(new Set(addrs).size, addrs.length, 'no address handed out twice');
    assert.equal(links().filter((l) => /^tv/.test(l.ifname)).length, endpoints, 'one host veth per bridge endpoint');
    // The daemon holds each running container's namespace (again, after a restart), plus at most
    // the pool's 3 ready ones; nothing else survives it.
    // A released one keeps its file number 2 s longer (kernel/netns.ts).
    const ownNetns: string[] = [];
    for (const c of running) {
      const j = (await d.api('GET', `/v1.43/containers/${c.Id}/json`)).json;
      if (!/^(host|container:)/.test(j.HostConfig.NetworkMode)) ownNetns.push(namespaceOf(j.State.Pid));
    }
    let held = new Set(d.heldNamespaces());
    for (let i = 0; i < 30 && held.size - ownNetns.length > 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      held = new Set(d.heldNamespaces());
    }
    assert.deepEqual(ownNetns.filter((n) => !held.has(n)), [], 'every running container\'s namespace is held');
    assert.ok(held.size - ownNetns.length <= 3, `${held.size} namespaces held for ${ownNetns.length} containers`);
  }

  it('network create and remove', async () => {
    await crashAt('network.create.reserved', (d) => d.api('POST', '/v1.43/networks/create', { Name: 'n1' }));
    await assertConsistent();
    assert.equal((await d.api('GET', '/v1.43/networks/n1')).status, 404, 'rolled back');
    await crashAt('network.create.kernel', (d) => d.api('POST', '/v1.43/networks/create', { Name: 'n2' }));
    await assertConsistent();
    assert.equal((await d.api('GET', '/v1.43/networks/n2')).status, 404, 'rolled back');
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'n3' })).status, 201);
    await crashAt('network.remove.marked', (d) => d.api('DELETE', '/v1.43/networks/n3'));
    await assertConsistent();
    assert.equal((await d.api('GET', '/v1.43/networks/n3')).status, 404, 'finished');
  });

  for (const point of ['endpoint.reserved', 'endpoint.joined', 'container.network-up', 'container.started']) {
    it(`container start, killed at ${point}`, async () => {
      const name = `c-${point.replace('.', '-')}`;
      assert.equal((await d.api('POST', `/v1.43/containers/create?name=${name}`, { Image: 'busybox:latest', Cmd: ['sleep', '1000'] })).status, 201);
      await crashAt(point, (d) => d.api('POST', `/v1.43/containers/${name}/start`));
      await assertConsistent();
      // Whatever state it was left in, it starts (again) and is reachable, then removes cleanly.
      const s = await d.api('POST', `/v1.43/containers/${name}/start`);
      assert.ok([204, 304].includes(s.status), s.text);
      const j = (await d.api('GET', `/v1.43/containers/${name}/json`)).json;
      assert.equal(j.State.Running, true);
      assert.match(j.NetworkSettings.IPAddress, /^172\.17\./);
      await assertConsistent();
      assert.equal((await d.api('DELETE', `/v1.43/containers/${name}?force=1`)).status, 204);
      await assertConsistent();
    });
  }

  it('network connect, killed after the lease was taken', async () => {
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'cn', IPAM: { Config: [{ Subnet: '10.9.9.0/24' }] } })).status, 201);
    assert.equal((await d.api('POST', '/v1.43/containers/create?name=cc', { Image: 'busybox:latest', Cmd: ['sleep', '1000'] })).status, 201);
    assert.equal((await d.api('POST', '/v1.43/containers/cc/start')).status, 204);
    await crashAt('endpoint.reserved', (d) => d.api('POST', '/v1.43/networks/cn/connect', { Container: 'cc' }));
    await assertConsistent();
    const c = await d.api('POST', '/v1.43/networks/cn/connect', { Container: 'cc' });
    assert.equal(c.status, 200, c.text);
    const j = (await d.api('GET', '/v1.43/containers/cc/json')).json;
    assert.equal(j.NetworkSettings.Networks.cn.IPAddress, '10.9.9.2', 'the lease of the crashed attach was given back');
    await assertConsistent();
    assert.equal((await d.api('DELETE', '/v1.43/containers/cc?force=1')).status, 204);
    assert.equal((await d.api('DELETE', '/v1.43/networks/cn')).status, 204);
    await assertConsistent();
  });

  it('macvlan: create killed after the stand-in parent was made, connect killed after the join', async () => {
    const uplink = `${host.name}u`.slice(-15);
    host.sh(['ip', 'link', 'add', uplink, 'type', 'veth', 'peer', 'name', `${uplink.slice(0, 14)}p`]);
    await crashAt('network.create.kernel', (d) => d.api('POST', '/v1.43/networks/create', { Name: 'mv1', Driver: 'macvlan', IPAM: { Config: [{ Subnet: '10.8.8.0/24' }] } }));
    await assertConsistent(); // no dm- stand-in outlives the rolled-back network
    assert.equal((await d.api('GET', '/v1.43/networks/mv1')).status, 404, 'rolled back');

    const body = { Name: 'mvc', Driver: 'macvlan', IPAM: { Config: [{ Subnet: '10.8.9.0/24' }] }, Options: { parent: uplink } };
    assert.equal((await d.api('POST', '/v1.43/networks/create', body)).status, 201);
    assert.equal((await d.api('POST', '/v1.43/containers/create?name=mc', { Image: 'busybox:latest', Cmd: ['sleep', '1000'] })).status, 201);
    assert.equal((await d.api('POST', '/v1.43/containers/mc/start')).status, 204);
    await crashAt('endpoint.joined', (d) => d.api('POST', '/v1.43/networks/mvc/connect', { Container: 'mc' }));
    await assertConsistent();
    const pid = String((await d.api('GET', '/v1.43/containers/mc/json')).json.State.Pid);
    const inside = (): string[] => (JSON.parse(host.sh(['nsenter', '-t', pid, '-n', 'ip', '-j', 'link', 'show'])) as Link[]).map((l) => l.ifname).sort();
    assert.deepEqual(inside(), ['eth0', 'lo'], 'the half-made sub-interface is gone');
    const c = await d.api('POST', '/v1.43/networks/mvc/connect', { Container: 'mc' });
    assert.equal(c.status, 200, c.text);
    assert.equal((await d.api('GET', '/v1.43/containers/mc/json')).json.NetworkSettings.Networks.mvc.IPAddress, '10.8.9.2', 'the lease came back');
    assert.deepEqual(inside(), ['eth0', 'eth1', 'lo']);
    assert.equal((await d.api('DELETE', '/v1.43/containers/mc?force=1')).status, 204);
    assert.equal((await d.api('DELETE', '/v1.43/networks/mvc')).status, 204);
    await assertConsistent();
  });

  it('IPv6 network (ULA pool) create and connect, killed at each step', async () => {
    const v6Subnet = async (name: string): Promise<string | undefined> =>
      ((await d.api('GET', `/v1.43/networks/${name}`)).json.IPAM.Config as Array<{ Subnet: string }>).map((c) => c.Subnet).find((s) => s.includes(':'));
    for (const point of ['network.create.reserved', 'network.create.kernel']) {
      await crashAt(point, (d) => d.api('POST', '/v1.43/networks/create', { Name: 'v6crash', EnableIPv6: true }));
      await assertConsistent();
      assert.equal((await d.api('GET', '/v1.43/networks/v6crash')).status, 404, `rolled back at ${point}`);
    }
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'v6n', EnableIPv6: true })).status, 201);
    const subnet = await v6Subnet('v6n');
    assert.match(subnet ?? '', /^fd[0-9a-f:]+\/64$/);
    assert.equal((await d.api('POST', '/v1.43/containers/create?name=c6', { Image: 'busybox:latest', Cmd: ['sleep', '1000'] })).status, 201);
    assert.equal((await d.api('POST', '/v1.43/containers/c6/start')).status, 204);
    for (const point of ['endpoint.reserved', 'endpoint.joined']) {
      await crashAt(point, (d) => d.api('POST', '/v1.43/networks/v6n/connect', { Container: 'c6' }));
      await assertConsistent();
      const again = await d.api('POST', '/v1.43/networks/v6n/connect', { Container: 'c6' });
      assert.ok([200, 403].includes(again.status), again.text); // 403: the crashed connect was finished
      const j = (await d.api('GET', '/v1.43/containers/c6/json')).json;
      assert.equal(j.NetworkSettings.Networks.v6n.GlobalIPv6Address, subnet!.replace(/\/64$/, '2'), 'the first address: no lease leaked');
      await assertConsistent();
      assert.equal((await d.api('POST', '/v1.43/networks/v6n/disconnect', { Container: 'c6' })).status, 200);
    }
    await d.stop();
    d = await startDaemon(host, [], roots);
    assert.equal(await v6Subnet('v6n'), subnet, 'the ULA /64 survives a restart');
    assert.equal((await d.api('DELETE', '/v1.43/containers/c6?force=1')).status, 204);
    assert.equal((await d.api('DELETE', '/v1.43/networks/v6n')).status, 204);
    await assertConsistent();
  });
});
