// Kernel tests (root): the real table in a throwaway test host, and real packets through it.
// Topology: bridge A 10.88.1.0/24 (container c1 runs httpd :80 and :81), bridge B 10.88.2.0/24
// (c2), internal bridge I 10.88.3.0/24 (c3), and a neighbour 192.0.2.2 on an uplink that routes
// 10.88.0.0/16 through the test host (192.0.2.1).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tryParseCidr, tryParseIp, type Cidr, type Ip } from '../../ipam/address.js';
import { LinuxKernel } from '../../kernel/kernel.js';
import type { FwNetwork, PortMapping } from '../firewaller.js';
import { NftFirewaller } from './nft-firewaller.js';
import { Lab, type Ns } from './topology.test-helper.js';

const ip = (s: string): Ip => tryParseIp(s) ?? assert.fail(s);
const cidr = (s: string): Cidr => tryParseCidr(s) ?? assert.fail(s);

async function eventually(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

describe('NftFirewaller in a test host', { concurrency: false }, () => {
  let lab: Lab;
  let kernel: LinuxKernel;
  let fw: NftFirewaller;
  let c1: Ns, c2: Ns, c3: Ns, neighbour: Ns;
  const logs: string[] = [];
  const log = {
    info: (m: string) => logs.push(m),
    warn: (m: string) => logs.push(m),
    error: (m: string) => logs.push(m),
  };
  const table = `tt${process.pid}`;
  let netA: FwNetwork, netB: FwNetwork, netI: FwNetwork;
  const web: PortMapping = { networkId: 'a', proto: 'tcp', hostIp: ip('0.0.0.0'), hostPort: 8080, containerIp: ip('10.88.1.2'), containerPort: 80 };
  const local: PortMapping = { ...web, hostIp: ip('127.0.0.1'), hostPort: 8081 };

  before(async () => {
    lab = new Lab();
    const brA = lab.bridge('10.88.1.1/24');
    const brB = lab.bridge('10.88.2.1/24');
    const brI = lab.bridge('10.88.3.1/24');
    c1 = lab.container(brA, '10.88.1.2/24', '10.88.1.1');
    c2 = lab.container(brB, '10.88.2.2/24', '10.88.2.1');
    c3 = lab.container(brI, '10.88.3.2/24', '10.88.3.1');
    neighbour = lab.neighbour('10.88.0.0/16');
    lab.httpd(c1, '80', 'hello from c1\n');
    lab.httpd(c1, '81', 'unpublished\n');
    lab.httpd(lab.hostNs, '127.0.0.1:8082', 'host-only service\n');
    netA = { id: 'a', bridge: brA, subnets: [cidr('10.88.1.0/24')], internal: false, icc: true, masquerade: true };
    netB = { id: 'b', bridge: brB, subnets: [cidr('10.88.2.0/24')], internal: false, icc: true, masquerade: true };
    netI = { id: 'i', bridge: brI, subnets: [cidr('10.88.3.0/24')], internal: true, icc: true, masquerade: true };
    kernel = new LinuxKernel();
    fw = new NftFirewaller({ kernel, log, table, netnsPath: lab.host.nsPath });
    await fw.init();
    for (const n of [netA, netB, netI]) await fw.setNetwork(n);
    await fw.addPorts([web, local]);
  });

  after(async () => {
    await fw?.close();
    kernel?.close();
    lab?.dispose();
  });

  it('programs the table: chains, the user chain, maps and their elements', () => {
    const out = JSON.parse(lab.host.sh(['nft', '-j', 'list', 'table', 'inet', table])) as { nftables: Array<Record<string, any>> };
    const chains = out.nftables.filter((o) => o.chain).map((o) => o.chain.name as string);
    for (const c of ['user', 'forward', 'input', 'nat-prerouting', 'nat-output', 'nat-postrouting']) assert.ok(chains.includes(c), c);
    const map = out.nftables.find((o) => o.map?.name === 'ports4_any')?.map;
    assert.equal(JSON.stringify(map.elem), JSON.stringify([[{ concat: ['tcp', 8080] }, { concat: ['10.88.1.2', 80] }]]));
    const masq = out.nftables.find((o) => o.set?.name === 'masq4')?.set;
    // The internal network's subnet is not masqueraded.
    assert.deepEqual(masq.elem, [{ prefix: { addr: '10.88.1.0', len: 24 } }, { prefix: { addr: '10.88.2.0', len: 24 } }]);
    assert.equal(lab.host.sh(['sysctl', '-n', 'net.ipv4.ip_forward']).trim(), '1');
  });

  it('publishes a port to a neighbour, to the host via 127.0.0.1, and back to the container itself', () => {
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8080/'), 'hello from c1\n');
    assert.equal(Lab.get(lab.hostNs, 'http://127.0.0.1:8080/'), 'hello from c1\n');
    assert.equal(Lab.get(lab.hostNs, 'http://127.0.0.1:8081/'), 'hello from c1\n');
    assert.equal(Lab.get(c1, 'http://192.0.2.1:8080/'), 'hello from c1\n', 'hairpin');
  });

  it('lets a container of another network reach the published port with its own address', () => {
    assert.equal(Lab.get(c2, 'http://10.88.2.1:8080/'), 'hello from c1\n');
  });

  it('lets a neighbour routed to the subnet reach published container ports only', () => {
    assert.equal(Lab.get(neighbour, 'http://10.88.1.2:81/'), undefined);
    // 80 is published on every address (8080): open to routing, as Docker's ACCEPT rule makes it.
    assert.equal(Lab.get(neighbour, 'http://10.88.1.2:80/'), 'hello from c1\n');
    // From another network it stays isolated, published or not.
    assert.equal(Lab.get(c2, 'http://10.88.1.2:80/'), undefined);
    // The 127.0.0.1 publish is bound to 127.0.0.1 only: not on the host's other addresses.
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8081/'), undefined);
  });

  it('keeps a 127.0.0.1 publish host-only, even for peers that send to 127.0.0.1 across a link', () => {
    const attacker = lab.container(netB.bridge, '10.88.2.3/24', '10.88.2.1');
    Lab.routeLoopbackOut(attacker, 'eth0', '10.88.2.1');
    assert.equal(Lab.get(attacker, 'http://127.0.0.1:8081/'), undefined);
    // route_localnet is on for our bridges: the input rule keeps host-only services host-only.
    assert.equal(Lab.get(lab.hostNs, 'http://127.0.0.1:8082/'), 'host-only service\n');
    assert.equal(Lab.get(attacker, 'http://127.0.0.1:8082/'), undefined);
    Lab.routeLoopbackOut(neighbour, 'eth0', '192.0.2.1');
    assert.equal(Lab.get(neighbour, 'http://127.0.0.1:8081/'), undefined);
  });

  it('isolates two bridges and keeps an internal network in', () => {
    assert.equal(c1.try(['busybox', 'ping', '-c', '1', '-W', '1', '10.88.1.1']).code, 0, 'own gateway answers');
    assert.equal(c1.try(['busybox', 'ping', '-c', '1', '-W', '1', '192.0.2.2']).code, 0, 'egress to the neighbour works');
    assert.notEqual(c1.try(['busybox', 'ping', '-c', '1', '-W', '1', '10.88.2.2']).code, 0, 'A → B');
    assert.notEqual(c2.try(['busybox', 'ping', '-c', '1', '-W', '1', '10.88.1.2']).code, 0, 'B → A');
    assert.notEqual(c3.try(['busybox', 'ping', '-c', '1', '-W', '1', '192.0.2.2']).code, 0, 'internal → outside');
    assert.notEqual(c3.try(['busybox', 'ping', '-c', '1', '-W', '1', '10.88.1.2']).code, 0, 'internal → A');
    assert.notEqual(neighbour.try(['busybox', 'ping', '-c', '1', '-W', '1', '10.88.3.2']).code, 0, 'outside → internal');
  });

  it('refuses the port once it is removed, and answers again when re-added', async () => {
    await fw.removePorts([web]);
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8080/'), undefined);
    await fw.addPorts([web]);
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8080/'), 'hello from c1\n');
  });

  it('restores the table within 2 s after `nft flush ruleset`, and the port answers again', async () => {
    await fw.watch();
    // The monitors have subscribed once the host has three netfilter netlink sockets (protocol
    // 12) that joined a multicast group.
    const subscribed = (): number => lab.host.sh(['cat', '/proc/net/netlink']).split('\n').map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === '12' && /^[0-9a-f]+$/.test(f[3] ?? '') && Number.parseInt(f[3]!, 16) !== 0).length;
    await eventually('the monitors subscribe', () => subscribed() >= 3, 5000);
    logs.length = 0;
    lab.host.sh(['nft', 'flush', 'ruleset']);
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8080/', 0.3), undefined);
    await eventually('port answers again', () => Lab.get(neighbour, 'http://192.0.2.1:8080/', 0.3) !== undefined, 2000);
    assert.ok(logs.some((m) => m.includes('restoring')), logs.join('\n'));
    assert.ok(logs.some((m) => m.includes('user chain rules are lost')), logs.join('\n'));
  });

  it('keeps the user chain rules across a reconcile, and honours them first', async () => {
    lab.host.sh(['nft', 'add', 'rule', 'inet', table, 'user', 'ip', 'saddr', '192.0.2.2', 'tcp', 'dport', '80', 'drop']);
    await fw.reconcile(fw.state());
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8080/'), undefined);
    assert.match(lab.host.sh(['nft', 'list', 'chain', 'inet', table, 'user']), /ip saddr 192\.0\.2\.2 tcp dport 80 drop/);
    lab.host.sh(['nft', 'flush', 'chain', 'inet', table, 'user']);
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8080/'), 'hello from c1\n');
  });

  it('repairs a rule deleted behind its back, but ignores changes to the user chain', async () => {
    logs.length = 0;
    lab.host.sh(['nft', 'add', 'rule', 'inet', table, 'user', 'counter']);
    await new Promise((r) => setTimeout(r, 300)); // not a synchronisation: a window in which nothing may be logged
    assert.deepEqual(logs, []);
    lab.host.sh(['nft', 'flush', 'chain', 'inet', table, 'nat-prerouting']);
    await eventually('port answers again', () => Lab.get(neighbour, 'http://192.0.2.1:8080/', 0.3) !== undefined, 2000);
    assert.match(lab.host.sh(['nft', 'list', 'chain', 'inet', table, 'user']), /counter/);
  });

  it('recovers an incremental change when someone deleted the element it needs', async () => {
    lab.host.sh(['nft', 'delete', 'element', 'inet', table, 'ports4_any', '{ tcp . 8080 }']);
    await fw.removePorts([web]); // the delete fails in the kernel; a rebuild converges
    await fw.addPorts([web]);
    assert.equal(Lab.get(neighbour, 'http://192.0.2.1:8080/'), 'hello from c1\n');
  });
});
