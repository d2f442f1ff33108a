// The fake kernel must fail where the real one fails, or unit tests built on it prove nothing.
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import type { Server } from 'node:net';
import { describe, it } from 'node:test';
import { FakeKernel } from './fake-kernel.js';

describe('FakeKernel', () => {
  it('models links: a second add and a delete of a missing link fail as iproute2 says', async () => {
    const k = new FakeKernel();
    await k.ip([['link', 'add', 'name', 'br-x', 'type', 'bridge'], ['link', 'set', 'dev', 'br-x', 'up']]);
    assert.deepEqual((await k.links()).map((l) => [l.ifname, l.linkinfo?.info_kind, l.operstate]), [['br-x', 'bridge', 'UP']]);
    assert.match((await k.ipTry([['link', 'add', 'name', 'br-x', 'type', 'bridge']])).get(0) ?? '', /File exists/);
    await k.ip([['link', 'del', 'dev', 'br-x']]);
    assert.match((await k.ipTry([['link', 'del', 'dev', 'br-x']])).get(0) ?? '', /Cannot find device/);
    await assert.rejects(k.ip([['addr', 'add', '10.0.0.1/24', 'dev', 'br-x']]), /Cannot find device "br-x"/);
    assert.deepEqual(k.effects.slice(0, 2), ['ip: link add name br-x type bridge', 'ip: link set dev br-x up']);
  });

  it('puts a veth peer in its namespace, and a namespace let go takes the pair with it', async () => {
    const k = new FakeKernel();
    const ns = await k.netnsCreate();
    await k.ip([['link', 'add', 'name', 'tv1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.path]]);
    await k.ipIn(ns.path, [['link', 'set', 'dev', 'eth0', 'up']]);
    assert.deepEqual((await k.links(ns.path)).map((l) => l.ifname), ['eth0']);
    ns.close();
    ns.close();
    assert.deepEqual(await k.links(), []);
    assert.deepEqual(k.openNetns(), []);
    await assert.rejects(k.ipIn(ns.path, [['link', 'set', 'dev', 'lo', 'up']]), /no such namespace/);
  });

  it('refuses a value the real batch renderer refuses', async () => {
    await assert.rejects(new FakeKernel().ip([['link', 'add', 'name', 'a b', 'type', 'bridge']]));
  });

  it('answers a resolver socket child with bound loopback sockets', async () => {
    const child = new FakeKernel().spawnIpc(['node', 'socket-child.js', '127.0.0.11', '53'], { netnsPath: '/fake/netns/1' });
    const got = new Map<string, unknown>();
    await new Promise<void>((resolve) => child.on('message', (m: { kind: string }, h: unknown) => got.set(m.kind, h) && got.size === 2 && resolve()));
    assert.equal((got.get('udp') as Socket).address().address, '127.0.0.1');
    assert.equal(((got.get('tcp') as Server).address() as { address: string }).address, '127.0.0.1');
    (got.get('udp') as Socket).close();
    (got.get('tcp') as Server).close();
  });
});
