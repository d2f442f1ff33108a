// Issue 20 end to end, on real etcd, real tetherds and the real overlay driver: three test hosts
// on an underlay bridge, a three-member etcd, one tetherd each. One network seen alike
// everywhere; containers on different hosts ping each other by name over VXLAN; addresses never
// handed out twice; etcd members stopped and back; a host's daemon killed and restarted; a host
// gone for good, whose endpoints leave the others' DNS and FDB within the lease TTL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from './helpers/cluster.js';
import { dockerClients, runClient } from './helpers/cli.js';
import { runDetached } from './helpers/containers.js';
import { waitFor } from './helpers/daemon.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { heavy } from './helpers/heavy.js';

const docker = dockerClients()[0]!;
const skip = process.getuid?.() === 0 ? heavy.skip : 'needs root: test hosts are network namespaces';

describe('cluster: three hosts, etcd, global networks', { skip }, () => {
  let cluster: TestCluster;
  let n1: ClusterNode, n2: ClusterNode, n3: ClusterNode;
  const cli = (n: ClusterNode, ...args: string[]) => runClient([docker, ...args], n.daemon.socket);
  const inspectNet = async (n: ClusterNode, ref: string) => (await n.daemon.api('GET', `/v1.43/networks/${ref}`)).json;
  const endpointOf = async (n: ClusterNode, name: string) => (await n.daemon.api('GET', `/v1.43/containers/${name}/json`)).json.NetworkSettings.Networks.ov;
  /** A ping from a container on host 1 to a name on the overlay: the embedded DNS and the VXLAN. */
  const pings = (from: string, name: string): boolean => cli(n1, 'exec', from, 'ping', '-c1', '-W2', name).code === 0;
  const reachable = (from: string, name: string, ms = 15_000) => waitFor(() => `${from} never reached ${name}`, () => pings(from, name), ms);
  /**
   * The VXLAN device's forwarding entries in a host's overlay namespace: `<mac> dev vx-… dst
   * <host>`, static, from the etcd watch (the bridge's own learned entries, which age out by
   * themselves, carry no dst).
   */
  const fdb = (n: ClusterNode, netId: string): string =>
    n.host
      .sh(['nsenter', `--net=${join(n.daemon.execRoot, 'netns-pinned', `ov-${netId.slice(0, 12)}`)}`, 'bridge', 'fdb', 'show'])
      .split('\n')
      .filter((l) => / dst /.test(l))
      .join('\n');
  let netId = '';
  /** What etcd holds of the hosts' leases and endpoints: said when an expiry does not come. */
  const etcdLeases = (): string => {
    const ids = n1.etcd.ctl(['lease', 'list']).split('\n').slice(1).map((l) => l.trim().split(/\s+/).pop()).filter((x): x is string => !!x);
    const leases = ids.map((id) => n1.etcd.ctl(['lease', 'timetolive', id, '--keys']).trim()).join('; ');
    const eps = n1.etcd.ctl(['get', '--prefix', '/tether/v1/', '--keys-only']).split('\n').filter((k) => k.includes('endpoint')).length;
    return `etcd leases: ${leases || 'none'}; ${eps} endpoint keys`;
  };
  /**
   * Containers on host 2 until one holds addr (freed by an expired endpoint; addresses go lowest
   * free first, and a few lower ones may be free too); its name is the one given.
   */
  /** The container of host 3 (on ov) with the lowest address: the first a squatter gets once it is freed. */
  const lowestOn3 = async (): Promise<{ name: string; ip: string }> => {
    const names = [...Array.from({ length: 10 }, (_, i) => `c${2 * i}`), 'after'];
    const all = await Promise.all(names.map(async (name) => ({ name, ip: (await endpointOf(n3, name)).IPAddress as string })));
    const num = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    return all.sort((a, b) => num(a.ip) - num(b.ip))[0]!;
  };
  const squat = async (name: string, addr: string): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      const n = i === 0 ? name : `${name}-${i}`;
      await runDetached(n2.daemon, n, { HostConfig: { NetworkMode: 'ov' } });
      if ((await endpointOf(n2, n)).IPAddress === addr) {
        if (n !== name) assert.equal(cli(n2, 'rename', n, name).code, 0);
        return;
      }
      if (i === 0) assert.equal(cli(n2, 'rename', n, `${name}-0`).code, 0);
    }
    assert.fail(`no container on host 2 got ${addr}`);
  };

  before(async () => {
    cluster = await startCluster();
    [n1, n2, n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  });
  after(async () => {
    await cluster?.dispose();
  });

  it('shows a network created on host 1 on hosts 2 and 3 with the same id, subnet, Scope swarm', async () => {
    const r = cli(n1, 'network', 'create', '-d', 'overlay', '--attachable', 'ov');
    assert.equal(r.code, 0, r.stderr);
    const id = (netId = r.stdout.trim());
    const [a, b, c] = await Promise.all([n1, n2, n3].map((n) => inspectNet(n, 'ov')));
    for (const seen of [b, c]) assert.deepEqual([seen.Id, seen.Scope, seen.Driver, seen.IPAM.Config], [id, 'swarm', 'overlay', a.IPAM.Config]);
    assert.equal(cli(n3, 'network', 'ls', '--filter', 'scope=swarm', '--format', '{{.Name}} {{.Scope}}').stdout.trim(), 'ov swarm');
  });

  it('gives 20 containers started at once on hosts 2 and 3 distinct addresses, and host 1 resolves them by name', async () => {
    await runDetached(n1.daemon, 'watcher', { HostConfig: { NetworkMode: 'ov' } });
    const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
    await Promise.all(names.map((name, i) => runDetached(i % 2 ? n2.daemon : n3.daemon, name, { HostConfig: { NetworkMode: 'ov' } })));
    const eps = await Promise.all(names.map((name, i) => endpointOf(i % 2 ? n2 : n3, name)));
    const addresses = eps.map((e) => e.IPAddress as string);
    assert.equal(new Set(addresses).size, 20, addresses.join(' '));
    // Host 1 follows the network (it has a container on it): host 2's c1 and host 3's c0 by name.
    await reachable('watcher', 'c1');
    await reachable('watcher', 'c0');
    // And each of the others reaches the rest: host 2's c1 → host 3's c0 and host 1's watcher.
    for (const target of ['c0', 'watcher']) {
      const r2 = cli(n2, 'exec', 'c1', 'ping', '-c1', '-W2', target);
      assert.equal(r2.code, 0, r2.stdout + r2.stderr);
    }
    const r = cli(n1, 'exec', 'watcher', 'nslookup', 'c1', '127.0.0.11');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`Address: ${eps[1].IPAddress.replace(/\./g, '\\.')}`));
    const peers = (await inspectNet(n1, 'ov')).Peers.map((p: { IP: string }) => p.IP);
    assert.deepEqual(peers, [n1.ip, n2.ip, n3.ip]);
  });

  it('keeps working with one etcd member stopped', async () => {
    await n3.etcd.stop();
    try {
      await runDetached(n2.daemon, 'one-down', { HostConfig: { NetworkMode: 'ov' } });
      await reachable('watcher', 'one-down');
    } finally {
      await n3.etcd.start();
    }
  });

  it('refuses a global create with 503 naming the store while etcd is down; after it returns host 1 sees a new endpoint on host 3', async () => {
    await Promise.all(cluster.nodes.map((n) => n.etcd.stop()));
    try {
      const r = await n1.daemon.api('POST', '/v1.43/networks/create', { Name: 'ov2', Driver: 'overlay' });
      assert.equal(r.status, 503, r.text);
      assert.match(r.json.message, /cluster store etcd \(http:\/\/10\.123\.0\.1:2379/);
      assert.ok(pings('watcher', 'c1'), 'cross-host traffic keeps flowing without etcd');
      assert.equal(cli(n1, 'run', '-d', '--name', 'local-one', 'busybox', 'sleep', '600').code, 0, 'a container on a local network starts');
    } finally {
      await Promise.all(cluster.nodes.map((n) => n.etcd.start()));
    }
    await waitFor(() => 'host 3 never reached etcd again', async () => (await n3.daemon.api('POST', '/v1.43/networks/create', { Name: 'ov-back', Driver: 'overlay' })).status === 201, 30_000);
    await runDetached(n3.daemon, 'after', { HostConfig: { NetworkMode: 'ov' } });
    await reachable('watcher', 'after', 30_000);
  });

  it('refuses --opt encrypted naming what the kernel lacks, and leaves nothing', async () => {
    const before = readdirSync(join(n1.daemon.execRoot, 'netns-pinned')).sort();
    const r = cli(n1, 'network', 'create', '-d', 'overlay', '--opt', 'encrypted', 'secret');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /encrypt/i);
    assert.match(r.stderr, /ESP|WireGuard|XFRM/);
    assert.equal(cli(n2, 'network', 'ls', '--filter', 'name=secret', '-q').stdout.trim(), '');
    assert.deepEqual(readdirSync(join(n1.daemon.execRoot, 'netns-pinned')).sort(), before);
  });

  it("a host's half of a network comes with its first container there and goes with the last; a remove on host 1 leaves nothing anywhere", async () => {
    const r = cli(n1, 'network', 'create', '-d', 'overlay', '--attachable', 'ov-brief');
    assert.equal(r.code, 0, r.stderr);
    const ns = `ov-${r.stdout.trim().slice(0, 12)}`;
    const has = (n: ClusterNode): boolean => readdirSync(join(n.daemon.execRoot, 'netns-pinned')).includes(ns);
    assert.deepEqual([n1, n2, n3].map(has), [false, false, false], 'no host builds it before a container joins');
    await runDetached(n3.daemon, 'brief', { HostConfig: { NetworkMode: 'ov-brief' } });
    await runDetached(n3.daemon, 'brief2', { HostConfig: { NetworkMode: 'ov-brief' } });
    assert.deepEqual([n1, n2, n3].map(has), [false, false, true]);
    const refused = cli(n1, 'network', 'rm', 'ov-brief');
    assert.equal(refused.code, 1, 'host 3 has containers on it');
    assert.match(refused.stderr, /active endpoints/);
    assert.equal(cli(n3, 'rm', '-f', 'brief').code, 0);
    assert.ok(has(n3), 'brief2 still uses it');
    assert.equal(cli(n3, 'rm', '-f', 'brief2').code, 0);
    assert.ok(!has(n3), "gone with host 3's last container on it");
    const rm = cli(n1, 'network', 'rm', 'ov-brief');
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual([n1, n2, n3].map(has), [false, false, false]);
    assert.equal(cli(n3, 'network', 'ls', '--filter', 'name=ov-brief', '-q').stdout.trim(), '');
  });

  it('a host away longer than its lease: its running containers join again, on addresses nobody else has', async () => {
    const { name: victim, ip: old } = await lowestOn3();
    await n3.daemon.kill9(); // its containers run on; its endpoints expire with its lease
    await waitFor(() => `${victim} still resolves on host 1`, () => cli(n1, 'exec', 'watcher', 'nslookup', victim, '127.0.0.11').code !== 0, 25_000);
    await squat('squatter', old);
    await n3.restart();
    await reachable('watcher', victim, 30_000);
    const now = (await endpointOf(n3, victim)).IPAddress as string;
    assert.notEqual(now, old, `${victim} no longer claims the address squatter has`);
    const inside = cli(n3, 'exec', victim, 'ip', '-o', '-4', 'addr', 'show').stdout;
    assert.ok(inside.includes(` ${now}/`) && !inside.includes(` ${old}/`), inside);
    const r = cli(n1, 'exec', 'watcher', 'nslookup', victim, '127.0.0.11');
    assert.match(r.stdout, new RegExp(`Address: ${now.replace(/\./g, '\\.')}`));
    await reachable('watcher', 'squatter');
  });

  it('a host cut off from etcd past its lease, its daemon running: once back, its containers are reachable again on addresses nobody else has', async () => {
    const { name: victim, ip: before } = await lowestOn3();
    // The partition: nothing from host 3 reaches an etcd client port (its own member's included).
    n3.host.sh(['nft', '-f', '-'], 'table inet partition {\n chain out { type filter hook output priority 0; tcp dport 2379 drop; }\n}\n');
    try {
      await waitFor(() => `${victim} still resolves on host 1`, () => cli(n1, 'exec', 'watcher', 'nslookup', victim, '127.0.0.11').code !== 0, 25_000);
      await squat('squatter2', before);
    } finally {
      n3.host.sh(['nft', 'delete', 'table', 'inet', 'partition']);
    }
    await reachable('watcher', victim, 30_000);
    const now = (await endpointOf(n3, victim)).IPAddress as string;
    assert.notEqual(now, before);
    await reachable('watcher', 'squatter2');
    for (const other of ['c0', 'c2', 'after'].filter((n) => n !== victim)) await reachable('watcher', other);
  });

  it('a host whose daemon is killed and restarted is reachable again; no address is handed out twice', async () => {
    await n2.daemon.kill9();
    await n2.restart();
    await reachable('watcher', 'c1', 30_000);
    await runDetached(n2.daemon, 'reborn', { HostConfig: { NetworkMode: 'ov' } });
    await runDetached(n3.daemon, 'late', { HostConfig: { NetworkMode: 'ov' } });
    await reachable('watcher', 'reborn');
    const all = [...Array.from({ length: 20 }, (_, i) => [i % 2 ? n2 : n3, `c${i}`] as const), [n2, 'one-down'] as const, [n2, 'reborn'] as const, [n3, 'late'] as const, [n3, 'after'] as const];
    const addresses = await Promise.all(all.map(async ([n, name]) => (await endpointOf(n, name)).IPAddress as string));
    assert.equal(new Set(addresses).size, addresses.length, addresses.join(' '));
  });

  it('a host gone for good leaves the others within the lease TTL: DNS and FDB', async () => {
    const mac = (await endpointOf(n2, 'c1')).MacAddress as string;
    assert.ok(fdb(n1, netId).includes(mac), 'programmed while host 2 lives');
    const gone = Date.now();
    await n2.daemon.kill9(); // and it never comes back: its lease runs out
    await waitFor(() => `c1 still resolves on host 1; ${etcdLeases()}`, () => cli(n1, 'exec', 'watcher', 'nslookup', 'c1', '127.0.0.11').code !== 0, 25_000);
    await waitFor(() => 'c1 still resolves on host 3', () => cli(n3, 'exec', 'c0', 'nslookup', 'c1', '127.0.0.11').code !== 0, 5_000);
    await waitFor(() => `host 1's FDB still has ${mac}`, () => !fdb(n1, netId).includes(mac), 5_000);
    await waitFor(() => `host 3's FDB still has ${mac}`, () => !fdb(n3, netId).includes(mac), 5_000);
    assert.ok(Date.now() - gone < 25_000, `gone from the others after ${Date.now() - gone} ms`);
    assert.ok(pings('watcher', 'c0'), 'host 3 stays reachable');
  });
});
