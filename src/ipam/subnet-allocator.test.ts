import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cidr, cidrsOverlap, parseSubnet } from './address.js';
import { defaultPools, dockerDefaultPools, parseDefaultAddressPools } from './default-pools.js';
import { allocatePoolSubnet, checkExplicitSubnet, decodeCursor, encodeCursor } from './subnet-allocator.js';

const nets = (...texts: string[]): Cidr[] => texts.map(parseSubnet);
const NO_V4 = 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network';
const NO_V6 = 'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network';

/** Creates networks one after another like `docker network create` in a loop. */
function createMany(n: number, inUse: Cidr[], cursor: number, pools = defaultPools()) {
  const got: string[] = [];
  for (let i = 0; i < n; i++) {
    const choice = allocatePoolSubnet({ pools, family: 4, inUse, cursor });
    got.push(choice.subnet.text);
    inUse.push(choice.subnet);
    cursor = choice.cursor;
  }
  return { got, cursor };
}

describe('next-fit pool allocation (reference 08)', () => {
  // The recording's daemon: docker0, custom_network and two benchmark networks; cursor just
  // after 192.168.192.0/20, which is candidate 27, so the next one is 28.
  const before = () => nets('172.17.0.0/16', '172.18.0.0/16', '10.201.0.0/16', '10.203.0.0/24');

  it('reproduces the recorded sequence of 20 creates, then the 3 after removing them, then one more', () => {
    const inUse = before();
    const first = createMany(20, inUse, 28);
    assert.deepEqual(first.got, [
      '192.168.208.0/20', '192.168.224.0/20', '192.168.240.0/20',
      ...Array.from({ length: 13 }, (_, i) => `172.${19 + i}.0.0/16`),
      '192.168.0.0/20', '192.168.16.0/20', '192.168.32.0/20', '192.168.48.0/20',
    ]);
    // Remove all 20: the freed subnets are not reused, the cursor carries on.
    const afterRemove = before();
    const next = createMany(3, afterRemove, first.cursor);
    assert.deepEqual(next.got, ['192.168.64.0/20', '192.168.80.0/20', '192.168.96.0/20']);
    // Remove the middle one (192.168.80.0/20) and create again.
    const withoutMiddle = afterRemove.filter((c) => c.text !== '192.168.80.0/20');
    const last = createMany(1, withoutMiddle, next.cursor);
    assert.deepEqual(last.got, ['192.168.112.0/20']);
  });

  it('gives 172.18.0.0/16 to the first user network of a fresh daemon', () => {
    assert.equal(allocatePoolSubnet({ pools: defaultPools(), family: 4, inUse: nets('172.17.0.0/16'), cursor: 0 }).subnet.text, '172.18.0.0/16');
  });

  it('takes the cursor modulo the list', () => {
    const choice = allocatePoolSubnet({ pools: dockerDefaultPools(), family: 4, inUse: [], cursor: 31 + 2 });
    assert.equal(choice.subnet.text, '172.19.0.0/16');
    assert.equal(choice.cursor, 3);
  });
});

describe('host routes', () => {
  it('skips candidates overlapping a host route, but ignores the default route', () => {
    const pools = defaultPools();
    const r = allocatePoolSubnet({ pools, family: 4, inUse: nets('172.17.0.0/16'), hostRoutes: nets('0.0.0.0/0', '172.18.5.0/24'), cursor: 0 });
    assert.equal(r.subnet.text, '172.19.0.0/16');
    const wide = allocatePoolSubnet({ pools, family: 4, inUse: [], hostRoutes: nets('172.16.0.0/12', '192.168.0.0/19'), cursor: 0 });
    assert.equal(wide.subnet.text, '192.168.32.0/20');
  });

  it('jumps over a large route in a large pool', () => {
    const pools = parseDefaultAddressPools(['base=10.0.0.0/8,size=24']);
    const r = allocatePoolSubnet({ pools, family: 4, inUse: nets('10.128.0.0/24'), hostRoutes: nets('10.0.0.0/9'), cursor: 0 });
    assert.equal(r.subnet.text, '10.128.1.0/24');
    assert.equal(r.cursor, 32770);
  });
});

