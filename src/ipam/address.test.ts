import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addOffset,
  broadcastAddress,
  cidrContains,
  cidrContainsCidr,
  cidrSize,
  cidrsOverlap,
  compareCidr,
  compareIp,
  formatCidr,
  formatIp,
  makeCidr,
  networkAddress,
  parseSubnet,
  tryParseCidr,
  tryParseIp,
} from './address.js';

const ip = (text: string) => {
  const parsed = tryParseIp(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
};
const roundTrip = (text: string) => formatIp(ip(text));

describe('IPv4 addresses', () => {
  it('parses and formats dotted quads', () => {
    assert.deepEqual(ip('172.17.0.2'), { family: 4, value: 0xac110002n });
    assert.equal(roundTrip('0.0.0.0'), '0.0.0.0');
    assert.equal(roundTrip('255.255.255.255'), '255.255.255.255');
  });

  it('refuses what Go refuses', () => {
    for (const bad of ['10.1.1.999', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', '', ' 1.2.3.4', '1.2.3.4 ', '1..3.4', 'a.b.c.d']) {
      assert.equal(tryParseIp(bad), undefined, bad);
    }
  });
});

describe('IPv6 addresses', () => {
  it('compresses the longest zero run, lowercase, RFC 5952', () => {
    assert.equal(roundTrip('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(roundTrip('0:0:0:0:0:0:0:0'), '::');
    assert.equal(roundTrip('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(roundTrip('fd00:1:0:0:0:0:0:0'), 'fd00:1::');
    assert.equal(roundTrip('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // one zero group stays
    assert.equal(roundTrip('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1'); // longest run wins
    assert.equal(roundTrip('1:0:0:2:0:0:3:4'), '1::2:0:0:3:4'); // first run on a tie
    assert.equal(roundTrip('fd00:1::2'), 'fd00:1::2');
  });

  it('parses :: anywhere and a trailing dotted quad', () => {
    assert.equal(ip('::').value, 0n);
    assert.equal(ip('1::').value, 1n << 112n);
    assert.equal(ip('1:2:3:4:5:6:7::').value & 0xffffn, 0n);
    assert.equal(roundTrip('::ffff:10.1.2.3'), '::ffff:10.1.2.3');
    assert.equal(ip('::1.2.3.4').value, 0x01020304n);
  });

  it('refuses malformed text', () => {
    for (const bad of ['1::2::3', ':::', '12345::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0', '::g', '1.2.3.4::', ':1::', '1:']) {
      assert.equal(tryParseIp(bad), undefined, bad);
    }
  });
});

describe('CIDRs', () => {
  it("uses Docker's text for a bad subnet", () => {
    for (const bad of ['10.70.0.0/33', 'foo', '10.70.0.0', 'fd00::/129', '10.0.0.0/', '10.0.0.0/-1']) {
      assert.throws(() => parseSubnet(bad), { kind: 'invalid', message: `Invalid subnet ${bad} : invalid CIDR address: ${bad}` });
    }
  });

  it('keeps a subnet with host bits verbatim but computes on the masked network', () => {
    const c = parseSubnet('10.64.0.5/24');
    assert.equal(c.text, '10.64.0.5/24');
    assert.equal(formatCidr(c), '10.64.0.0/24');
    assert.equal(formatIp(networkAddress(c)), '10.64.0.0');
    assert.equal(formatIp(broadcastAddress(c)), '10.64.0.255');
    assert.ok(cidrContains(c, ip('10.64.0.200')));
    assert.ok(!cidrContains(c, ip('10.64.1.0')));
  });

  it('handles /0 and /32, /128', () => {
    assert.equal(cidrSize(parseSubnet('0.0.0.0/0')), 1n << 32n);
    assert.equal(formatIp(broadcastAddress(parseSubnet('10.1.1.1/32'))), '10.1.1.1');
    assert.equal(formatCidr(parseSubnet('fd00:1::7/64')), 'fd00:1::/64');
    assert.equal(formatIp(broadcastAddress(parseSubnet('fd00:1::/64'))), 'fd00:1::ffff:ffff:ffff:ffff');
    assert.equal(cidrSize(parseSubnet('::1/128')), 1n);
  });

  it('overlap: identical, sub- and supernet, disjoint, other family', () => {
    const net = parseSubnet('10.50.0.0/16');
    assert.ok(cidrsOverlap(net, parseSubnet('10.50.0.0/16')));
    assert.ok(cidrsOverlap(net, parseSubnet('10.50.1.0/24')));
    assert.ok(cidrsOverlap(net, parseSubnet('10.0.0.0/8')));
    assert.ok(cidrsOverlap(parseSubnet('10.0.0.0/8'), net));
    assert.ok(!cidrsOverlap(net, parseSubnet('10.51.0.0/16')));
    assert.ok(!cidrsOverlap(parseSubnet('0.0.0.0/0'), parseSubnet('::/0')));
    assert.ok(cidrContainsCidr(net, parseSubnet('10.50.255.0/24')));
    assert.ok(!cidrContainsCidr(parseSubnet('10.50.1.0/24'), net));
  });

  it('makeCidr masks and writes canonical text', () => {
    const c = makeCidr(ip('192.168.17.9'), 20);
    assert.equal(c.text, '192.168.16.0/20');
    assert.deepEqual(tryParseCidr('192.168.16.0/20'), c);
  });
});

describe('arithmetic and order', () => {
  it('adds offsets within the family', () => {
    assert.equal(formatIp(addOffset(ip('10.0.0.255'), 1)), '10.0.1.0');
    assert.equal(formatIp(addOffset(ip('fd00::ffff'), 1n)), 'fd00::1:0');
    assert.throws(() => addOffset(ip('255.255.255.255'), 1), { kind: 'internal' });
    assert.throws(() => addOffset(ip('0.0.0.0'), -1), { kind: 'internal' });
  });

  it('compares by family then value', () => {
    assert.equal(compareIp(ip('10.0.0.2'), ip('10.0.0.10')), -1);
    assert.equal(compareIp(ip('255.255.255.255'), ip('::')), -1);
    assert.equal(compareIp(ip('fd00::1'), ip('FD00:0::1')), 0);
    const sorted = ['10.1.0.0/16', '10.0.0.0/8', '10.0.0.0/16'].map(parseSubnet).sort(compareCidr).map((c) => c.text);
    assert.deepEqual(sorted, ['10.0.0.0/8', '10.0.0.0/16', '10.1.0.0/16']);
  });
});
