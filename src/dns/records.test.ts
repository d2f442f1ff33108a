import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalV6, DnsRecords, type DnsEndpoint, type RecordsChange } from './records.js';

const CID_A = 'aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111';
const CID_B = 'bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222';
const CID_C = 'cccccccccccc3333333333333333333333333333333333333333333333333333';

function ep(over: Partial<DnsEndpoint> & Pick<DnsEndpoint, 'endpointId' | 'containerId'>): DnsEndpoint {
  return { networkId: 'n1', networkName: 'net1', containerName: 'web', aliases: [], ...over };
}

function world(): DnsRecords {
  const r = new DnsRecords();
  r.upsertEndpoint(ep({ endpointId: 'e1', containerId: CID_A, containerName: 'Web', hostname: 'whost', aliases: ['svc'], ipv4: '10.0.0.2' }));
  r.upsertEndpoint(ep({ endpointId: 'e2', containerId: CID_B, containerName: 'db', aliases: ['svc'], ipv4: '10.0.0.3', ipv6: 'fd00::3' }));
  r.upsertEndpoint(ep({ endpointId: 'e3', containerId: CID_C, containerName: 'other', networkId: 'n2', networkName: 'net2', aliases: ['svc2'], ipv4: '10.1.0.2' }));
  r.upsertEndpoint(ep({ endpointId: 'e4', containerId: CID_B, containerName: 'db', networkId: 'n2', networkName: 'net2', aliases: ['dbalias'], ipv4: '10.1.0.3' }));
  r.upsertSandbox({ sandboxId: 'sa', containerId: CID_A });
  r.upsertSandbox({ sandboxId: 'sb', containerId: CID_B, hostname: 'bself' });
  r.upsertSandbox({ sandboxId: 'sc', containerId: CID_C });
  return r;
}

test('names on a shared network resolve: name (any case), name.network, short id, hostname, alias', () => {
  const r = world();
  assert.deepEqual(r.lookup('sa', 'db'), { ipv4: ['10.0.0.3'], ipv6: ['fd00::3'] });
  assert.deepEqual(r.lookup('sa', 'db.net1')?.ipv4, ['10.0.0.3']);
  assert.deepEqual(r.lookup('sa', 'web')?.ipv4, ['10.0.0.2']);
  assert.deepEqual(r.lookup('sa', CID_B.slice(0, 12))?.ipv4, ['10.0.0.3']);
  assert.deepEqual(r.lookup('sb', 'whost')?.ipv4, ['10.0.0.2']);
  assert.deepEqual(r.lookup('sa', 'svc')?.ipv4, ['10.0.0.2', '10.0.0.3']);
});

test('scope: other networks, aliases given elsewhere and id prefixes stay invisible', () => {
  const r = world();
  assert.equal(r.lookup('sa', 'other'), undefined); // only on net2
  assert.equal(r.lookup('sa', 'dbalias'), undefined); // db's alias on net2, sa is on net1 only
  assert.equal(r.lookup('sa', 'db.net2'), undefined);
  assert.equal(r.lookup('sa', CID_B.slice(0, 10)), undefined);
  assert.deepEqual(r.lookup('sc', 'dbalias')?.ipv4, ['10.1.0.3']);
  // sb is on both networks: the first attached network answers, like Docker.
  assert.deepEqual(r.lookup('sb', 'db')?.ipv4, ['10.0.0.3']);
  assert.deepEqual(r.lookup('sb', 'db.net2')?.ipv4, ['10.1.0.3']);
  assert.equal(r.lookup('nosuch', 'db'), undefined);
});

test('own hostname resolves even when not registered as an alias', () => {
  const r = world();
  assert.deepEqual(r.lookup('sb', 'bself')?.ipv4, ['10.0.0.3']);
  assert.equal(r.lookup('sa', 'bself'), undefined);
});

test('dotted container names resolve with and without the network suffix', () => {
  const r = world();
  r.upsertEndpoint(ep({ endpointId: 'e5', containerId: 'd'.repeat(64), containerName: 'a.b', ipv4: '10.0.0.9' }));
  assert.deepEqual(r.lookup('sa', 'a.b')?.ipv4, ['10.0.0.9']);
  assert.deepEqual(r.lookup('sa', 'a.b.net1')?.ipv4, ['10.0.0.9']);
});

