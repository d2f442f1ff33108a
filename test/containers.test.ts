// Issue 3 through the Engine API against a real tetherd (crun under conmon) in a test host:
// network modes, live connect/disconnect, and nothing left behind after 100 runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { namespacesHeldBy, startDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { heavy } from './helpers/heavy.js';

/** Ready sandboxes the engine keeps (engine.ts). */
const POOL_SIZE = 3;
import { inContainer, inspect, interfaces, preloadBusybox, runDetached } from './helpers/containers.js';

describe('containers', () => {
  let host: TestHost;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('ct');
    await preloadBusybox(host);
    d = await startDaemon(host, ['--trace-ops']);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  it('default bridge: two containers reach each other; none, host and container modes', async () => {
    const box = await runDetached(d, 'box');
    const other = await runDetached(d, 'other');
    const otherIp = other.NetworkSettings.IPAddress as string;
    assert.match(otherIp, /^172\.17\.0\.\d+$/);
    assert.equal(other.NetworkSettings.MacAddress, `02:42:ac:11:00:${Number(otherIp.split('.')[3]).toString(16).padStart(2, '0')}`);
    const ping = inContainer(host, box.State.Pid, ['ping', '-c1', '-W2', otherIp]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    const boxIfs = interfaces(host, box.State.Pid);
    assert.deepEqual(Object.keys(boxIfs).sort(), ['eth0', 'lo']);
    assert.match(boxIfs['eth0']![0]!, /^172\.17\.0\.\d+\/16$/);
    const eth0 = JSON.parse(host.sh(['nsenter', '-t', String(box.State.Pid), '-n', 'ip', '-j', 'addr', 'show', 'eth0']))[0];
    assert.equal(eth0.addr_info[0].broadcast, '172.17.255.255', 'brd like Docker');
    assert.equal(eth0.txqlen, undefined, 'txqueuelen 0 like Docker (ip -j omits a zero qlen)');
    assert.deepEqual(boxIfs['lo'], ['127.0.0.1/8'], 'no ::1: IPv6 is off in sandboxes of IPv4 networks');
    assert.match(readFileSync(box.HostsPath, 'utf8'), new RegExp(`${box.NetworkSettings.IPAddress}\\t${box.Id.slice(0, 12)}\\n$`));

    const none = await runDetached(d, 'nonebox', { HostConfig: { NetworkMode: 'none' } });
    assert.deepEqual(Object.keys(interfaces(host, none.State.Pid)), ['lo']);
    const hostMode = await runDetached(d, 'hostbox', { HostConfig: { NetworkMode: 'host' } });
    const hostLinks = (JSON.parse(host.sh(['ip', '-j', 'link'])) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
    assert.deepEqual(Object.keys(interfaces(host, hostMode.State.Pid)).sort(), hostLinks);
    const shared = await runDetached(d, 'sharebox', { HostConfig: { NetworkMode: 'container:box' } });
    assert.equal(shared.HostConfig.NetworkMode, `container:${box.Id}`);
    assert.deepEqual(interfaces(host, shared.State.Pid), boxIfs);

    // The owner goes first: the dependent keeps running on lo only, and still removes cleanly.
    for (const n of ['box', 'sharebox', 'hostbox', 'nonebox', 'other']) assert.equal((await d.api('DELETE', `/v1.43/containers/${n}?force=1`)).status, 204);
  });

  it('network connect adds eth1 live, disconnect removes it, inspect follows', async () => {
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'custom', IPAM: { Config: [{ Subnet: '10.7.0.0/24' }] } })).status, 201);
    const box = await runDetached(d, 'cbox');
    const c = await d.api('POST', '/v1.43/networks/custom/connect', { Container: 'cbox', EndpointConfig: { IPAMConfig: { IPv4Address: '10.7.0.50' }, Aliases: ['alpha'] } });
    assert.equal(c.status, 200, c.text);
    assert.deepEqual(interfaces(host, box.State.Pid)['eth1'], ['10.7.0.50/24']);
    let j = await inspect(d, 'cbox');
    assert.equal(j.NetworkSettings.Networks.custom.IPAddress, '10.7.0.50');
    assert.ok(j.NetworkSettings.Networks.custom.Aliases.includes('alpha'));
    assert.equal(readFileSync(j.ResolvConfPath, 'utf8').split('\n')[0], 'nameserver 127.0.0.11', 'embedded DNS once a user network is attached');
    const netJson = (await d.api('GET', '/v1.43/networks/custom')).json;
    assert.equal(netJson.Containers[box.Id].IPv4Address, '10.7.0.50/24');

    const dup = await d.api('POST', '/v1.43/networks/custom/connect', { Container: 'cbox' });
    assert.equal(dup.status, 403);
    assert.equal(dup.json.message, 'endpoint with name cbox already exists in network custom');

    assert.equal((await d.api('POST', '/v1.43/networks/custom/disconnect', { Container: 'cbox' })).status, 200);
    assert.deepEqual(Object.keys(interfaces(host, box.State.Pid)).sort(), ['eth0', 'lo']);
    j = await inspect(d, 'cbox');
    assert.equal(j.NetworkSettings.Networks.custom, undefined);
    const again = await d.api('POST', '/v1.43/networks/custom/disconnect', { Container: 'cbox' });
    assert.equal(again.status, 404);
    assert.match(again.json.message, /is not connected to network custom/);

    // The next connect takes a new index: Docker never reuses one within a sandbox.
    assert.equal((await d.api('POST', '/v1.43/networks/custom/connect', { Container: 'cbox' })).status, 200);
    assert.ok('eth2' in interfaces(host, box.State.Pid));
    assert.equal((await d.api('DELETE', '/v1.43/containers/cbox?force=1')).status, 204);
    assert.equal((await d.api('DELETE', '/v1.43/networks/custom')).status, 204);
  });

  it('a wait whose client hangs up holds nothing; a wait that stays answers the exit', async () => {
    await runDetached(d, 'waitbox');
    // `docker run -d` sends wait(next-exit) before start and exits: each such wait must end
    // then (its request, socket and listener let go), not when the container exits. The daemon
    // runs with --trace-ops, which logs an operation when it ends.
    const ended = (): number => d.log().split('\n').filter((l) => l.includes('"op":"POST /containers/:id/wait"')).length;
    const before = ended();
    const waits = Array.from({ length: 20 }, () => request({ socketPath: d.socket, method: 'POST', path: '/v1.43/containers/waitbox/wait?condition=next-exit' }));
    const headers = waits.map((r) => new Promise<void>((res) => r.once('response', () => res())));
    for (const r of waits) { r.on('error', () => undefined); r.end(); }
    await Promise.all(headers);
    assert.equal(ended(), before, 'the waits last while their clients are there');
    for (const r of waits) r.destroy();
    await waitFor(() => `${ended() - before} of the 20 abandoned waits ended`, () => ended() === before + 20);

    const stays = d.api('POST', '/v1.43/containers/waitbox/wait?condition=next-exit');
    assert.equal((await d.api('POST', '/v1.43/containers/waitbox/kill')).status, 204);
    const answer = await stays;
    assert.equal(answer.status, 200);
    assert.equal(answer.json.StatusCode, 137);
    assert.equal((await d.api('DELETE', '/v1.43/containers/waitbox?force=1')).status, 204);
  });

  it('a static --ip outside the subnets is refused at create; a refused connect uses up no interface name', async () => {
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'static', IPAM: { Config: [{ Subnet: '10.8.0.0/24' }] } })).status, 201);
    const outside = { NetworkMode: 'static' };
    const created = await d.api('POST', '/v1.43/containers/create?name=outside', { Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: outside, NetworkingConfig: { EndpointsConfig: { static: { IPAMConfig: { IPv4Address: '10.9.9.9' } } } } });
    assert.equal(created.status, 400);
    assert.equal(created.json.message, "Invalid address 10.9.9.9: It does not belong to any of this network's subnets");
    assert.equal((await d.api('GET', '/v1.43/containers/outside/json')).status, 404, 'nothing half-made');

    const box = await runDetached(d, 'sbox');
    const refused = await d.api('POST', '/v1.43/networks/static/connect', { Container: 'sbox', EndpointConfig: { IPAMConfig: { IPv4Address: '10.9.9.9' } } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.message, "Invalid address 10.9.9.9: It does not belong to any of this network's subnets");
    assert.equal((await d.api('POST', '/v1.43/networks/static/connect', { Container: 'sbox' })).status, 200);
    assert.deepEqual(Object.keys(interfaces(host, box.State.Pid)).sort(), ['eth0', 'eth1', 'lo'], 'the next connect gets eth1');
    assert.equal((await d.api('DELETE', '/v1.43/containers/sbox?force=1')).status, 204);
    assert.equal((await d.api('DELETE', '/v1.43/networks/static')).status, 204);
  });

  it('100 containers started and removed leave no veth, namespace, mount or process', heavy, async () => {
    // Judged by what this test made (its containers' namespaces and ids, the test host's links
    // and mounts), never by totals that another test or the sandbox pool may be changing.
    const veths = (): string[] => (JSON.parse(host.sh(['ip', '-j', 'link'])) as Array<{ ifname: string }>).map((l) => l.ifname).filter((n) => n.startsWith('tv'));
    const mounts = (): number => readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(host.dir)).length;
    const mountsBefore = mounts();
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      ids.push((await runDetached(d, `loop${i}`)).Id);
      assert.equal((await d.api('DELETE', `/v1.43/containers/loop${i}?force=1`)).status, 204);
    }
    const processesNaming = (): string[] => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return ids.some((id) => cmdline.includes(id));
      } catch {
        return false;
      }
    });
    // No container is left: the daemon and its helpers hold the ready-sandbox pool and nothing
    // more, once a released namespace's file is closed (2 s later, kernel/netns.ts).
    const running = ((await d.api('GET', '/v1.43/containers/json')).json as unknown[]).length;
    assert.equal(running, 0);
    await waitFor(() => `namespaces held: ${[...namespacesHeldBy(d)].join(' ')}`, () => namespacesHeldBy(d).size <= POOL_SIZE, 10_000);
    await waitFor(() => `processes of removed containers: ${processesNaming().join(' ')}`, () => processesNaming().length === 0);
    assert.deepEqual(veths(), []);
    assert.equal(mounts(), mountsBefore);
  });
});
