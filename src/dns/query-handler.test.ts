import assert from 'node:assert/strict';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { Forwarder } from './forwarder.js';
import { QueryHandler, type SandboxContext } from './query-handler.js';
import { DnsRecords } from './records.js';
import { addressOfArpa } from './answer.js';

const CID_A = 'aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111';
const CID_B = 'bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222';
const CID_C = 'cccccccccccc3333333333333333333333333333333333333333333333333333';

function setup(): { handler: QueryHandler; records: DnsRecords } {
  const records = new DnsRecords();
  const base = { networkId: 'n1', networkName: 'net1', aliases: [] as string[] };
  records.upsertEndpoint({ ...base, endpointId: 'e1', containerId: CID_A, containerName: 'web', ipv4: '10.0.0.2' });
  records.upsertEndpoint({ ...base, endpointId: 'e2', containerId: CID_B, containerName: 'db', aliases: ['svc'], ipv4: '10.0.0.3', ipv6: 'fd00::3' });
  records.upsertEndpoint({ ...base, endpointId: 'e3', containerId: CID_C, containerName: 'cache', aliases: ['svc'], ipv4: '10.0.0.4' });
  records.upsertSandbox({ sandboxId: 'sa', containerId: CID_A });
  return { handler: new QueryHandler(records, new Forwarder({ timeoutMs: 50 })), records };
}

const ctx: SandboxContext = { sandboxId: 'sa', searchDomains: ['corp.example'], upstreams: [] };

function query(name: string, type: dnsPacket.RecordType, extra: Partial<dnsPacket.Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }], ...extra });
}

/** dns-packet decodes the rcode too; its types leave it out. */
type Reply = dnsPacket.DecodedPacket & { raw: Buffer; rcode: string };

/** Runs one query and returns the decoded reply (local answers are synchronous). */
function ask(handler: QueryHandler, buf: Buffer, c: SandboxContext = ctx, transport: 'udp' | 'tcp' = 'udp'): Reply {
  let out: Buffer | undefined;
  handler.handle(c, buf, transport, (p) => (out = p));
  assert.ok(out, 'expected a synchronous reply');
  return Object.assign(dnsPacket.decode(out) as dnsPacket.DecodedPacket & { rcode: string }, { raw: out });
}

const addrs = (p: dnsPacket.DecodedPacket): string[] => (p.answers ?? []).map((a) => String((a as { data: unknown }).data));

test('A for a peer: one answer, TTL 600, id/question echoed, RD copied, RA set, not authoritative', () => {
  const { handler } = setup();
  const r = ask(handler, query('DB', 'A'));
  assert.equal(r.id, 4242);
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.questions?.[0]?.name, 'DB'); // the client's spelling comes back
  assert.deepEqual(addrs(r), ['10.0.0.3']);
  assert.equal(r.answers?.[0]?.name, 'DB');
  assert.equal((r.answers?.[0] as { ttl: number }).ttl, 600);
  assert.equal(r.flag_rd, true);
  assert.equal(r.flag_ra, true);
  assert.equal(r.flag_aa, false);
});

test('AAAA: v6 address when there is one, NODATA for a v4-only name', () => {
  const { handler } = setup();
  assert.deepEqual(addrs(ask(handler, query('db.net1', 'AAAA'))), ['fd00::3']);
  const r = ask(handler, query('web', 'AAAA'));
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.answers?.length, 0);
});

test('a shared alias returns every address, rotated from one query to the next', () => {
  const { handler } = setup();
  const orders = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const got = addrs(ask(handler, query('svc', 'A')));
    assert.deepEqual([...got].sort(), ['10.0.0.3', '10.0.0.4']);
    orders.add(got.join(','));
  }
  assert.equal(orders.size, 2);
});

test('PTR of a peer IP answers name.network; unknown IPs are not ours', () => {
  const { handler } = setup();
  const r = ask(handler, query('3.0.0.10.in-addr.arpa', 'PTR'));
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(addrs(r), ['db.net1']);
  assert.equal(ask(handler, query('1.0.0.10.in-addr.arpa', 'PTR')).rcode, 'SERVFAIL'); // not ours, no upstreams
  assert.equal(addressOfArpa('3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa'), 'fd00:0:0:0:0:0:0:3');
  assert.deepEqual(addrs(ask(handler, query('3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR'))), ['db.net1']);
  assert.equal(addressOfArpa('1.0.0.10.in-addr.arpa.x'), undefined);
  assert.equal(addressOfArpa('300.0.0.10.in-addr.arpa'), undefined);
});

test('unknown names: SERVFAIL when there is nowhere to forward; known.<search domain> is NXDOMAIN locally', () => {
  const { handler } = setup();
  assert.equal(ask(handler, query('example.org', 'A')).rcode, 'SERVFAIL');
  assert.equal(ask(handler, query('db.corp.example', 'A')).rcode, 'NXDOMAIN');
  assert.equal(ask(handler, query('nosuch.corp.example', 'A')).rcode, 'SERVFAIL');
});

test('other types for a known name are NODATA, not forwarded', () => {
  const { handler } = setup();
  const r = ask(handler, query('db', 'MX'));
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.answers?.length, 0);
});

test('names of other sandboxes scope: an unknown sandbox sees nothing', () => {
  const { handler } = setup();
  assert.equal(ask(handler, query('db', 'A'), { ...ctx, sandboxId: 'nosuch' }).rcode, 'SERVFAIL');
});

test('EDNS: an OPT in the query gets one back; big answers truncate over UDP only', () => {
  const { handler, records } = setup();
  for (let i = 0; i < 60; i++) {
    records.upsertEndpoint({ endpointId: `m${i}`, networkId: 'n1', networkName: 'net1', containerId: `${i}`.padStart(64, 'f'), containerName: `m${i}`, aliases: ['many'], ipv4: `10.0.1.${i + 1}` });
  }
  const plain = ask(handler, query('many', 'A'));
  assert.equal(plain.flag_tc, true);
  assert.equal(plain.answers?.length, 0);
  assert.ok(plain.raw.length <= 512);
  const tcp = ask(handler, query('many', 'A'), ctx, 'tcp');
  assert.equal(tcp.answers?.length, 60);
  const edns = ask(handler, query('many', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as dnsPacket.Answer] }));
  assert.equal(edns.answers?.length, 60); // 60 × 16 bytes fit in 1232
  assert.equal(edns.additionals?.[0]?.type, 'OPT');
});

test('malformed input: FORMERR or silence, never an exception', () => {
  const { handler } = setup();
  let out: Buffer | undefined = Buffer.alloc(0);
  handler.handle(ctx, Buffer.from([1, 2, 3]), 'udp', (p) => (out = p));
  assert.equal(out, undefined);
  const bad = query('db', 'A').subarray(0, 15);
  assert.equal(ask(handler, bad).rcode, 'FORMERR');
  const two = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'a' }, { type: 'A', name: 'b' }] });
  assert.equal(ask(handler, two).rcode, 'FORMERR');
  const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'db' }] });
  handler.handle(ctx, response, 'udp', (p) => (out = p));
  assert.equal(out, undefined); // a response is never answered (no reflection loops)
  const notify = query('db', 'A');
  notify.writeUInt16BE(notify.readUInt16BE(2) | (4 << 11), 2);
  assert.equal(ask(handler, notify).rcode, 'NOTIMP');
});
