import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCidr } from './address.js';
import {
  daemonPools,
  defaultPools,
  describePools,
  dockerDefaultPools,
  hasFamily,
  parseDefaultAddressPool,
  parseDefaultAddressPools,
  poolCandidate,
  poolCandidates,
  ulaPool,
} from './default-pools.js';

describe('default pools', () => {
  it("lists Docker's pools in Docker's order, then the extra pool as a second tier", () => {
    const list = defaultPools();
    const texts = [...poolCandidates(list)].map((c) => c.text);
    const expectedDocker = [
      ...Array.from({ length: 15 }, (_, i) => `172.${17 + i}.0.0/16`),
      ...Array.from({ length: 16 }, (_, i) => `192.168.${16 * i}.0/20`),
    ];
    assert.deepEqual(texts.slice(0, 31), expectedDocker);
    assert.equal(texts[31], '10.210.0.0/24');
    assert.equal(texts.at(-1), '10.210.255.0/24');
    assert.equal(list.length, 31 + 256);
    assert.deepEqual(list.tiers, [31, 256]);
    assert.deepEqual(dockerDefaultPools().tiers, [31]);
    assert.ok(!hasFamily(list, 6), 'Docker has no default IPv6 pool');
  });
});

describe('--default-address-pool', () => {
  it('parses base and size, case-insensitively, and expands by index', () => {
    const range = parseDefaultAddressPool('base=10.10.0.0/16,size=24');
    assert.equal(range.count, 256);
    const list = parseDefaultAddressPools(['base=10.10.0.0/16,size=24', 'BASE=10.20.0.0/16,Size=20']);
    assert.equal(list.length, 256 + 16);
    assert.deepEqual(list.tiers, [272]);
    assert.equal(poolCandidate(list, 0).text, '10.10.0.0/24');
    assert.equal(poolCandidate(list, 255).text, '10.10.255.0/24');
    assert.equal(poolCandidate(list, 256).text, '10.20.0.0/20');
    assert.equal(poolCandidate(list, 271).text, '10.20.240.0/20');
    assert.deepEqual(describePools(list), [
      { Base: '10.10.0.0/16', Size: 24 },
      { Base: '10.20.0.0/16', Size: 20 },
    ]);
  });

  it('replaces the defaults and the extra pool', () => {
    const list = parseDefaultAddressPools(['base=10.10.0.0/16,size=24']);
    assert.ok(![...poolCandidates(list)].some((c) => c.text.startsWith('172.') || c.text.startsWith('10.210.')));
    assert.equal(parseDefaultAddressPools([]).length, defaultPools().length);
  });

  it('does not materialise a /8 split into /24s', () => {
    const list = parseDefaultAddressPools(['base=10.0.0.0/8,size=24']);
    assert.equal(list.length, 65536);
    assert.equal(poolCandidate(list, 65535).text, '10.255.255.0/24');
    const huge = parseDefaultAddressPools(['base=fd00::/16,size=64']);
    assert.equal(huge.length, 2 ** 48);
    assert.equal(poolCandidate(huge, 1).text, 'fd00:0:0:1::/64');
    assert.ok(hasFamily(huge, 6));
  });

  it("refuses malformed values with dockerd's messages", () => {
    assert.throws(() => parseDefaultAddressPool('base=10.10.0.0/16,size'), { kind: 'invalid', message: "invalid field 'size' must be a key=value pair" });
    assert.throws(() => parseDefaultAddressPool('base=10.10.0.0/16,size=x'), { message: 'invalid size value: "x" (must be integer)' });
    assert.throws(() => parseDefaultAddressPool('base=10.10.0.0/16,mask=24'), { message: "unexpected key 'mask' in 'mask=24'" });
    assert.throws(() => parseDefaultAddressPool('base=10.10.0.0/16,size=8'), { kind: 'invalid', code: 'ipam.invalidDefaultPool' });
    assert.throws(() => parseDefaultAddressPool('base=10.10.0.0/16,size=33'), { code: 'ipam.invalidDefaultPool' });
    assert.throws(() => parseDefaultAddressPool('size=24'), { code: 'ipam.invalidDefaultPool' });
    assert.throws(() => parseDefaultAddressPool('base=10.10.0.0/33,size=24'), { kind: 'invalid' });
    assert.throws(() => parseDefaultAddressPool('base=::/0,size=64'), { code: 'ipam.invalidDefaultPool' });
  });
});

describe('the ULA pool (Docker 27, moby #47853)', () => {
  it("derives Docker's /48 from the host id: the vectors of moby's TestDeriveULABaseNetwork", () => {
    assert.equal(formatCidr(ulaPool('').base), 'fd42:98fc:1c14::/48');
    assert.equal(formatCidr(ulaPool('499d4bc0-b0b3-416f-b1ee-cf6486315593').base), 'fd62:fb69:18af::/48');
    assert.equal(ulaPool('').size, 64);
    assert.equal(ulaPool('').count, 65536);
  });

  it('is the same for the same id and differs between ids', () => {
    assert.equal(formatCidr(ulaPool('a').base), formatCidr(ulaPool('a').base));
    assert.notEqual(formatCidr(ulaPool('a').base), formatCidr(ulaPool('b').base));
  });

  it('follows the IPv4 tiers of the defaults, each family in its own tiers', () => {
    const list = daemonPools([], '');
    assert.deepEqual(list.tiers, [31, 256, 65536]);
    assert.equal(poolCandidate(list, 31 + 256).text, 'fd42:98fc:1c14::/64');
    assert.equal(poolCandidate(list, 31 + 256 + 1).text, 'fd42:98fc:1c14:1::/64');
  });

  it('is added to configured pools that have no IPv6 range, and replaced by configured IPv6 ranges', () => {
    const v4 = parseDefaultAddressPool('base=10.10.0.0/16,size=24');
    const v6 = parseDefaultAddressPool('base=fd99::/56,size=64');
    assert.deepEqual(describePools(daemonPools([v4], '')), [{ Base: '10.10.0.0/16', Size: 24 }, { Base: 'fd42:98fc:1c14::/48', Size: 64 }]);
    assert.deepEqual(daemonPools([v6, v4], '').tiers, [256, 256]);
    assert.deepEqual(describePools(daemonPools([v6], '')), [{ Base: 'fd99::/56', Size: 64 }]);
  });
});
