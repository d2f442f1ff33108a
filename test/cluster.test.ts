// Issue 20, the cluster side, on real etcd and real tetherds: three test hosts on an underlay
// bridge, a three-member etcd, one tetherd each. Until the overlay driver lands, the global
// driver is the stub (drivers/testing/stub-overlay.ts: no kernel objects; its peer() calls are
// logged), so this shows the control plane: one network seen alike everywhere, addresses never
// handed out twice, other hosts' containers resolvable by name, etcd members stopped and back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from './helpers/cluster.js';
import { dockerClients, runClient } from './helpers/cli.js';
import { runDetached } from './helpers/containers.js';
import { waitFor } from './helpers/daemon.js';
import { heavy } from './helpers/heavy.js';

const docker = dockerClients()[0]!;
const skip = process.getuid?.() === 0 ? heavy.skip : 'needs root: test hosts are network namespaces';

describe('cluster: three hosts, etcd, global networks', { skip }, () => {
  let cluster: TestCluster;
  let n1: ClusterNode, n2: ClusterNode, n3: ClusterNode;
  const cli = (n: ClusterNode, ...args: string[]) => runClient([docker, ...args], n.daemon.socket);
  const inspectNet = async (n: ClusterNode, ref: string) => (await n.daemon.api('GET', `/v1.43/networks/${ref}`)).json;
  const endpointOf = async (n: ClusterNode, name: string) => (await n.daemon.api('GET', `/v1.43/containers/${name}/json`)).json.NetworkSettings.Networks.ov;
  /** The stub driver's peer() calls on a host, from its log. */
  const peerLines = (n: ClusterNode): string => n.daemon.log().split('\n').filter((l) => l.includes('stub overlay peer')).join('\n');

  before(async () => {
    cluster = await startCluster({ TETHER_TEST_DRIVERS: 'stub-overlay' });
    [n1, n2, n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  });
  after(async () => {
    await cluster?.dispose();
  });

  it('shows a network created on host 1 on hosts 2 and 3 with the same id, subnet, Scope swarm', async () => {
    const r = cli(n1, 'network', 'create', '-d', 'overlay', '--attachable', 'ov');
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
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
    // Host 1 follows the network (it has a container on it): every remote endpoint programmed.
    await waitFor(peerLines.bind(null, n1), () => eps.every((e) => peerLines(n1).includes(`+${e.EndpointID}@`)), 10_000);
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
      const ep = await endpointOf(n2, 'one-down');
      await waitFor(peerLines.bind(null, n1), () => peerLines(n1).includes(`+${ep.EndpointID}@${n2.ip}`), 10_000);
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
      assert.equal(cli(n1, 'exec', 'watcher', 'true').code, 0, 'running containers keep working');
      assert.equal(cli(n1, 'run', '-d', '--name', 'local-one', 'busybox', 'sleep', '600').code, 0, 'a container on a local network starts');
    } finally {
      await Promise.all(cluster.nodes.map((n) => n.etcd.start()));
    }
    await waitFor(() => 'host 3 never reached etcd again', async () => (await n3.daemon.api('POST', '/v1.43/networks/create', { Name: 'ov-back', Driver: 'overlay' })).status === 201, 30_000);
    await runDetached(n3.daemon, 'after', { HostConfig: { NetworkMode: 'ov' } });
    const ep = await endpointOf(n3, 'after');
    await waitFor(peerLines.bind(null, n1), () => peerLines(n1).includes(`+${ep.EndpointID}@${n3.ip}`), 30_000);
  });
});
