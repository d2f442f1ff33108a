// Issue 2's "must show" through the Engine API, against a real tetherd in a test host namespace:
// Docker's shapes, overlap refusal, 50 concurrent creates surviving kill -9, invalid input.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';

interface Link {
  ifname: string;
  linkinfo?: { info_kind?: string };
}

describe('network API', () => {
  let host: TestHost;
  let d: TestDaemon;

  const bridges = (): string[] =>
    (JSON.parse(host.sh(['ip', '-j', '-d', 'link', 'show'])) as Link[])
      .filter((l) => l.linkinfo?.info_kind === 'bridge')
      .map((l) => l.ifname)
      .sort();

  before(async () => {
    host = createTestHost('net');
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  it('lists the predefined networks with Docker shapes', async () => {
    const r = await d.api('GET', '/v1.43/networks');
    assert.equal(r.status, 200);
    const names = (r.json as Array<{ Name: string }>).map((n) => n.Name).sort();
    assert.deepEqual(names, ['bridge', 'host', 'none']);
    const bridge = (await d.api('GET', '/v1.43/networks/bridge')).json;
    assert.deepEqual(Object.keys(bridge), [
      'Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels',
    ]);
    assert.match(bridge.Id, /^[0-9a-f]{64}$/);
    assert.deepEqual(bridge.IPAM, { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16' }] });
    assert.equal(bridge.Options['com.docker.network.bridge.name'], 'tether0');
    assert.ok(bridges().includes('tether0'), 'the default bridge exists in the kernel');
    const addrs = host.sh(['ip', '-4', '-o', 'addr', 'show', 'dev', 'tether0']);
    assert.match(addrs, /172\.17\.0\.1\/16/);
  });

  it('creates, inspects and removes a network with an explicit subnet', async () => {
    const c = await d.api('POST', '/v1.43/networks/create', {
      Name: 'mybridge', CheckDuplicate: true, Driver: 'bridge',
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.1.1.0/24', Gateway: '10.1.1.1' }] },
      Options: {}, Labels: { env: 'test' },
    });
    assert.equal(c.status, 201, c.text);
    assert.match(c.json.Id, /^[0-9a-f]{64}$/);
    assert.equal(c.json.Warning, '');
    const i = (await d.api('GET', '/v1.43/networks/mybridge')).json;
    assert.equal(i.Id, c.json.Id);
    assert.deepEqual(i.IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '10.1.1.0/24', Gateway: '10.1.1.1' }] });
    assert.deepEqual(i.Labels, { env: 'test' });
    const br = `br-${c.json.Id.slice(0, 12)}`;
    assert.ok(bridges().includes(br));
    assert.match(host.sh(['ip', '-4', '-o', 'addr', 'show', 'dev', br]), /10\.1\.1\.1\/24/);
    // Short id prefix works like Docker's.
    assert.equal((await d.api('GET', `/v1.43/networks/${c.json.Id.slice(0, 12)}`)).json.Name, 'mybridge');

    const overlap = await d.api('POST', '/v1.43/networks/create', { Name: 'other', IPAM: { Config: [{ Subnet: '10.1.0.0/16' }] } });
    assert.equal(overlap.status, 403);
    assert.equal(overlap.json.message, 'Pool overlaps with other one on this address space');

    const rm = await d.api('DELETE', '/v1.43/networks/mybridge');
    assert.equal(rm.status, 204);
    assert.ok(!bridges().includes(br), 'the bridge is gone');
    const gone = await d.api('GET', '/v1.43/networks/mybridge');
    assert.equal(gone.status, 404);
    assert.equal(gone.json.message, 'network mybridge not found');
  });

  it('refuses to remove predefined networks with 403', async () => {
    for (const n of ['bridge', 'host', 'none']) {
      const r = await d.api('DELETE', `/v1.43/networks/${n}`);
      assert.equal(r.status, 403);
      assert.equal(r.json.message, `${n} is a pre-defined network and cannot be removed`);
    }
  });

  it('gives 64 parallel creates of one name exactly one network', async () => {
    const results = await Promise.all(Array.from({ length: 64 }, () => d.api('POST', '/v1.43/networks/create', { Name: 'twin' })));
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 201).length, 1);
    assert.equal(statuses.filter((s) => s === 409).length, 63);
    assert.equal(results.find((r) => r.status === 409)?.json.message, 'network with name twin already exists');
    const list = (await d.api('GET', '/v1.43/networks?filters=' + encodeURIComponent('{"name":{"twin":true}}'))).json;
    assert.equal(list.length, 1);
    assert.equal((await d.api('DELETE', '/v1.43/networks/twin')).status, 204);
  });

  it('refuses invalid bodies with 400 and creates nothing', async () => {
    const before = (await d.api('GET', '/v1.43/networks')).json.length;
    const bridgesBefore = bridges();
    const cases: Array<[string, unknown, RegExp]> = [
      ['bad CIDR', { Name: 'bad1', IPAM: { Config: [{ Subnet: '10.70.0.0/33' }] } }, /Invalid subnet 10\.70\.0\.0\/33/],
      ['not a CIDR', { Name: 'bad2', IPAM: { Config: [{ Subnet: 'foo' }] } }, /Invalid subnet foo/],
      ['gateway outside', { Name: 'bad3', IPAM: { Config: [{ Subnet: '10.61.1.0/24', Gateway: '10.61.0.1' }] } }, /10\.61\.0\.1/],
      ['ip-range outside', { Name: 'bad4', IPAM: { Config: [{ Subnet: '10.62.1.0/24', IPRange: '10.62.0.0/24' }] } }, /10\.62\.0\.0\/24/],
      ['slash in name', { Name: 'a/b' }, /invalid network name/],
      ['control character in name', { Name: 'a\u0001b' }, /invalid network name/],
      ['empty name', { Name: '' }, /invalid name/],
      ['huge name', { Name: 'x'.repeat(5000) }, /longer than 128/],
      ['wrong type', { Name: 5 }, /invalid Name/],
      ['bad mtu', { Name: 'bad5', Options: { 'com.docker.network.driver.mtu': 'abc' } }, /failed to parse com\.docker\.network\.driver\.mtu value: abc/],
      ['long bridge name', { Name: 'bad6', Options: { 'com.docker.network.bridge.name': 'x'.repeat(16) } }, /numerical result out of range/],
      ['malformed JSON', '{"Name": nu', /invalid JSON/],
      ['empty body', '', /request body is empty/],
    ];
    for (const [what, body, message] of cases) {
      const r = await d.api('POST', '/v1.43/networks/create', body);
      assert.equal(r.status, 400, `${what}: ${r.status} ${r.text}`);
      assert.match(r.json.message, message, what);
    }
    const huge = await d.api('POST', '/v1.43/networks/create', JSON.stringify({ Name: 'x'.repeat(10 * 1024 * 1024) }));
    assert.equal(huge.status, 400);
    assert.match(huge.json.message, /too large/);
    const unknownDriver = await d.api('POST', '/v1.43/networks/create', { Name: 'bad7', Driver: 'nosuchdriver' });
    assert.equal(unknownDriver.status, 404);
    assert.equal(unknownDriver.json.message, 'plugin "nosuchdriver" not found');
    assert.equal((await d.api('GET', '/v1.43/networks')).json.length, before, 'nothing was created');
    assert.deepEqual(bridges(), bridgesBefore, 'no bridge was left behind');
    assert.equal((await d.api('GET', '/_ping')).text, 'OK', 'the daemon is alive');
  });

  it('50 concurrent creates get distinct subnets that survive kill -9', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `many${i}`);
    const created = await Promise.all(names.map((Name) => d.api('POST', '/v1.43/networks/create', { Name })));
    for (const r of created) assert.equal(r.status, 201, r.text);
    const inspect = async (): Promise<Map<string, { id: string; subnet: string }>> => {
      const m = new Map<string, { id: string; subnet: string }>();
      for (const n of names) {
        const j = (await d.api('GET', `/v1.43/networks/${n}`)).json;
        m.set(n, { id: j.Id, subnet: j.IPAM.Config[0].Subnet });
      }
      return m;
    };
    const first = await inspect();
    const subnets = [...first.values()].map((v) => v.subnet);
    assert.equal(new Set(subnets).size, 50, 'distinct subnets');
    assert.ok(subnets.includes('172.18.0.0/16'), 'Docker order: the first pool after the default bridge');
    assertNoOverlap(subnets);

    await d.kill9();
    d = await startDaemon(host, [], { dataRoot: d.dataRoot, execRoot: d.execRoot });
    const second = await inspect();
    assert.deepEqual([...second.entries()], [...first.entries()], 'same ids and subnets after restart');
    const present = new Set(bridges());
    for (const { id } of second.values()) assert.ok(present.has(`br-${id.slice(0, 12)}`), `bridge of ${id} exists`);

    // A bridge deleted behind our back comes back at the next start; an orphan of ours goes.
    const victim = `br-${second.get('many0')!.id.slice(0, 12)}`;
    host.sh(['ip', 'link', 'del', victim]);
    host.sh(['ip', 'link', 'add', 'br-0123456789ab', 'type', 'bridge']);
    await d.stop();
    d = await startDaemon(host, [], { dataRoot: d.dataRoot, execRoot: d.execRoot });
    const after = new Set(bridges());
    assert.ok(after.has(victim), 'missing bridge recreated');
    assert.ok(!after.has('br-0123456789ab'), 'orphan bridge removed');

    const pruned = await d.api('POST', '/v1.43/networks/prune');
    assert.equal(pruned.status, 200);
    assert.equal(pruned.json.NetworksDeleted.length, 50);
    assert.deepEqual(bridges(), ['tether0']);
  });
});

function assertNoOverlap(cidrs: string[]): void {
  const range = (c: string): [number, number] => {
    const [ip, len] = c.split('/');
    const n = ip!.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(len));
    return [n, n + size - 1];
  };
  const rs = cidrs.map(range).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < rs.length; i++) assert.ok(rs[i]![0] > rs[i - 1]![1], `overlap between ranges ${i - 1} and ${i}`);
}
