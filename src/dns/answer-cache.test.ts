import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerCache } from './answer-cache.js';
import { DnsRecords } from './records.js';
import { QTYPE, type Query } from './wire.js';

const CID = 'a'.repeat(64);
const ctx = { sandboxId: 'sa', searchDomains: [] };
const q = (name: string): Query => ({ id: 1, flags: 0, name, type: QTYPE.A, qclass: 1, questionEnd: 0, edns: false, udpLimit: 512 });
const addresses = (d: ReturnType<AnswerCache['decide']>): string[] =>
  d.kind === 'answer' ? d.answers.map((a) => [...a.data].join('.')) : ['notOurs'];

test('answer cache: a change of the records is seen at once; rotating answers still rotate; bounded', () => {
  const r = new DnsRecords();
  r.upsertSandbox({ sandboxId: 'sa', containerId: CID });
  r.upsertEndpoint({ endpointId: 'me', networkId: 'n', networkName: 'net', containerId: CID, containerName: 'me', aliases: [], ipv4: '10.0.0.2' });
  const cache = new AnswerCache(r, 3);
  assert.deepEqual(addresses(cache.decide(ctx, q('db'), 0)), ['notOurs']);
  r.upsertEndpoint({ endpointId: 'e1', networkId: 'n', networkName: 'net', containerId: 'b'.repeat(64), containerName: 'db', aliases: ['svc'], ipv4: '10.0.0.3' });
  assert.deepEqual(addresses(cache.decide(ctx, q('db'), 0)), ['10.0.0.3']);
  r.upsertEndpoint({ endpointId: 'e1', networkId: 'n', networkName: 'net', containerId: 'b'.repeat(64), containerName: 'db', aliases: ['svc'], ipv4: '10.0.0.9' });
  assert.deepEqual(addresses(cache.decide(ctx, q('db'), 0)), ['10.0.0.9']);
  r.upsertEndpoint({ endpointId: 'e2', networkId: 'n', networkName: 'net', containerId: 'c'.repeat(64), containerName: 'db2', aliases: ['svc'], ipv4: '10.0.0.4' });
  assert.deepEqual(addresses(cache.decide(ctx, q('svc'), 0)), ['10.0.0.9', '10.0.0.4']);
  assert.deepEqual(addresses(cache.decide(ctx, q('svc'), 1)), ['10.0.0.4', '10.0.0.9']);
  // more names than it holds: still right answers
  for (const name of ['a', 'b', 'c', 'd', 'db', 'me']) cache.decide(ctx, q(name), 0);
  assert.deepEqual(addresses(cache.decide(ctx, q('me'), 0)), ['10.0.0.2']);
  r.removeEndpoint('e1');
  assert.deepEqual(addresses(cache.decide(ctx, q('db'), 0)), ['notOurs']);
});
