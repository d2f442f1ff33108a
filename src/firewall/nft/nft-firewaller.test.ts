// NftFirewaller against a recording fake kernel: which batches it sends, and when.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internal } from '../../errors.js';
import { tryParseCidr, tryParseIp, type Cidr, type Ip } from '../../ipam/address.js';
import type { FwNetwork, PortMapping } from '../firewaller.js';
import { NftFirewaller, type FirewallKernel } from './nft-firewaller.js';

const ip = (s: string): Ip => tryParseIp(s) ?? assert.fail(s);
const cidr = (s: string): Cidr => tryParseCidr(s) ?? assert.fail(s);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const net: FwNetwork = { id: 'n', bridge: 'br-x', subnets: [cidr('172.18.0.0/16')], internal: false, icc: true, masquerade: true };
const web: PortMapping = { networkId: 'n', proto: 'tcp', hostIp: ip('0.0.0.0'), hostPort: 8080, containerIp: ip('172.18.0.2'), containerPort: 80 };

function fakeKernel(failNext = { count: 0 }) {
  const batches: string[] = [];
  const sysctls: string[] = [];
  let exists = false;
  const kernel: FirewallKernel = {
    async nft(batch) {
      if (failNext.count > 0) {
        failNext.count -= 1;
        throw internal('nft: Error: Could not process rule: No such file or directory');
      }
      batches.push(batch);
      exists = true;
    },
    async nftCmd() {
      return exists ? { code: 0, stdout: 'table inet t {\n}\n', stderr: '' } : { code: 1, stdout: '', stderr: 'No such file' };
    },
    async sysctl(key, value) {
      sysctls.push(`${key}=${value}`);
    },
    launch: () => assert.fail('no monitor in unit tests'),
  };
  return { kernel, batches, sysctls };
}

describe('NftFirewaller', () => {
  it('creates only the table and user chain at init, writes the whole table once, then elements', async () => {
    const k = fakeKernel();
    const fw = new NftFirewaller({ kernel: k.kernel, log: silent, table: 't' });
    await fw.init();
    assert.deepEqual(k.sysctls, ['net.ipv4.ip_forward=1']);
    assert.deepEqual(k.batches, ['add table inet t\nadd chain inet t user\n']);
    await fw.addPorts([web]);
    assert.match(k.batches[1] ?? '', /^add table inet t\n[\s\S]*flush chain inet t forward\n[\s\S]*add element inet t ports4_any \{ tcp \. 8080 : 172\.18\.0\.2 \. 80 \}\nadd element inet t open4 \{ 172\.18\.0\.2 \. tcp \. 80 \}\n$/);
    k.batches.length = 1;
    await fw.setNetwork(net);
    assert.equal(k.batches[1], [
      'add element inet t bridges { "br-x" }',
      'add element inet t bridge_self { "br-x" . "br-x" }',
      'add element inet t bridge_nets4 { "br-x" . 172.18.0.0/16 }',
      'add element inet t masq4 { 172.18.0.0/16 }',
      '',
    ].join('\n'));
    assert.deepEqual(k.sysctls.slice(1), ['net/ipv4/conf/br-x/route_localnet=1']);
  });

  it('updates a network by its difference only', async () => {
    const k = fakeKernel();
    const fw = new NftFirewaller({ kernel: k.kernel, log: silent, table: 't', ipForward: false });
    await fw.reconcile({ networks: [], ports: [] });
    await fw.setNetwork(net);
    await fw.setNetwork({ ...net, masquerade: false, icc: false });
    assert.equal(k.batches[2], 'delete element inet t masq4 { 172.18.0.0/16 }\nadd element inet t icc_off { "br-x" }\n');
    await fw.removeNetwork('n');
    await fw.removeNetwork('n');
    assert.equal(k.batches.length, 4);
    assert.match(k.batches[3] ?? '', /^delete element inet t bridges \{ "br-x" \}/);
    assert.ok(!k.sysctls.includes('net.ipv4.ip_forward=1'));
  });

  it('publishes idempotently, and refuses a host port mapped to another container', async () => {
    const k = fakeKernel();
    const fw = new NftFirewaller({ kernel: k.kernel, log: silent, table: 't' });
    await fw.reconcile({ networks: [], ports: [] });
    await fw.addPorts([web]);
    await fw.addPorts([web]);
    assert.equal(k.batches.length, 2);
    assert.equal(k.batches[1], 'add element inet t ports4_any { tcp . 8080 : 172.18.0.2 . 80 }\nadd element inet t open4 { 172.18.0.2 . tcp . 80 }\n');
    await assert.rejects(fw.addPorts([{ ...web, containerIp: ip('172.18.0.3') }]), {
      kind: 'conflict',
      message: 'Bind for 0.0.0.0:8080 failed: port is already allocated',
    });
    await fw.removePorts([{ ...web, hostPort: 9999 }]);
    assert.equal(k.batches.length, 2);
    await fw.removePorts([{ ...web, containerIp: ip('172.18.0.9'), containerPort: 1 }]); // identity is host side only
    assert.equal(k.batches[2], 'delete element inet t ports4_any { tcp . 8080 }\ndelete element inet t open4 { 172.18.0.2 . tcp . 80 }\n');
    assert.deepEqual(fw.state().ports, []);
  });

  it('opens a container port to routing once, however many host ports lead to it, and never for 127.0.0.1', async () => {
    const k = fakeKernel();
    const fw = new NftFirewaller({ kernel: k.kernel, log: silent, table: 't' });
    await fw.reconcile({ networks: [], ports: [] });
    await fw.addPorts([web, { ...web, hostPort: 8081 }, { ...web, hostIp: ip('127.0.0.1'), hostPort: 8082 }]);
    assert.equal(k.batches[1], 'add element inet t ports4_any { tcp . 8080 : 172.18.0.2 . 80, tcp . 8081 : 172.18.0.2 . 80 }\n' +
      'add element inet t ports4_addr { 127.0.0.1 . tcp . 8082 : 172.18.0.2 . 80 }\nadd element inet t open4 { 172.18.0.2 . tcp . 80 }\n');
    await fw.removePorts([web]);
    assert.equal(k.batches[2], 'delete element inet t ports4_any { tcp . 8080 }\n', 'still open through 8081');
    await fw.removePorts([{ ...web, hostPort: 8081 }]);
    assert.equal(k.batches[3], 'delete element inet t ports4_any { tcp . 8081 }\ndelete element inet t open4 { 172.18.0.2 . tcp . 80 }\n');
  });

  it('rebuilds the whole table with the new state when an incremental batch is refused', async () => {
    const fail = { count: 0 };
    const k = fakeKernel(fail);
    const fw = new NftFirewaller({ kernel: k.kernel, log: silent, table: 't' });
    await fw.reconcile({ networks: [], ports: [] });
    fail.count = 1;
    await fw.addPorts([web]);
    assert.equal(k.batches.length, 2);
    assert.match(k.batches[1] ?? '', /^add table inet t\n[\s\S]*add element inet t ports4_any \{ tcp \. 8080 : 172\.18\.0\.2 \. 80 \}\nadd element inet t open4 \{ 172\.18\.0\.2 \. tcp \. 80 \}\n$/);
    fail.count = 2;
    await assert.rejects(fw.removePorts([web]));
    assert.equal(fw.state().ports.length, 1, 'the mirror is unchanged when both attempts fail');
  });
});
