// The listener on ordinary loopback sockets (what the socket child hands over is the same kind).
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { Forwarder } from './forwarder.js';
import { SandboxListener } from './listener.js';
import { QueryHandler, type SandboxContext } from './query-handler.js';
import { DnsRecords } from './records.js';
import { FrameReader, frame } from './tcp-frames.js';

async function setup(upstreams: SandboxContext['upstreams'] = []) {
  const records = new DnsRecords();
  records.upsertEndpoint({ endpointId: 'e', networkId: 'n', networkName: 'net', containerId: 'b'.repeat(64), containerName: 'db', aliases: [], ipv4: '10.0.0.3' });
  records.upsertSandbox({ sandboxId: 'sb', containerId: 'b'.repeat(64) });
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const tcp = createServer();
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const ctx: SandboxContext = { sandboxId: 'sb', searchDomains: [], upstreams };
  const forwarder = new Forwarder({ timeoutMs: 300 });
  const listener = new SandboxListener({ udp, tcp }, () => ctx, new QueryHandler(records, forwarder), {
    idleMs: 200,
    maxConnections: 4,
    maxPipelined: 2,
  });
  const port = (tcp.address() as { port: number }).port;
  return { listener, forwarder, udpPort: udp.address().port, tcpPort: port };
}

const q = (name: string, id: number): Buffer => dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] });

function readReplies(sock: Socket, n: number): Promise<dnsPacket.DecodedPacket[]> {
  const reader = new FrameReader(65535);
  const got: dnsPacket.DecodedPacket[] = [];
  return new Promise((resolve, reject) => {
    sock.on('data', (c: Buffer) => {
      for (const m of reader.push(c) ?? []) got.push(dnsPacket.decode(m));
      if (got.length >= n) resolve(got);
    });
    sock.on('close', () => reject(new Error(`closed after ${got.length} replies`)));
  });
}

test('TCP: pipelined queries (more than maxPipelined) all get answered in one connection', async () => {
  const { listener, tcpPort } = await setup();
  const sock = connect(tcpPort, '127.0.0.1');
  try {
    const replies = readReplies(sock, 5);
    sock.write(Buffer.concat([1, 2, 3, 4, 5].map((id) => frame(q('db', id)))));
    const got = await replies;
    assert.deepEqual(got.map((r) => r.id), [1, 2, 3, 4, 5]);
  } finally {
    sock.destroy();
    listener.close();
  }
});

function closed(sock: Socket): Promise<number> {
  const t0 = performance.now();
  return new Promise((r) => sock.on('close', () => r(performance.now() - t0)));
}

test('TCP: an oversized frame and an idle connection are closed', async () => {
  const { listener, tcpPort } = await setup();
  try {
    const big = connect(tcpPort, '127.0.0.1');
    big.on('error', () => undefined);
    const bigClosed = closed(big);
    big.write(Buffer.from([0xff, 0xff, 1, 2, 3]));
    assert.ok((await bigClosed) < 150, 'closed at once, not by the idle timer');
    const idle = connect(tcpPort, '127.0.0.1');
    const took = await closed(idle);
    assert.ok(took >= 150 && took < 2000, `idle close after ${took} ms`);
  } finally {
    listener.close();
  }
});

test('UDP: answered; a forwarded answer arriving after close() is dropped without a crash', async () => {
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const { listener, udpPort } = await setup([{ address: '127.0.0.1', port: silent.address().port }]);
  const client = createSocket('udp4');
  try {
    const answered = new Promise<dnsPacket.DecodedPacket>((r) => client.once('message', (m) => r(dnsPacket.decode(m))));
    client.send(q('db', 9), udpPort, '127.0.0.1');
    assert.equal(((await answered).answers?.[0] as { data?: unknown }).data, '10.0.0.3');
    const forwarded = new Promise((r) => silent.once('message', r));
    client.send(q('elsewhere.example', 10), udpPort, '127.0.0.1');
    await forwarded;
    listener.close(); // the forward is still waiting on the silent upstream
    // Not a synchronisation: a window in which the late SERVFAIL must not throw.
    await new Promise((r) => setTimeout(r, 400));
  } finally {
    client.close();
    silent.close();
  }
});
