// Issue 18 (IPv6) through a real tetherd and the docker CLI: dual-stack networks without
// --subnet (Docker 27's ULA pool), IPv6-only networks (Docker 28's EnableIPv4=false), names over
// IPv6, published ports on both families, and a neighbour routed to the bridge over IPv6.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient } from './helpers/cli.js';
import { inContainer, interfaces, preloadBusybox, runDetached } from './helpers/containers.js';
import { addNeighbour, type Neighbour } from './helpers/neighbour.js';
import { startDnsStub } from './helpers/dns-stub.js';

const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/etc'];

const [docker] = dockerClients();
// The opt-in relay for IPv6 clients of IPv4-only containers (decisions.md).
const DAEMON_ARGS = ['--userland-proxy=true'];

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
    d = await startDaemon(host, DAEMON_ARGS);
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
    d = await startDaemon(host, DAEMON_ARGS);
    assert.deepEqual([subnets('ds1')[1], subnets('ds2')[1]], [v6a, v6b], 'the same /64s after a restart');
    cli('network', 'create', '--ipv6', 'ds3');
    assert.ok(![v6a, v6b].includes(subnets('ds3')[1]), 'a third network gets a third /64');
    cli('network', 'rm', 'ds1', 'ds2', 'ds3');
  });

  it('IPv6-only network (EnableIPv4=false): no IPv4 address or route, names resolve, inspect shows both flags', async () => {
    cli('network', 'create', '--ipv6', '--ipv4=false', 'only6');
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

  const curl = (run: (argv: string[]) => { code: number; stdout: string }, url: string): string | undefined => {
    const r = run(['curl', '-s', '-g', '--max-time', '2', url]);
    return r.code === 0 ? r.stdout : undefined;
  };

  it('-p 8080:80 answers on both families, for a dual-stack container (nft) and an IPv4-only one (relay)', async () => {
    cli('network', 'create', '--ipv6', 'pub6');
    for (const [name, net, port] of [['web6', 'pub6', '8080'], ['web4', 'bridge', '8081']] as const) {
      cli('run', '-d', '--name', name, '--network', net, '-p', `${port}:80`, 'busybox', ...HTTPD);
      assert.deepEqual(cli('port', name).trim().split('\n').sort(), [`80/tcp -> 0.0.0.0:${port}`, `80/tcp -> [::]:${port}`]);
      assert.match(cli('ps', '--filter', `name=${name}`, '--format', '{{.Ports}}'), new RegExp(`0\\.0\\.0\\.0:${port}->80/tcp, \\[::\\]:${port}->80/tcp`));
      const id = `${cli('inspect', '-f', '{{.Id}}', name).slice(0, 12)}\n`;
      assert.equal(curl((a) => host.try(a), `http://127.0.0.1:${port}/hostname`), id, `${name} on 127.0.0.1`);
      assert.equal(curl((a) => host.try(a), `http://[::1]:${port}/hostname`), id, `${name} on [::1]`);
      assert.equal(curl((a) => nb.try(a), `http://[${nb.hostIp6}]:${port}/hostname`), id, `${name} from an IPv6 neighbour`);
    }
    cli('run', '-d', '--name', 'lo6', '--network', 'pub6', '-p', '[::1]:8082:80', 'busybox', ...HTTPD);
    assert.equal(cli('port', 'lo6').trim(), '80/tcp -> [::1]:8082');
    assert.ok(curl((a) => host.try(a), 'http://[::1]:8082/hostname'), 'host-only publish answers the host');
    assert.equal(curl((a) => nb.try(a), `http://[${nb.hostIp6}]:8082/hostname`), undefined, 'and nobody else');
    cli('rm', '-f', 'web6', 'web4', 'lo6');
    assert.equal(curl((a) => host.try(a), 'http://[::1]:8081/hostname'), undefined, 'the relay is gone with the container');
    cli('network', 'rm', 'pub6');
  });

  it('an IPv6 neighbour routed to the bridge reaches published ports only; isolation and --internal hold for IPv6', async () => {
    cli('network', 'create', '--ipv6', 'fw6');
    cli('network', 'create', '--ipv6', 'other6');
    cli('network', 'create', '--ipv6', '--internal', 'int6');
    const web = await runDetached(d, 'fwweb', { HostConfig: { NetworkMode: 'fw6', PortBindings: { '80/tcp': [{ HostPort: '8090' }] } } }, HTTPD);
    const open = await runDetached(d, 'fwopen', { HostConfig: { NetworkMode: 'fw6' } }, HTTPD);
    const ip6 = (c: any, net: string): string => c.NetworkSettings.Networks[net].GlobalIPv6Address;
    const [subnet] = subnets('fw6').slice(1);
    const id = `${web.Id.slice(0, 12)}\n`;
    nb.try(['ip', '-6', 'route', 'add', subnet!, 'via', nb.hostIp6]);
    assert.equal(curl((a) => nb.try(a), `http://[${ip6(web, 'fw6')}]:80/hostname`), id, 'published container port, routed');
    assert.equal(curl((a) => nb.try(a), `http://[${ip6(open, 'fw6')}]:80/hostname`), undefined, 'unpublished port refused');

    const other = await runDetached(d, 'fwother', { HostConfig: { NetworkMode: 'other6' } });
    assert.notEqual(inContainer(host, other.State.Pid, ['ping', '-6', '-c1', '-W1', ip6(open, 'fw6')]).code, 0, 'isolation between networks');
    assert.equal(inContainer(host, other.State.Pid, ['ping', '-6', '-c1', '-W2', nb.ip6]).code, 0, 'egress to the neighbour (masquerade)');
    const inner = await runDetached(d, 'fwint', { HostConfig: { NetworkMode: 'int6' } });
    assert.notEqual(inContainer(host, inner.State.Pid, ['ping', '-6', '-c1', '-W1', nb.ip6]).code, 0, '--internal: no way out');
    assert.equal(inContainer(host, inner.State.Pid, ['ip', '-6', 'route', 'show', 'default']).stdout.trim(), '', '--internal: no default route');
    for (const n of ['fwweb', 'fwopen', 'fwother', 'fwint']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
    cli('network', 'rm', 'fw6', 'other6', 'int6');
  });

  it('static --ip6, --ip-range and --aux-address on an IPv6 subnet', async () => {
    cli('network', 'create', '--ipv6', '--subnet', 'fd00:77::/64', '--ip-range', 'fd00:77::100/120', '--aux-address', 'r=fd00:77::101', 'st6');
    const dyn = await runDetached(d, 'st6dyn', { HostConfig: { NetworkMode: 'st6' } });
    assert.equal(dyn.NetworkSettings.Networks.st6.GlobalIPv6Address, 'fd00:77::102'); // ::100 is the gateway (first of the range), ::101 the aux address
    const fixed = await runDetached(d, 'st6fix', { HostConfig: { NetworkMode: 'st6' }, NetworkingConfig: { EndpointsConfig: { st6: { IPAMConfig: { IPv6Address: 'fd00:77::42' } } } } });
    assert.equal(fixed.NetworkSettings.Networks.st6.GlobalIPv6Address, 'fd00:77::42');
    assert.ok(interfaces(host, fixed.State.Pid)['eth0']!.includes('fd00:77::42/64'));
    const taken = await d.api('POST', '/v1.43/containers/create?name=st6aux', { Image: 'busybox:latest', Cmd: ['true'], HostConfig: { NetworkMode: 'st6' }, NetworkingConfig: { EndpointsConfig: { st6: { IPAMConfig: { IPv6Address: 'fd00:77::101' } } } } });
    assert.equal(taken.status, 201);
    const start = await d.api('POST', '/v1.43/containers/st6aux/start');
    assert.equal(start.json.message, 'Address already in use');
    for (const n of ['st6dyn', 'st6fix', 'st6aux']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
    cli('network', 'rm', 'st6');
  });

  it('forwards names it does not know to an IPv6 upstream, over IPv6', async () => {
    const stub = await startDnsStub(host, '::1');
    let seen = '';
    stub.stdout!.on('data', (b: Buffer) => (seen += b.toString()));
    try {
      await d.stop();
      d = await startDaemon(host, [...DAEMON_ARGS, '--dns', '::1']);
      cli('network', 'create', '--ipv6', 'up6');
      const c = await runDetached(d, 'up6c', { HostConfig: { NetworkMode: 'up6' } });
      const r = inContainer(host, c.State.Pid, ['nslookup', '-type=a', 'only-upstream.test', '127.0.0.11']);
      assert.match(r.stdout + r.stderr, /NXDOMAIN/);
      await waitFor(() => `the upstream saw: ${seen}`, () => /query only-upstream\.test from ::1\n/.test(seen));
      await d.api('DELETE', '/v1.43/containers/up6c?force=1');
      cli('network', 'rm', 'up6');
    } finally {
      stub.kill();
      await d.stop();
      d = await startDaemon(host, DAEMON_ARGS);
    }
  });
});