test('removing an endpoint removes its names and PTR at once; repeated removal is harmless', () => {
  const r = world();
  r.removeEndpoint('e2');
  r.removeEndpoint('e2');
  assert.equal(r.lookup('sa', 'db'), undefined);
  assert.deepEqual(r.lookup('sa', 'svc')?.ipv4, ['10.0.0.2']);
  assert.equal(r.reverse('sa', '10.0.0.3'), undefined);
});

test('PTR gives name.network for addresses on my networks only', () => {
  const r = world();
  assert.equal(r.reverse('sa', '10.0.0.3'), 'db.net1');
  assert.equal(r.reverse('sa', 'fd00:0:0::3'), 'db.net1');
  assert.equal(r.reverse('sa', '10.1.0.2'), undefined);
  assert.equal(r.reverse('sc', '10.1.0.3'), 'db.net2');
});

test('forwarding is off only when every network of the sandbox is internal', () => {
  const r = world();
  assert.equal(r.mayForward('sa'), true);
  r.upsertEndpoint(ep({ endpointId: 'e1', containerId: CID_A, internal: true, ipv4: '10.0.0.2' }));
  assert.equal(r.mayForward('sa'), false);
  r.upsertEndpoint(ep({ endpointId: 'e9', containerId: CID_A, networkId: 'n3', networkName: 'net3', ipv4: '10.3.0.2' }));
  assert.equal(r.mayForward('sa'), true);
});

test('bad addresses are refused before they reach the query path', () => {
  const r = new DnsRecords();
  assert.throws(() => r.upsertEndpoint(ep({ endpointId: 'x', containerId: CID_A, ipv4: '10.0.0.256' })), /bad IPv4/);
  assert.throws(() => r.upsertEndpoint(ep({ endpointId: 'x', containerId: CID_A, ipv6: 'fd00::g' })), /bad IPv6/);
});

test('canonicalV6 gives one spelling per address', () => {
  assert.equal(canonicalV6('FD00:0000::0003'), 'fd00:0:0:0:0:0:0:3');
  assert.equal(canonicalV6('::1'), '0:0:0:0:0:0:0:1');
  assert.equal(canonicalV6('fd00:1:2:3:4:5:6:7'), 'fd00:1:2:3:4:5:6:7');
});

test('a copy fed the changes (after a snapshot) answers as the original, and hears only what took effect', () => {
  const changes: RecordsChange[] = [];
  const r = new DnsRecords((c) => changes.push(c));
  r.upsertEndpoint(ep({ endpointId: 'e1', containerId: CID_A, containerName: 'web', ipv4: '10.0.0.2' }));
  const copy = new DnsRecords();
  for (const c of r.snapshot()) copy.apply(c);
  changes.length = 0;
  r.upsertEndpoint(ep({ endpointId: 'e2', containerId: CID_B, containerName: 'db', aliases: ['svc'], ipv4: '10.0.0.3' }));
  r.upsertEndpoint(ep({ endpointId: 'e3', containerId: CID_C, containerName: 'db2', aliases: ['svc'], ipv4: '10.0.0.4' }));
  r.upsertSandbox({ sandboxId: 'sa', containerId: CID_A, links: { old: CID_B } });
  r.upsertEndpoint(ep({ endpointId: 'e2', containerId: CID_B, containerName: 'db', aliases: ['svc'], ipv4: '10.0.0.9' })); // re-addressed
  r.removeEndpoint('e3');
  r.removeEndpoint('missing'); // nothing happened: nothing to hear
  r.removeSandbox('missing');
  assert.throws(() => r.upsertEndpoint(ep({ endpointId: 'bad', containerId: CID_C, ipv4: 'x' })));
  assert.deepEqual(changes.map((c) => c.op), ['upsertEndpoint', 'upsertEndpoint', 'upsertSandbox', 'upsertEndpoint', 'removeEndpoint']);
  for (const c of changes) copy.apply(c);
  for (const name of ['web', 'db', 'svc', 'old', 'db2']) assert.deepEqual(copy.lookup('sa', name), r.lookup('sa', name), name);
  assert.deepEqual(copy.lookup('sa', 'svc')?.ipv4, ['10.0.0.9']);
  assert.equal(copy.reverse('sa', '10.0.0.9'), 'db.net1');
  r.removeSandbox('sa');
  copy.apply(changes.at(-1)!);
  assert.equal(copy.hasSandbox('sa'), false);
});
