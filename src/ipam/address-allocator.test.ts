import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Ip, formatIp, parseSubnet, tryParseIp } from './address.js';
import {
  allocateDynamicAddress,
  allocateEndpoint,
  macFromIPv4,
  parseRequestedAddress,
  reserveStaticAddress,
} from './address-allocator.js';
import { type IpamConfigInput, type PoolConfig, poolAssignedConfig, validateIpamRequest } from './network-config.js';

const NET = { name: 'ref-net', id: 'f4f2ced44b04' };
const poolsOf = (configs: IpamConfigInput[], enableIPv6 = false): PoolConfig[] => [
  ...validateIpamRequest({ configs, enableIPv6 }).pools,
];
const ip = (text: string): Ip => tryParseIp(text) ?? assert.fail(text);
const next4 = (pools: PoolConfig[], taken: string[] = []) => formatIp(allocateDynamicAddress(pools, 4, taken, NET).address);

describe('dynamic addresses', () => {
  it('starts after the gateway of a pool subnet', () => {
    assert.equal(next4([poolAssignedConfig(parseSubnet('172.17.0.0/16'))]), '172.17.0.2');
  });

  it('skips aux addresses: first container 10.3.0.4 (reference 03)', () => {
    assert.equal(next4(poolsOf([{ subnet: '10.3.0.0/24', auxAddresses: { host1: '10.3.0.2', host2: '10.3.0.3' } }])), '10.3.0.4');
  });

  it('takes the ip-range: gateway 10.2.5.0, first container 10.2.5.1 (reference 03)', () => {
    const pools = poolsOf([{ subnet: '10.2.0.0/16', ipRange: '10.2.5.0/24' }]);
    assert.equal(next4(pools), '10.2.5.1');
  });

  it("starts at the range's first address when the gateway is elsewhere (reference 09)", () => {
    const pools = poolsOf([{ subnet: '10.91.0.0/24', gateway: '10.91.0.1', ipRange: '10.91.0.128/25', auxAddresses: { r: '10.91.0.2' } }]);
    assert.equal(next4(pools), '10.91.0.128');
    assert.equal(next4(pools, ['10.91.0.128']), '10.91.0.129');
  });

  it('hands out the lowest free address, so a released one comes back first', () => {
    const pools = poolsOf([{ subnet: '10.1.1.0/24' }]);
    assert.equal(next4(pools, ['10.1.1.2', '10.1.1.4']), '10.1.1.3');
  });

  it('never hands out the broadcast address and reports exhaustion the Docker way', () => {
    const pools = poolsOf([{ subnet: '10.9.0.0/30' }]);
    assert.equal(next4(pools), '10.9.0.2');
    assert.throws(() => next4(pools, ['10.9.0.2']), {
      kind: 'conflict',
      message: "no available IPv4 addresses on this network's address pools: ref-net (f4f2ced44b04)",
    });
  });

  it('moves to the next subnet of the family when one is full', () => {
    const pools = poolsOf([{ subnet: '10.9.0.0/30' }, { subnet: '10.9.1.0/24' }]);
    assert.equal(next4(pools, ['10.9.0.2']), '10.9.1.2');
  });

  it('gives 50 sequential containers distinct addresses', () => {
    const pools = poolsOf([{ subnet: '10.5.0.0/24', auxAddresses: { x: '10.5.0.7' } }]);
    const taken: string[] = [];
    for (let i = 0; i < 50; i++) taken.push(next4(pools, taken));
    assert.equal(new Set(taken).size, 50);
    assert.ok(!taken.includes('10.5.0.1') && !taken.includes('10.5.0.7') && !taken.includes('10.5.0.0'));
    assert.equal(taken[0], '10.5.0.2');
    assert.equal(taken[49], '10.5.0.52');
  });

  it('allocates IPv6 after ::1, quickly even with many taken in a /64', () => {
    const pools = poolsOf([{ subnet: 'fd00:1::/64' }], true);
    const first = allocateDynamicAddress(pools, 6, [], NET);
    assert.equal(formatIp(first.address), 'fd00:1::2');
    assert.equal(first.prefixLength, 64);
    const taken = Array.from({ length: 5000 }, (_, i) => `fd00:1::${(i + 2).toString(16)}`);
    assert.equal(formatIp(allocateDynamicAddress(pools, 6, taken, NET).address), `fd00:1::${(5002).toString(16)}`);
  });

  it('reserves no "broadcast" in IPv6: the last address of the subnet is usable', () => {
    const pools = poolsOf([{ subnet: 'fd00::/126' }], true);
    assert.equal(formatIp(allocateDynamicAddress(pools, 6, ['fd00::2'], NET).address), 'fd00::3');
    assert.equal(formatIp(reserveStaticAddress(pools, ip('fd00::3'), []).address), 'fd00::3');
  });
});

