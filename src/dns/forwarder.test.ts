// Forwarding against stub upstreams on 127.0.0.1 (our own loopback, random ports).
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { after, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { Forwarder } from './forwarder.js';
import { FrameReader, frame } from './tcp-frames.js';
import type { Upstream } from './upstreams.js';

type Behaviour = 'answer' | 'silent' | 'servfail' | 'truncate' | 'wrong-id';

interface Stub {
  upstream: Upstream;
  queries: number;
  close(): void;
}

const open: Array<UdpSocket | Server> = [];
after(() => open.forEach((s) => s.close()));

function reply(q: dnsPacket.Packet, data: string, rcode = 0, flags = 0): Buffer {
  const question = q.questions?.[0];
  return dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: flags | rcode,
    questions: question ? [question] : [],
    answers: rcode === 0 && question ? [{ type: 'A', name: question.name, ttl: 5, data }] : [],
  });
}

/** A stub upstream on 127.0.0.1; TCP on the same port when it truncates over UDP. */
async function stub(behaviour: Behaviour, data = '192.0.2.1'): Promise<Stub> {
  const udp = createSocket('udp4');
  open.push(udp);
  const s: Stub = { upstream: { address: '127.0.0.1', port: 0 }, queries: 0, close: () => udp.close() };
  udp.on('message', (msg, rinfo) => {
    s.queries += 1;
    const q = dnsPacket.decode(msg);
    const send = (b: Buffer): void => void udp.send(b, rinfo.port, rinfo.address);
    if (behaviour === 'answer') send(reply(q, data));
    else if (behaviour === 'servfail') send(reply(q, data, 2));
    else if (behaviour === 'truncate') send(reply({ ...q, questions: q.questions ?? [] }, data, 0, 0x200));
    else if (behaviour === 'wrong-id') send(reply({ ...q, id: (q.id ?? 0) ^ 1 }, data));
  });
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  s.upstream.port = udp.address().port;
  if (behaviour === 'truncate') {
    const tcp = createServer((sock) => {
      const reader = new FrameReader(65535);
      sock.on('data', (chunk: Buffer) => {
        for (const m of reader.push(chunk) ?? []) sock.write(frame(reply(dnsPacket.decode(m), '192.0.2.99')));
      });
      sock.on('error', () => undefined);
    });
    open.push(tcp);
    await new Promise<void>((r) => tcp.listen(s.upstream.port, '127.0.0.1', r));
  }
  return s;
}

function query(name: string): { buf: Buffer; questionEnd: number } {
  const buf = dnsPacket.encode({ type: 'query', id: 0xbeef, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
  return { buf, questionEnd: buf.length };
}

const answerOf = (b: Buffer | undefined): string | undefined =>
  b && String((dnsPacket.decode(b).answers?.[0] as { data?: unknown } | undefined)?.data);

test('the first good answer wins; a silent upstream does not delay it', async () => {
  const [silent, good] = await Promise.all([stub('silent'), stub('answer', '192.0.2.5')]);
  const f = new Forwarder({ timeoutMs: 1000 });
  const { buf, questionEnd } = query('example.org');
  const t0 = performance.now();
  const r = await f.forward(buf, questionEnd, [silent.upstream, good.upstream]);
  assert.ok(performance.now() - t0 < 500);
  assert.equal(answerOf(r), '192.0.2.5');
  assert.equal(r?.readUInt16BE(0), 0xbeef, 'the client id is restored');
  assert.equal(silent.queries, 1, 'upstreams are asked in parallel');
  assert.equal(f.inFlight, 0);
});

test('SERVFAIL from one upstream loses to a good answer from another, and is passed on when alone', async () => {
  const [bad, good] = await Promise.all([stub('servfail'), stub('answer', '192.0.2.6')]);
  const f = new Forwarder({ timeoutMs: 1000 });
  const { buf, questionEnd } = query('example.org');
  assert.equal(answerOf(await f.forward(buf, questionEnd, [bad.upstream, good.upstream])), '192.0.2.6');
  const alone = await f.forward(buf, questionEnd, [bad.upstream]);
  assert.equal(alone && alone.readUInt16BE(2) & 0xf, 2);
});

test('nobody answers (or only spoofers do): undefined after the timeout', async () => {
  const [silent, spoof] = await Promise.all([stub('silent'), stub('wrong-id')]);
  const f = new Forwarder({ timeoutMs: 200 });
  const { buf, questionEnd } = query('example.org');
  const t0 = performance.now();
  assert.equal(await f.forward(buf, questionEnd, [silent.upstream, spoof.upstream]), undefined);
  const took = performance.now() - t0;
  assert.ok(took >= 190 && took < 1000, `took ${took}`);
  assert.equal(spoof.queries, 1);
});

test('a truncated UDP answer is fetched again over TCP', async () => {
  const tc = await stub('truncate');
  const f = new Forwarder({ timeoutMs: 1000 });
  const { buf, questionEnd } = query('big.example');
  const r = await f.forward(buf, questionEnd, [tc.upstream]);
  assert.equal(answerOf(r), '192.0.2.99');
  assert.equal(r?.readUInt16BE(0), 0xbeef);
});

test('close() ends queries in flight; no upstreams means no answer', async () => {
  const silent = await stub('silent');
  const f = new Forwarder({ timeoutMs: 5000 });
  const { buf, questionEnd } = query('example.org');
  const pending = f.forward(buf, questionEnd, [silent.upstream]);
  f.close();
  assert.equal(await pending, undefined);
  assert.equal(await f.forward(buf, questionEnd, []), undefined);
});
