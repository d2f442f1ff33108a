import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tryParseCidr, tryParseIp, type Cidr, type Ip } from '../../ipam/address.js';
import type { FwNetwork, PortMapping } from '../firewaller.js';
import { elementId, elementLines, networkElements, portElement } from './elements.js';

const ip = (s: string): Ip => tryParseIp(s) ?? assert.fail(s);
const cidr = (s: string): Cidr => tryParseCidr(s) ?? assert.fail(s);
const web: PortMapping = { networkId: 'n', proto: 'tcp', hostIp: ip('0.0.0.0'), hostPort: 8080, containerIp: ip('172.18.0.2'), containerPort: 80 };
const net: FwNetwork = { id: 'n', bridge: 'br-x', subnets: [cidr('172.18.0.0/16')], internal: false, icc: true, masquerade: false };

describe('portElement', () => {
  it('keys unspecified host addresses by proto and port, others by address too', () => {
    assert.deepEqual(portElement(web), { set: 'ports4_any', key: 'tcp . 8080', value: '172.18.0.2 . 80' });
    assert.deepEqual(portElement({ ...web, hostIp: ip('192.168.1.5'), proto: 'udp' }), {
      set: 'ports4_addr', key: '192.168.1.5 . udp . 8080', value: '172.18.0.2 . 80',
    });
    assert.equal(portElement({ ...web, hostIp: ip('::'), containerIp: ip('fd00::2') }).set, 'ports6_any');
  });

  it('accepts container port 0 as Docker does, and refuses what nft cannot express', () => {
    assert.equal(portElement({ ...web, containerPort: 0 }).value, '172.18.0.2 . 0');
    const bad: Array<[Partial<PortMapping>, string]> = [
      [{ hostPort: 0 }, 'firewall.port'],
      [{ hostPort: 65536 }, 'firewall.port'],
      [{ containerPort: 1.5 }, 'firewall.port'],
      [{ proto: 'icmp' as never }, 'firewall.proto'],
      [{ hostIp: ip('::') }, 'firewall.family'],
      [{ containerIp: ip('0.0.0.0') }, 'firewall.containerIp'],
    ];
    for (const [change, code] of bad) assert.throws(() => portElement({ ...web, ...change }), { code }, Object.keys(change).join());
  });
});

describe('networkElements', () => {
  it('puts an internal network in no masquerade set, and icc=false in icc_off', () => {
    const sets = (n: FwNetwork) => networkElements(n).map((e) => e.set);
    assert.deepEqual(sets(net), ['bridges', 'bridge_self', 'bridge_nets4']);
    assert.deepEqual(sets({ ...net, masquerade: true }), ['bridges', 'bridge_self', 'bridge_nets4', 'masq4']);
    assert.deepEqual(sets({ ...net, masquerade: true, internal: true, icc: false }), ['bridges', 'bridge_self', 'bridge_nets4', 'internal', 'icc_off']);
  });

  it('refuses bridge names that would escape the quoted string', () => {
    for (const bridge of ['br"x', 'br x', 'a'.repeat(16), 'br}\nflush ruleset']) {
      assert.throws(() => networkElements({ ...net, bridge }), { code: 'kernel.ifname' });
    }
  });
});

describe('elementLines', () => {
  it('groups elements per set, with values only when adding', () => {
    const elems = [portElement(web), portElement({ ...web, hostPort: 8081 }), ...networkElements(net)];
    assert.deepEqual(elementLines('t', 'add', elems.slice(0, 3)), [
      'add element inet t ports4_any { tcp . 8080 : 172.18.0.2 . 80, tcp . 8081 : 172.18.0.2 . 80 }',
      'add element inet t bridges { "br-x" }',
    ]);
    assert.deepEqual(elementLines('t', 'delete', elems.slice(0, 2)), ['delete element inet t ports4_any { tcp . 8080, tcp . 8081 }']);
    assert.equal(elementId(elems[0] ?? assert.fail()), 'ports4_any tcp . 8080');
  });
});
