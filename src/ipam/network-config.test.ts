import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIp, parseSubnet } from './address.js';
import {
  type PoolConfig,
  inspectIpamConfig,
  poolAssignedConfig,
  poolConfigFromRecord,
  poolConfigToRecord,
  validateIpamRequest,
} from './network-config.js';

const v4only = (configs: Parameters<typeof validateIpamRequest>[0]['configs']) => validateIpamRequest({ configs, enableIPv6: false });
const one = (configs: Parameters<typeof validateIpamRequest>[0]['configs']): PoolConfig => {
  const pool = v4only(configs).pools[0];
  assert.ok(pool);
  return pool;
};

describe('gateways (reference 03)', () => {
  it('defaults to .1 and is not shown for an explicit subnet', () => {
    const pool = one([{ subnet: '10.3.0.0/24' }]);
    assert.equal(formatIp(pool.gateway), '10.3.0.1');
    assert.equal(pool.gatewayExplicit, false);
    assert.deepEqual(inspectIpamConfig(pool), { Subnet: '10.3.0.0/24' });
  });

  it('is shown when given', () => {
    const pool = one([{ subnet: '10.1.1.0/24', gateway: '10.1.1.1' }]);
    assert.equal(pool.gatewayExplicit, true);
    assert.deepEqual(inspectIpamConfig(pool), { Subnet: '10.1.1.0/24', Gateway: '10.1.1.1' });
  });

  it("is the ip-range's first address when a range is given without a gateway", () => {
    const pool = one([{ subnet: '10.2.0.0/16', ipRange: '10.2.5.0/24' }]);
    assert.equal(formatIp(pool.gateway), '10.2.5.0');
    assert.deepEqual(inspectIpamConfig(pool), { Subnet: '10.2.0.0/16', IPRange: '10.2.5.0/24' });
    // A range starting at the subnet's own network address skips it.
    assert.equal(formatIp(one([{ subnet: '10.2.0.0/16', ipRange: '10.2.0.0/24' }]).gateway), '10.2.0.1');
  });

  it('is shown for a pool-assigned subnet', () => {
    const pool = poolAssignedConfig(parseSubnet('192.168.240.0/20'));
    assert.deepEqual(inspectIpamConfig(pool), { Subnet: '192.168.240.0/20', Gateway: '192.168.240.1' });
  });

  it('keeps a subnet with host bits verbatim', () => {
    const pool = one([{ subnet: '10.64.0.5/24' }]);
    assert.equal(inspectIpamConfig(pool).Subnet, '10.64.0.5/24');
    assert.equal(formatIp(pool.gateway), '10.64.0.1');
  });
});

describe('inspect shape (reference 09)', () => {
  it('orders keys Subnet, IPRange, Gateway, AuxiliaryAddresses and sorts aux names', () => {
    const pool = one([{ subnet: '10.91.0.0/24', gateway: '10.91.0.1', ipRange: '10.91.0.128/25', auxAddresses: { r: '10.91.0.2', a: '10.91.0.3' } }]);
    const shown = inspectIpamConfig(pool);
    assert.deepEqual(Object.keys(shown), ['Subnet', 'IPRange', 'Gateway', 'AuxiliaryAddresses']);
    assert.deepEqual(Object.keys(shown.AuxiliaryAddresses ?? {}), ['a', 'r']);
    assert.equal(JSON.stringify(inspectIpamConfig(one([{ subnet: '10.3.0.0/24', auxAddresses: { host1: '10.3.0.2', host2: '10.3.0.3' } }]))),
      '{"Subnet":"10.3.0.0/24","AuxiliaryAddresses":{"host1":"10.3.0.2","host2":"10.3.0.3"}}');
  });
});