describe('exhaustion and the extra pool', () => {
  it("fails with Docker's message when every candidate is taken", () => {
    const full = nets('172.16.0.0/12', '192.168.0.0/16');
    assert.throws(() => allocatePoolSubnet({ pools: dockerDefaultPools(), family: 4, inUse: full, cursor: 5 }), { kind: 'notFound', message: NO_V4 });
    const big = parseDefaultAddressPools(['base=10.0.0.0/8,size=24']);
    assert.throws(() => allocatePoolSubnet({ pools: big, family: 4, inUse: nets('10.0.0.0/8'), cursor: 7 }), { message: NO_V4 });
  });

  it('has no IPv6 pool by default', () => {
    assert.throws(() => allocatePoolSubnet({ pools: defaultPools(), family: 6, inUse: [], cursor: 0 }), { kind: 'notFound', message: NO_V6 });
  });

  it('uses the extra pool only when all of Docker’s are taken, each tier keeping its own cursor', () => {
    const pools = defaultPools();
    const inUse = nets('172.16.0.0/12', '192.168.0.0/16');
    const a = createMany(2, inUse, 28, pools);
    assert.deepEqual(a.got, ['10.210.0.0/24', '10.210.1.0/24']);
    assert.deepEqual(decodeCursor(pools, a.cursor), [28, 2]);
    // A Docker pool frees up: it is used again, from Docker's own position.
    const freed = inUse.filter((c) => c.text !== '172.16.0.0/12').concat(nets('172.16.0.0/16', '172.17.0.0/16'));
    const b = createMany(1, freed, a.cursor, pools);
    assert.deepEqual(b.got, ['172.18.0.0/16']);
    const c = createMany(1, freed.concat(nets('172.16.0.0/12')), b.cursor, pools);
    assert.deepEqual(c.got, ['10.210.2.0/24']);
  });

  it('round-trips cursors and decodes garbage harmlessly', () => {
    const pools = defaultPools();
    assert.equal(encodeCursor(pools, [30, 255]), 30 + 31 * 255);
    assert.deepEqual(decodeCursor(pools, 30 + 31 * 255), [30, 255]);
    assert.deepEqual(decodeCursor(pools, -4), [0, 0]);
    assert.deepEqual(decodeCursor(pools, 1.5), [0, 0]);
  });

  it('gives 50 sequential networks distinct, non-overlapping subnets', () => {
    const inUse = nets('172.17.0.0/16');
    const { got } = createMany(50, inUse, 0);
    assert.equal(new Set(got).size, 50);
    const cidrs = nets(...got, '172.17.0.0/16');
    for (let i = 0; i < cidrs.length; i++) {
      for (let j = i + 1; j < cidrs.length; j++) {
        assert.ok(!cidrsOverlap(cidrs[i] as Cidr, cidrs[j] as Cidr), `${got[i]} overlaps ${got[j]}`);
      }
    }
    assert.equal(got[29], '192.168.240.0/20');
    assert.equal(got[30], '10.210.0.0/24');
    assert.equal(got[49], '10.210.19.0/24');
  });
});

describe('explicit subnets (reference 06)', () => {
  const existing = nets('172.17.0.0/16', '10.50.0.0/16');
  for (const text of ['10.50.1.0/24', '10.50.0.0/16', '10.0.0.0/8', '172.17.0.0/16', '10.50.9.9/16']) {
    it(`refuses ${text} with 403 Pool overlaps`, () => {
      assert.throws(() => checkExplicitSubnet(parseSubnet(text), existing), {
        kind: 'forbidden',
        message: 'Pool overlaps with other one on this address space',
      });
    });
  }

  it('accepts a disjoint subnet, whatever the host routes', () => {
    assert.doesNotThrow(() => checkExplicitSubnet(parseSubnet('192.0.2.0/24'), existing));
    assert.doesNotThrow(() => checkExplicitSubnet(parseSubnet('fd00::/8'), existing));
  });
});
