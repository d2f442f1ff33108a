import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { tryParseIp, type Ip } from '../ipam/address.js';
import type { HostPortBinder } from './host-port-binder.js';
import { PortReservations, readEphemeralRange } from './port-reservations.js';

const ip = (s: string): Ip => tryParseIp(s) ?? assert.fail(s);
const any4 = ip('0.0.0.0');
const any6 = ip('::');

/** A binder where `busy` ports are held by "another program". */
function fakeBinder(busy: Set<string> = new Set()) {
  const open = new Set<string>();
  const binder: HostPortBinder = {
    async bind(proto, addr, port) {
      const key = `${proto}/${addr.family}/${port}`;
      if (busy.has(key) || open.has(key)) throw Object.assign(new Error('bind'), { code: 'EADDRINUSE' });
      open.add(key);
      return { close: async () => void open.delete(key) };
    },
  };
  return { binder, open };
}

describe('PortReservations', () => {
  it('hands out ephemeral ports sequentially per protocol, as Docker does', async () => {
    const r = new PortReservations({ start: 32768, end: 60999 }, fakeBinder().binder);
    const ports = async (proto: 'tcp' | 'udp') => (await r.reserve({ proto, hostIps: [any4, any6], hostPort: 0 })).hostPort;
    assert.equal(await ports('tcp'), 32768);
    assert.equal(await ports('tcp'), 32769);
    assert.equal(await ports('udp'), 32768);
    assert.equal(await ports('tcp'), 32770);
  });

  it('does not hand a released ephemeral port out again at once, and wraps at the end', async () => {
    const r = new PortReservations({ start: 40000, end: 40001 }, fakeBinder().binder);
    const a = await r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 0 });
    await a.release();
    assert.equal((await r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 0 })).hostPort, 40001);
    assert.equal((await r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 0 })).hostPort, 40000);
    await assert.rejects(r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 0 }), { kind: 'conflict', message: 'all ports are allocated' });
  });

  it("answers Docker's messages for a port it holds and a port another program holds", async () => {
    const r = new PortReservations({ start: 32768, end: 60999 }, fakeBinder(new Set(['tcp/4/8091'])).binder);
    const held = await r.reserve({ proto: 'tcp', hostIps: [any4, any6], hostPort: 8080 });
    await assert.rejects(r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 8080 }), {
      kind: 'conflict',
      code: 'port.allocated',
      message: 'Bind for 0.0.0.0:8080 failed: port is already allocated',
    });
    await assert.rejects(r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 8091 }), {
      kind: 'conflict',
      code: 'port.inUse',
      message: 'Error starting userland proxy: listen tcp4 0.0.0.0:8091: bind: address already in use',
    });
    assert.ok((await r.reserve({ proto: 'udp', hostIps: [any4], hostPort: 8080 })).hostPort === 8080, 'udp is separate');
    await held.release();
    await held.release();
    assert.equal((await r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 8080 })).hostPort, 8080);
  });

  it('takes the first free port of a range and skips ports other programs hold when choosing', async () => {
    const { binder, open } = fakeBinder(new Set(['tcp/4/32768', 'tcp/6/8001']));
    const r = new PortReservations({ start: 32768, end: 60999 }, binder);
    assert.equal((await r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 0 })).hostPort, 32769);
    assert.equal((await r.reserve({ proto: 'tcp', hostIps: [any4, any6], hostPort: 8000, hostPortEnd: 8010 })).hostPort, 8000);
    assert.equal((await r.reserve({ proto: 'tcp', hostIps: [any4, any6], hostPort: 8000, hostPortEnd: 8010 })).hostPort, 8002);
    assert.ok(!open.has('tcp/4/8001'), 'a partial bind is closed again');
    await assert.rejects(r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 0, hostPortEnd: 5 }), { kind: 'invalid' });
    await assert.rejects(r.reserve({ proto: 'tcp', hostIps: [any4], hostPort: 70000 }), { kind: 'invalid' });
  });

  // Real sockets on loopback only, in this process's namespace.
  it('holds real sockets: another program cannot bind the port until it is released', async () => {
    const r = new PortReservations({ start: 32768, end: 60999 });
    const lo = ip('127.0.0.1');
    const probe = (port: number) =>
      new Promise<string>((resolve) => {
        const s = createServer();
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        s.listen({ host: '127.0.0.1', port }, () => s.close(() => resolve('free')));
      });
    const held = await r.reserve({ proto: 'tcp', hostIps: [lo], hostPort: 0 });
    assert.equal(await probe(held.hostPort), 'EADDRINUSE');
    const udp = await r.reserve({ proto: 'udp', hostIps: [lo], hostPort: held.hostPort });
    await held.release();
    await udp.release();
    assert.equal(await probe(held.hostPort), 'free');
    // Held by someone else: Docker's proxy message.
    const other = createServer();
    await new Promise<void>((res) => other.listen({ host: '127.0.0.1', port: 0 }, () => res()));
    const port = (other.address() as { port: number }).port;
    try {
      await assert.rejects(r.reserve({ proto: 'tcp', hostIps: [lo], hostPort: port }), {
        message: `Error starting userland proxy: listen tcp4 127.0.0.1:${port}: bind: address already in use`,
      });
    } finally {
      other.close();
    }
  });

  it('reads the ephemeral range from the kernel', async () => {
    assert.deepEqual(await readEphemeralRange({ readSysctl: async () => '32768\t60999' }), { start: 32768, end: 60999 });
    await assert.rejects(readEphemeralRange({ readSysctl: async () => 'x' }), { kind: 'internal' });
  });
});