describe('refusals (reference 06, later-Docker strictness)', () => {
  const cases: Array<[string, Parameters<typeof v4only>[0], string, string]> = [
    ['bad subnet', [{ subnet: '10.70.0.0/33' }], 'invalid', 'Invalid subnet 10.70.0.0/33 : invalid CIDR address: 10.70.0.0/33'],
    ['gateway outside', [{ subnet: '10.60.0.0/24', gateway: '10.61.0.1' }], 'invalid', 'failed to allocate gateway (10.61.0.1): Requested address is out of range'],
    ['gateway of the other family', [{ subnet: '10.60.0.0/24', gateway: 'fd00::1' }], 'invalid', 'failed to allocate gateway (fd00::1): Requested address is out of range'],
    ['unparsable gateway', [{ subnet: '10.71.0.0/24', gateway: '10.71.0.999' }], 'invalid', 'invalid gateway address 10.71.0.999 in Ipam configuration'],
    ['gateway = network address', [{ subnet: '10.1.1.0/24', gateway: '10.1.1.0' }], 'invalid', 'failed to allocate gateway (10.1.1.0): Address already in use'],
    ['gateway = broadcast', [{ subnet: '10.1.1.0/24', gateway: '10.1.1.255' }], 'invalid', 'failed to allocate gateway (10.1.1.255): Address already in use'],
    ['range outside', [{ subnet: '10.60.0.0/24', ipRange: '10.62.0.0/24' }], 'invalid', 'no matching subnet for range 10.62.0.0/24'],
    ['range larger than subnet', [{ subnet: '10.60.0.0/24', ipRange: '10.60.0.0/23' }], 'invalid', 'no matching subnet for range 10.60.0.0/23'],
    ['unparsable range', [{ subnet: '10.60.0.0/24', ipRange: 'x' }], 'invalid', 'Invalid ip-range x : invalid CIDR address: x'],
    ['aux outside', [{ subnet: '10.60.0.0/24', auxAddresses: { a: '10.63.0.5' } }], 'invalid', 'no matching subnet for aux-address 10.63.0.5'],
    ['unparsable aux', [{ subnet: '10.60.0.0/24', auxAddresses: { a: 'nope' } }], 'invalid', 'non parsable secondary ip address (a:nope)'],
    ['aux = default gateway', [{ subnet: '10.60.0.0/24', auxAddresses: { a: '10.60.0.1' } }], 'invalid', 'failed to allocate secondary ip address (a:10.60.0.1): Address already in use'],
    ['aux twice', [{ subnet: '10.60.0.0/24', auxAddresses: { a: '10.60.0.9', b: '10.60.0.9' } }], 'invalid', 'failed to allocate secondary ip address (b:10.60.0.9): Address already in use'],
    ['gateway without subnet', [{ gateway: '10.60.0.1' }], 'invalid', 'every ip-range or gateway must have a corresponding subnet'],
    ['/32 has no host for a gateway', [{ subnet: '10.60.0.7/32' }], 'invalid', 'failed to allocate gateway: no available addresses on this pool'],
  ];
  for (const [name, configs, kind, message] of cases) {
    it(name, () => assert.throws(() => v4only(configs), { kind, message }));
  }
});

describe('IPv6', () => {
  it('accepts an IPv6 subnet without EnableIPv6, inactive, and still needs an IPv4 pool', () => {
    const r = validateIpamRequest({ configs: [{ subnet: 'fd00:9::/64' }], enableIPv6: false });
    assert.equal(r.needsV4Pool, true);
    assert.equal(r.pools.length, 1);
    assert.equal(r.pools[0]?.active, false);
    assert.deepEqual(r.pools.map(inspectIpamConfig), [{ Subnet: 'fd00:9::/64' }]);
  });

  it('gives an IPv6-only request ::1 as gateway and asks for an IPv4 pool', () => {
    const r = validateIpamRequest({ configs: [{ subnet: 'fd00:1::/64' }], enableIPv6: true });
    assert.equal(r.needsV4Pool, true);
    assert.equal(formatIp(r.pools[0]?.gateway ?? assert.fail()), 'fd00:1::1');
    assert.equal(r.pools[0]?.active, true);
  });

  it('puts IPv4 before IPv6 whatever the request order', () => {
    const r = validateIpamRequest({ configs: [{ subnet: 'fd00:4::/64' }, { subnet: '10.4.0.0/24' }], enableIPv6: true });
    assert.deepEqual(r.pools.map((p) => p.subnet.text), ['10.4.0.0/24', 'fd00:4::/64']);
    assert.equal(r.needsV4Pool, false);
  });

  it('asks for an IPv6 pool subnet for EnableIPv6 without an IPv6 subnet (Docker 27 ULA pool)', () => {
    assert.deepEqual(validateIpamRequest({ configs: [], enableIPv6: true }), { pools: [], needsV4Pool: true, needsV6Pool: true });
  });

  it('keeps the IPv4 subnet of an IPv4-disabled network inactive and asks for no IPv4 pool', () => {
    const r = validateIpamRequest({ configs: [{ subnet: '10.4.0.0/24' }], enableIPv6: true, enableIPv4: false });
    assert.deepEqual([r.pools[0]?.active, r.needsV4Pool, r.needsV6Pool], [false, false, true]);
  });

  it('treats an empty entry as "pick a subnet"', () => {
    assert.deepEqual(validateIpamRequest({ configs: [{}], enableIPv6: false }), { pools: [], needsV4Pool: true, needsV6Pool: false });
  });
});

describe('store records', () => {
  it('round-trip', () => {
    const pool = one([{ subnet: '10.91.0.5/24', gateway: '10.91.0.1', ipRange: '10.91.0.128/25', auxAddresses: { r: '10.91.0.2' } }]);
    const rec = poolConfigToRecord(pool);
    assert.deepEqual(rec, {
      family: 4,
      subnet: '10.91.0.5/24',
      ipRange: '10.91.0.128/25',
      gateway: '10.91.0.1',
      gatewayExplicit: true,
      poolAssigned: false,
      active: true,
      auxAddresses: { r: '10.91.0.2' },
    });
    assert.deepEqual(poolConfigFromRecord(JSON.parse(JSON.stringify(rec))), pool);
  });
});
