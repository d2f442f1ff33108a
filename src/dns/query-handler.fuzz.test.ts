// 100k random and mutated packets through the query path: it must never throw, every reply must
// be a well-formed DNS message for the id it answers, and real queries keep being answered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { Forwarder } from './forwarder.js';
import { QueryHandler, type SandboxContext } from './query-handler.js';
import { DnsRecords } from './records.js';

/** A small deterministic PRNG, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: 100k random/mutated packets, no crash, well-formed replies, valid queries still answered', () => {
  const records = new DnsRecords();
  records.upsertEndpoint({ endpointId: 'e', networkId: 'n', networkName: 'net', containerId: 'b'.repeat(64), containerName: 'db', aliases: ['svc'], ipv4: '10.0.0.3', ipv6: 'fd00::3' });
  records.upsertEndpoint({ endpointId: 's', networkId: 'n', networkName: 'net', containerId: 'a'.repeat(64), containerName: 'me', aliases: [], ipv4: '10.0.0.2' });
  records.upsertSandbox({ sandboxId: 'sb', containerId: 'a'.repeat(64) });
  const handler = new QueryHandler(records, new Forwarder());
  const ctx: SandboxContext = { sandboxId: 'sb', searchDomains: ['corp.example'], upstreams: [] };
  const seeds = [
    dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'db' }] }),
    dnsPacket.encode({ type: 'query', id: 2, questions: [{ type: 'AAAA', name: 'svc.net' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as dnsPacket.Answer] }),
    dnsPacket.encode({ type: 'query', id: 3, questions: [{ type: 'PTR', name: '3.0.0.10.in-addr.arpa' }] }),
    dnsPacket.encode({ type: 'query', id: 4, questions: [{ type: 'A', name: 'unknown.example.org' }] }),
  ];
  const valid = seeds[0] as Buffer;
  const rand = prng(20240611);
  const int = (n: number): number => Math.floor(rand() * n);
  let replies = 0;
  let validAnswered = 0;
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) {
    let pkt: Buffer;
    if (i % 100 === 0) {
      pkt = valid;
    } else if (i % 3 === 0) {
      pkt = Buffer.from(Array.from({ length: int(600) }, () => int(256)));
    } else {
      pkt = Buffer.from(seeds[int(seeds.length)] as Buffer);
      for (let m = int(6); m >= 0; m--) {
        const op = int(4);
        if (op === 0 && pkt.length > 0) pkt[int(pkt.length)] = int(256);
        else if (op === 1) pkt = pkt.subarray(0, int(pkt.length + 1));
        else if (op === 2) pkt = Buffer.concat([pkt, Buffer.from(Array.from({ length: int(40) }, () => int(256)))]);
        else if (pkt.length >= 12) pkt.writeUInt16BE(int(65536), 4 + 2 * int(4)); // section counts
      }
    }
    let calls = 0;
    handler.handle(ctx, pkt, i % 2 === 0 ? 'udp' : 'tcp', (reply) => {
      calls += 1;
      if (!reply) return;
      replies += 1;
      assert.ok(reply.length >= 12);
      assert.equal(reply.readUInt16BE(0), pkt.readUInt16BE(0), 'reply carries the query id');
      assert.ok(reply.readUInt16BE(2) & 0x8000, 'QR set');
      assert.doesNotThrow(() => dnsPacket.decode(reply), `malformed reply to ${pkt.toString('hex')}`);
      if (pkt === valid) {
        const answer = dnsPacket.decode(reply).answers?.[0] as { data?: unknown } | undefined;
        if (answer?.data === '10.0.0.3') validAnswered += 1;
      }
    });
    assert.equal(calls, 1, 'reply is called exactly once, synchronously here');
  }
  const ms = performance.now() - t0;
  console.log(`# fuzz: 100k packets in ${ms.toFixed(0)} ms, ${replies} replies`);
  assert.equal(validAnswered, 1000);
  assert.ok(replies > 1000);
});
