import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cidr, parseSubnet } from './address.js';
import { daemonPools, defaultPools, dockerDefaultPools } from './default-pools.js';
import { inspectIpamConfig } from './network-config.js';
import { type PlanContext, planNetworkIpam } from './network-plan.js';

const nets = (...texts: string[]): Cidr[] => texts.map(parseSubnet);
// The reference daemon of 03: cursor on 192.168.240.0/20 (candidate 30).
const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  pools: defaultPools(),
  inUse: nets('172.17.0.0/16', '172.18.0.0/16'),
  cursor: 30,
  ...over,
});

describe('planNetworkIpam', () => {
  it('adds an IPv4 pool subnet before an IPv6-only request (reference 03)', () => {
    const plan = planNetworkIpam({ configs: [{ subnet: 'fd00:1::/64' }], enableIPv6: true }, ctx());
    assert.ok(plan.ok);
    assert.equal(JSON.stringify(plan.pools.map(inspectIpamConfig)), '[{"Subnet":"192.168.240.0/20","Gateway":"192.168.240.1"},{"Subnet":"fd00:1::/64"}]');
    assert.equal(plan.cursor, 0); // wrapped past the last Docker candidate
  });

  it('fails --ipv6 without a subnet but still advances the cursor (reference 08)', () => {
    const plan = planNetworkIpam({ configs: [], enableIPv6: true }, ctx({ cursor: 28 }));
    assert.equal(plan.ok, false);
    assert.ok(!plan.ok);
    assert.equal(plan.error.kind, 'notFound');
    assert.equal(plan.error.message, 'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network');
    assert.equal(plan.cursor, 29);
  });

  it('does not move the cursor for explicit IPv4 subnets, nor check them against host routes', () => {
    const plan = planNetworkIpam(
      { configs: [{ subnet: '192.0.2.0/24' }], enableIPv6: false },
      ctx({ hostRoutes: nets('192.0.2.0/24') }),
    );
    assert.ok(plan.ok);
    assert.equal(plan.cursor, 30);
    assert.deepEqual(plan.pools.map((p) => p.subnet.text), ['192.0.2.0/24']);
  });

  it('returns the overlap error with the cursor untouched', () => {
    const plan = planNetworkIpam({ configs: [{ subnet: '172.17.0.0/16' }], enableIPv6: false }, ctx());
    assert.ok(!plan.ok);
    assert.equal(plan.error.kind, 'forbidden');
    assert.equal(plan.error.message, 'Pool overlaps with other one on this address space');
    assert.equal(plan.cursor, 30);
  });

  it('refuses two overlapping subnets in one request', () => {
    const plan = planNetworkIpam({ configs: [{ subnet: '10.8.0.0/16' }, { subnet: '10.8.1.0/24' }], enableIPv6: false }, ctx());
    assert.ok(!plan.ok);
    assert.equal(plan.error.kind, 'forbidden');
  });

  it('keeps an IPv6 subnet of a non-IPv6 network without reserving it (reference 06)', () => {
    const plan = planNetworkIpam({ configs: [{ subnet: 'fd00:9::/64' }], enableIPv6: false }, ctx({ inUse: nets('fd00:9::/48') }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.pools.map((p) => [p.subnet.text, p.active]), [['192.168.240.0/20', true], ['fd00:9::/64', false]]);
  });

  it('checks an enabled IPv6 subnet for overlap after taking the IPv4 pool', () => {
    const plan = planNetworkIpam({ configs: [{ subnet: 'fd00:9::/64' }], enableIPv6: true }, ctx({ inUse: nets('fd00:9::/48') }));
    assert.ok(!plan.ok);
    assert.equal(plan.error.kind, 'forbidden');
    assert.equal(plan.cursor, 0);
  });

  it('reports pool exhaustion without moving the cursor', () => {
    const plan = planNetworkIpam({ configs: [], enableIPv6: false }, ctx({ pools: dockerDefaultPools(), inUse: nets('172.16.0.0/12', '192.168.0.0/16'), cursor: 12 }));
    assert.ok(!plan.ok);
    assert.equal(plan.error.message, 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    assert.equal(plan.cursor, 12);
  });

  it('returns validation errors before touching the pools', () => {
    const plan = planNetworkIpam({ configs: [{ subnet: 'foo' }], enableIPv6: true }, ctx());
    assert.ok(!plan.ok);
    assert.equal(plan.error.message, 'Invalid subnet foo : invalid CIDR address: foo');
    assert.equal(plan.cursor, 30);
  });
});

describe('planNetworkIpam with the ULA pool', () => {
  const ula = (over: Partial<PlanContext> = {}) => ctx({ pools: daemonPools([], ''), cursor: 0, ...over });

  it('gives --ipv6 without a subnet an IPv4 pool subnet and the first free ULA /64', () => {
    const plan = planNetworkIpam({ configs: [], enableIPv6: true }, ula());
    assert.ok(plan.ok);
    assert.deepEqual(plan.pools.map(inspectIpamConfig), [
      { Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' },
      { Subnet: 'fd42:98fc:1c14::/64', Gateway: 'fd42:98fc:1c14::1' },
    ]);
    assert.equal(plan.pools[1]?.poolAssigned, true);
  });

  it('hands the next /64 to the next network (next-fit per family) and skips ULA subnets in use', () => {
    const first = planNetworkIpam({ configs: [], enableIPv6: true }, ula());
    assert.ok(first.ok);
    const second = planNetworkIpam(
      { configs: [], enableIPv6: true },
      ula({ cursor: first.cursor, inUse: [...nets('172.17.0.0/16', '172.18.0.0/16'), ...first.pools.map((p) => p.subnet)] }),
    );
    assert.ok(second.ok);
    assert.deepEqual(second.pools.map((p) => p.subnet.text), ['172.20.0.0/16', 'fd42:98fc:1c14:1::/64']);
    const skip = planNetworkIpam({ configs: [], enableIPv6: true }, ula({ inUse: nets('fd42:98fc:1c14::/63') }));
    assert.ok(skip.ok);
    assert.equal(skip.pools[1]?.subnet.text, 'fd42:98fc:1c14:2::/64');
  });

  it('gives an IPv4-disabled network only IPv6 and leaves the IPv4 cursor alone', () => {
    const plan = planNetworkIpam({ configs: [], enableIPv6: true, enableIPv4: false }, ula({ cursor: 5 }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.pools.map((p) => [p.subnet.text, p.active]), [['fd42:98fc:1c14::/64', true]]);
    const v4Only = planNetworkIpam({ configs: [], enableIPv6: false }, ula({ cursor: plan.cursor }));
    assert.ok(v4Only.ok);
    assert.equal(v4Only.pools[0]?.subnet.text, '172.22.0.0/16'); // candidate 5, as before the IPv6 create
  });

  it('keeps an explicit IPv4 subnet of an IPv4-disabled network inactive and unreserved', () => {
    const plan = planNetworkIpam({ configs: [{ subnet: '172.17.0.0/16' }], enableIPv6: true, enableIPv4: false }, ula());
    assert.ok(plan.ok);
    assert.deepEqual(plan.pools.map((p) => [p.subnet.text, p.active]), [['172.17.0.0/16', false], ['fd42:98fc:1c14::/64', true]]);
  });
});
