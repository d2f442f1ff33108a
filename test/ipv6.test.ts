// Issue 18 (IPv6) through a real tetherd and the docker CLI: dual-stack networks without
// --subnet (Docker 27's ULA pool), IPv6-only networks (Docker 28's EnableIPv4=false), names over
// IPv6, published ports on both families, and a neighbour routed to the bridge over IPv6.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient } from './helpers/cli.js';
import { inContainer, interfaces, preloadBusybox, runDetached } from './helpers/containers.js';
import { addNeighbour, type Neighbour } from './helpers/neighbour.js';

const [docker] = dockerClients();

describe('IPv6', { skip: docker === undefined ? 'no docker CLI on this machine' : false }, () => {
  let host: TestHost;
  let nb: Neighbour;
  let d: TestDaemon;
  const cli = (...args: string[]) => {
    const r = runClient([docker!, ...args], d.socket);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const subnets = (net: string): string[] => JSON.parse(cli('network', 'inspect', '-f', '{{json .IPAM.Config}}', net)).map((c: { Subnet: string }) => c.Subnet);

  before(async () => {
    host = createTestHost('v6');
    nb = addNeighbour(host);
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    nb?.dispose();
    host?.dispose();
  });

  /** busybox nslookup's answers of one type against the embedded resolver. */
  const lookup = (pid: number, type: 'a' | 'aaaa', name: string): string[] => {
    const out = inContainer(host, pid, ['nslookup', `-type=${type}`, name, '127.0.0.11']).stdout;
    return [...(out.split('Non-authoritative answer:')[1] ?? '').matchAll(/Address: ([0-9a-f.:]+)/g)].map((m) => m[1]!);
  };

  it('--ipv6 without --subnet: a ULA /64 per network, kept across a restart; names over both families', async () => {
    cli('network', 'create', '--ipv6', 'ds1');
    cli('network', 'create', '--ipv6', 'ds2');
    const [v4a, v6a] = subnets('ds1');
    const [, v6b] = subnets('ds2');
    assert.match(v4a!, /^[0-9.]+\/\d+$/);
    assert.match(v6a!, /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{0,4}:?:\/64$/);
    assert.notEqual(v6a, v6b);
    assert.equal(v6a!.split(':').slice(0, 3).join(':'), v6b!.split(':').slice(0, 3).join(':'), 'one /48 per daemon');

    const a = await runDetached(d, 'v6a', { HostConfig: { NetworkMode: 'ds1' } });
    const b = await runDetached(d, 'v6b', { HostConfig: { NetworkMode: 'ds1' } });
    const bNet = b.NetworkSettings.Networks.ds1;
    assert.ok(bNet.GlobalIPv6Address.startsWith(v6a!.replace(/::\/64$/, ':')), bNet.GlobalIPv6Address);
    assert.equal(bNet.GlobalIPv6PrefixLen, 64);
    assert.equal(bNet.IPv6Gateway, v6a!.replace(/\/64$/, '1'));
    assert.deepEqual(lookup(a.State.Pid, 'aaaa', 'v6b'), [bNet.GlobalIPv6Address]);
    assert.deepEqual(lookup(a.State.Pid, 'a', 'v6b'), [bNet.IPAddress]);
    const ping6 = inContainer(host, a.State.Pid, ['ping', '-6', '-c1', '-W2', 'v6b']);
    assert.equal(ping6.code, 0, ping6.stdout + ping6.stderr);
    assert.match(ping6.stdout, new RegExp(`PING v6b \\(${bNet.GlobalIPv6Address}\\)`));
    assert.equal(inContainer(host, a.State.Pid, ['ping', '-4', '-c1', '-W2', 'v6b']).code, 0);
    const ptr = inContainer(host, a.State.Pid, ['nslookup', bNet.GlobalIPv6Address, '127.0.0.11']).stdout;
    assert.match(ptr, /name = v6b\.ds1/);

    for (const n of ['v6a', 'v6b']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
    await d.stop();
    d = await startDaemon(host);
    assert.deepEqual([subnets('ds1')[1], subnets('ds2')[1]], [v6a, v6b], 'the same /64s after a restart');
    cli('network', 'create', '--ipv6', 'ds3');
    assert.ok(![v6a, v6b].includes(subnets('ds3')[1]), 'a third network gets a third /64');
    cli('network', 'rm', 'ds1', 'ds2', 'ds3');
  });

  it('IPv6-only network (EnableIPv4=false): no IPv4 address or route, names resolve, inspect shows both flags', async () => {
    const created = await d.api('POST', '/v1.43/networks/create', { Name: 'only6', EnableIPv6: true, EnableIPv4: false });
    assert.equal(created.status, 201, created.text);
    const net = JSON.parse(cli('network', 'inspect', 'only6'))[0];
    assert.deepEqual([net.EnableIPv4, net.EnableIPv6, net.IPAM.Config.length], [false, true, 1]);
    const neither = await d.api('POST', '/v1.43/networks/create', { Name: 'none46', EnableIPv4: false });
    assert.deepEqual([neither.status, neither.json.message], [400, 'IPv4 or IPv6 must be enabled']);

    const a = await runDetached(d, 'o6a', { HostConfig: { NetworkMode: 'only6' } });
    const b = await runDetached(d, 'o6b', { HostConfig: { NetworkMode: 'only6' } });
    const aNet = a.NetworkSettings.Networks.only6;
    assert.equal(aNet.IPAddress, '');
    assert.match(aNet.GlobalIPv6Address, /^fd/);
    const addrs = interfaces(host, a.State.Pid)['eth0']!;
    assert.ok(addrs.every((x) => x.includes(':')), `no IPv4 on eth0: ${addrs.join(' ')}`);
    assert.equal(inContainer(host, a.State.Pid, ['ip', '-4', 'route']).stdout.trim(), '');
    assert.match(inContainer(host, a.State.Pid, ['ip', '-6', 'route']).stdout, new RegExp(`default via ${aNet.IPv6Gateway} dev eth0`));
    const ping = inContainer(host, a.State.Pid, ['ping', '-c1', '-W2', 'o6b']);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.deepEqual(lookup(a.State.Pid, 'a', 'o6b'), []);
    assert.deepEqual(lookup(a.State.Pid, 'aaaa', 'o6b'), [b.NetworkSettings.Networks.only6.GlobalIPv6Address]);
    for (const n of ['o6a', 'o6b']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
    cli('network', 'rm', 'only6');
  });
});
