// parseQuery's shortcut for the usual query shape must agree with the full decode on every packet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { decodeQuery, parseQuery } from './wire.js';

test('parseQuery: the shortcut and the full decode agree on real, odd and mutated queries', () => {
  const opt = (udpPayloadSize: number, options: { code: number; data: Buffer }[] = []) => ({ type: 'OPT', name: '.', udpPayloadSize, options }) as unknown as dnsPacket.Answer;
  const seeds = [
    dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'Bench-Peer' }] }),
    dnsPacket.encode({ type: 'query', id: 2, questions: [{ type: 'AAAA', name: 'svc.net' }], additionals: [opt(4096)] }),
    dnsPacket.encode({ type: 'query', id: 3, questions: [{ type: 'PTR', name: '3.0.0.10.in-addr.arpa' }], additionals: [opt(100)] }),
    dnsPacket.encode({ type: 'query', id: 4, questions: [{ type: 'A', name: '.' }] }),
    dnsPacket.encode({ type: 'query', id: 5, questions: [{ type: 'A', name: 'x.example' }], additionals: [opt(1232, [{ code: 10, data: Buffer.alloc(8, 1) }])] }),
    dnsPacket.encode({ type: 'query', id: 6, questions: [{ type: 'A', name: 'a'.repeat(63) + '.' + 'b'.repeat(63) + '.' + 'c'.repeat(63) + '.' + 'd'.repeat(61) }] }),
    dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'a' }, { type: 'A', name: 'b' }] }),
  ];
  let s = 7;
  const rand = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const packets: Buffer[] = [...seeds, Buffer.concat([seeds[0]!, Buffer.from([0])])];
  for (let i = 0; i < 50_000; i++) {
    const p = Buffer.from(seeds[rand(seeds.length)]!);
    const edits = 1 + rand(3);
    for (let e = 0; e < edits; e++) {
      const k = rand(4);
      if (k === 0) p[rand(p.length)] = rand(256); // any byte
      else if (k === 1 && p.length > 13) p[12 + rand(Math.min(8, p.length - 12))] = rand(70); // a length byte
      else if (k === 2) p[4 + rand(8)] = rand(3); // section counts
      else packets.push(p.subarray(0, rand(p.length + 1))); // cut short
    }
    packets.push(p);
  }
  let usual = 0;
  for (const p of packets) {
    if (p.length < 12) continue;
    const flags = p.readUInt16BE(2);
    if (flags & 0xf800) continue; // responses and other opcodes never reach either path
    const got = parseQuery(p);
    assert.deepEqual(got, decodeQuery(p, flags), `packet ${p.toString('hex')}`);
    if (got.ok) usual += 1;
  }
  assert.ok(usual > 1000, `only ${usual} packets parsed`);
});
