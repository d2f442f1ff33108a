// The resolver processes for real (Node helpers need no root), on loopback sockets as the fake
// kernel hands them: records mirrored before and after they start, answers over UDP and TCP,
// and every copy of a dropped sandbox's sockets closed.
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { FakeKernel } from '../kernel/fake-kernel.js';
import { DnsRecords } from './records.js';
import { ResolverProcesses } from './resolver-processes.js';
import { FrameReader, frame } from './tcp-frames.js';

const CID = 'b'.repeat(64);
const query = (name: string, id: number): Buffer => dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] });

/** One UDP exchange; undefined when nothing came back within 300 ms. */
async function ask(port: number, name: string): Promise<string[] | undefined> {
  const s = createSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 300);
      s.on('error', () => undefined);
      s.on('message', (m) => {
        clearTimeout(timer);
        resolve((dnsPacket.decode(m).answers ?? []).map((a) => String((a as { data?: unknown }).data)));
      });
      s.send(query(name, 7), port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

async function eventually<T>(what: string, f: () => Promise<T | undefined>, ok: (v: T | undefined) => boolean): Promise<T | undefined> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(v)}`);
  }
}

async function bound(): Promise<{ udp: UdpSocket; tcp: ReturnType<typeof createServer>; port: number; tcpPort: number }> {
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const tcp = createServer();
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  return { udp, tcp, port: udp.address().port, tcpPort: (tcp.address() as { port: number }).port };
}

test('resolver processes: mirrored records answered over UDP and TCP; a dropped sandbox lets go of its port', async () => {
  let procs: ResolverProcesses | undefined;
  const records = new DnsRecords((c) => procs?.mirror(c));
  // Before any process runs: reaches them through the snapshot.
  records.upsertEndpoint({ endpointId: 'e1', networkId: 'n', networkName: 'net', containerId: CID, containerName: 'db', aliases: [], ipv4: '10.0.0.3' });
  records.upsertSandbox({ sandboxId: 'sb', containerId: CID });
  procs = new ResolverProcesses(new FakeKernel(), records, { processes: 2, forwardTimeoutMs: 300 });
  const s = await bound();
  try {
    await procs.serve('sb', { udp: s.udp, tcp: s.tcp }, { sandboxId: 'sb', searchDomains: [], upstreams: [] });
    // Both processes read the socket: every one of these is answered, whichever took it.
    for (let i = 0; i < 20; i++) assert.deepEqual(await ask(s.port, 'db'), ['10.0.0.3']);
    // After they started: mirrored in order.
    records.upsertEndpoint({ endpointId: 'e2', networkId: 'n', networkName: 'net', containerId: 'c'.repeat(64), containerName: 'web', aliases: [], ipv4: '10.0.0.4' });
    await eventually('web', () => ask(s.port, 'web'), (v) => v?.[0] === '10.0.0.4');
    records.removeEndpoint('e2');
    await eventually('web removed', () => ask(s.port, 'web'), (v) => v?.length === 0); // not ours and no upstream: SERVFAIL
    const tcp = connect(s.tcpPort, '127.0.0.1');
    const reader = new FrameReader(65535);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      tcp.on('error', reject);
      tcp.on('data', (c: Buffer) => reader.push(c)?.forEach(resolve));
      tcp.write(frame(query('db', 9)));
    });
    tcp.destroy();
    assert.equal(String((dnsPacket.decode(reply).answers?.[0] as { data?: unknown } | undefined)?.data), '10.0.0.3');
    procs.drop('sb');
    // Nobody holds the port any more (in a sandbox: nothing keeps its namespace alive).
    await eventually('port released', async () => {
      const again = createSocket('udp4');
      try {
        await new Promise<void>((ok, fail) => {
          again.once('error', fail);
          again.bind(s.port, '127.0.0.1', ok);
        });
        return true;
      } catch {
        return false;
      } finally {
        again.close();
      }
    }, (v) => v === true);
  } finally {
    procs.close();
  }
});