describe('static addresses (reference 05)', () => {
  const pools = poolsOf([{ subnet: '10.1.1.0/24', gateway: '10.1.1.1' }]);

  it('reserves a free address with its prefix and gateway', () => {
    const r = reserveStaticAddress(pools, ip('10.1.1.50'), ['10.1.1.2']);
    assert.equal(formatIp(r.address), '10.1.1.50');
    assert.equal(r.prefixLength, 24);
    assert.equal(formatIp(r.gateway), '10.1.1.1');
  });

  it('refuses an address outside every subnet', () => {
    assert.throws(() => reserveStaticAddress(pools, ip('10.9.9.9'), []), {
      kind: 'invalid',
      message: "Invalid address 10.9.9.9: It does not belong to any of this network's subnets",
    });
  });

  for (const held of ['10.1.1.1', '10.1.1.0', '10.1.1.255', '10.1.1.2']) {
    it(`refuses ${held} as already in use`, () => {
      assert.throws(() => reserveStaticAddress(pools, ip(held), ['10.1.1.2']), { kind: 'conflict', message: 'Address already in use' });
    });
  }

  it('refuses an aux address (reference 03: --ip 10.3.0.2)', () => {
    const aux = poolsOf([{ subnet: '10.3.0.0/24', auxAddresses: { host1: '10.3.0.2' } }]);
    assert.throws(() => reserveStaticAddress(aux, ip('10.3.0.2'), []), { message: 'Address already in use' });
  });

  it('allows a static address outside the ip-range but inside the subnet', () => {
    const ranged = poolsOf([{ subnet: '10.91.0.0/24', ipRange: '10.91.0.128/25' }]);
    assert.equal(formatIp(reserveStaticAddress(ranged, ip('10.91.0.20'), []).address), '10.91.0.20');
  });

  it("parses --ip with Docker's message, stray parenthesis included", () => {
    assert.throws(() => parseRequestedAddress('10.1.1.999', 4), { kind: 'invalid', message: 'Invalid IPv4 address: 10.1.1.999)' });
    assert.throws(() => parseRequestedAddress('fd00::1', 4), { message: 'Invalid IPv4 address: fd00::1)' });
    assert.throws(() => parseRequestedAddress('10.0.0.1', 6), { message: 'Invalid IPv6 address: 10.0.0.1)' });
  });
});

describe('endpoints', () => {
  it('gets both families on a dual-stack network', () => {
    const pools = poolsOf([{ subnet: '10.4.0.0/24' }, { subnet: 'fd00:4::/64' }], true);
    const r = allocateEndpoint(pools, {}, [], NET);
    assert.equal(formatIp(r.ipv4?.address ?? assert.fail()), '10.4.0.2');
    assert.equal(formatIp(r.ipv6?.address ?? assert.fail()), 'fd00:4::2');
    assert.equal(formatIp(r.ipv6?.gateway ?? assert.fail()), 'fd00:4::1');
  });

  it('gets no IPv6 from an inactive IPv6 subnet', () => {
    const pools = [poolAssignedConfig(parseSubnet('192.168.144.0/20')), ...poolsOf([{ subnet: 'fd00:9::/64' }], false)];
    const r = allocateEndpoint(pools, { ipv6: 'fd00:9::5' }, [], NET);
    assert.equal(formatIp(r.ipv4?.address ?? assert.fail()), '192.168.144.2');
    assert.equal(r.ipv6, undefined);
  });

  it('honours --ip and --ip6 together, each family checked against its own taken addresses', () => {
    const pools = poolsOf([{ subnet: '10.4.0.0/24' }, { subnet: 'fd00:4::/64' }], true);
    const r = allocateEndpoint(pools, { ipv4: '10.4.0.9', ipv6: 'fd00:4::9' }, ['10.4.0.2', 'fd00:4::2'], NET);
    assert.equal(formatIp(r.ipv4?.address ?? assert.fail()), '10.4.0.9');
    assert.equal(formatIp(r.ipv6?.address ?? assert.fail()), 'fd00:4::9');
    assert.throws(() => allocateEndpoint(pools, { ipv6: 'fd00:4::2' }, ['fd00:4::2'], NET), { message: 'Address already in use' });
  });

  it('refuses --ip on a network without user-configured subnets', () => {
    const pools = [poolAssignedConfig(parseSubnet('172.31.0.0/16'))];
    assert.throws(() => allocateEndpoint(pools, { ipv4: '172.31.0.50' }, [], NET), {
      kind: 'invalid',
      message: 'user specified IP address is supported only when connecting to networks with user configured subnets',
    });
  });
});

describe('macFromIPv4', () => {
  it('is 02:42 + the four address bytes', () => {
    assert.equal(macFromIPv4('172.17.0.2'), '02:42:ac:11:00:02');
    assert.equal(macFromIPv4('10.1.1.50'), '02:42:0a:01:01:32');
    assert.equal(macFromIPv4(ip('192.168.240.2')), '02:42:c0:a8:f0:02');
    assert.throws(() => macFromIPv4('fd00::1'), { kind: 'invalid' });
  });
});
