// Kernel tests (root): real sandboxes (netns made by the test), real sockets at 127.0.0.11:53
// inside them, queried from inside; a stub upstream on loopback in our own namespace.
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { createTestHost, uniqueName, unmountUnder } from '../../test/helpers/testhost.js';
import { LinuxKernel } from '../kernel/kernel.js';
import { Resolver } from './resolver.js';

const isRoot = process.getuid?.() === 0;
const CID_SELF = 'a1a1a1a1a1a1'.padEnd(64, '1');
const CID_WEB = 'b2b2b2b2b2b2'.padEnd(64, '2');
const CID_INT = 'c3c3c3c3c3c3'.padEnd(64, '3');

let kernel: LinuxKernel;
let dir: string;
let stub: { socket: UdpSocket; port: number; seen: string[] };

/** A stub upstream on 127.0.0.1 (our own loopback): ext.example → 192.0.2.7, else NXDOMAIN. */
async function startStub(): Promise<typeof stub> {
  const socket = createSocket('udp4');
  const seen: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    seen.push(`${question.type} ${question.name}`);
    const known = question.name === 'ext.example' && question.type === 'A';
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: known ? 0 : 3, // rcode NXDOMAIN
      questions: [question],
      answers: known ? [{ type: 'A', name: question.name, ttl: 30, data: '192.0.2.7' }] : [],
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, port: socket.address().port, seen };
}

/** A DNS client run inside the sandbox: prints the raw reply as hex (tcp uses 2-byte framing). */
const CLIENT = `
const [transport, hex] = process.argv.slice(1);
const q = Buffer.from(hex, 'hex');
const out = (b) => { process.stdout.write(b.toString('hex')); process.exit(0); };
setTimeout(() => process.exit(3), 4000);
if (transport === 'udp') {
  const s = require('dgram').createSocket('udp4');
  s.on('message', out);
  s.send(q, 53, '127.0.0.11');
} else {
  const s = require('net').connect(53, '127.0.0.11', () => {
    const h = Buffer.alloc(2); h.writeUInt16BE(q.length); s.write(Buffer.concat([h, q]));
  });
  let b = Buffer.alloc(0);
  s.on('data', (d) => { b = Buffer.concat([b, d]); if (b.length >= 2 && b.length >= 2 + b.readUInt16BE(0)) out(b.subarray(2)); });
}`;

type Reply = dnsPacket.DecodedPacket & { rcode: string };

async function askIn(netnsPath: string, name: string, type: dnsPacket.RecordType, transport: 'udp' | 'tcp' = 'udp'): Promise<Reply> {
  const q = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  const r = await kernel.runIn(netnsPath, [process.execPath, '-e', CLIENT, transport, q.toString('hex')]);
  assert.equal(r.code, 0, `client failed: ${r.stderr}`);
  return dnsPacket.decode(Buffer.from(r.stdout, 'hex')) as Reply;
}

const data = (r: Reply): string[] => (r.answers ?? []).map((a) => String((a as { data: unknown }).data));

async function newResolver(): Promise<Resolver> {
  const conf = join(dir, 'resolv.conf');
  await writeFile(conf, 'nameserver 127.0.0.11\nnameserver 127.0.0.1\nsearch corp.example\n');
  return new Resolver({ kernel, resolvConfPath: conf, upstreamPort: stub.port, forwardTimeoutMs: 500 });
}

function addPeers(resolver: Resolver): void {
  const net = { networkId: 'n1', networkName: 'tnet', aliases: [] as string[] };
  resolver.records.upsertEndpoint({ ...net, endpointId: 'e-self', containerId: CID_SELF, containerName: 'self', ipv4: '10.9.0.2' });
  resolver.records.upsertEndpoint({ ...net, endpointId: 'e-web', containerId: CID_WEB, containerName: 'web', aliases: ['www'], ipv4: '10.9.0.3' });
}

before(async () => {
  if (!isRoot) return;
  kernel = new LinuxKernel();
  dir = await mkdtemp(join(tmpdir(), `${uniqueName('dns')}-`));
  stub = await startStub();
});

after(async () => {
  if (!isRoot) return;
  stub.socket.close();
  kernel.close();
  unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
});

test('a sandbox resolves its peers, forwards the rest, over UDP and TCP', { skip: !isRoot }, async () => {
  const host = createTestHost('dns');
  const resolver = await newResolver();
  try {
    addPeers(resolver);
    const t0 = performance.now();
    await resolver.addSandbox('sb1', host.nsPath, { containerId: CID_SELF });
    const bindMs = performance.now() - t0;
    assert.ok(bindMs < 5000);
    console.log(`# addSandbox bound 127.0.0.11:53 in ${bindMs.toFixed(1)} ms`);

    // host.sh would block our event loop (and with it the resolver): run the client async.
    const ns = await kernel.runIn(host.nsPath, ['busybox', 'nslookup', 'web', '127.0.0.11']);
    assert.match(ns.stdout, /Address:\s+10\.9\.0\.3/);
    assert.deepEqual(data(await askIn(host.nsPath, 'WWW', 'A')), ['10.9.0.3']);
    assert.deepEqual(data(await askIn(host.nsPath, 'web.tnet', 'A', 'tcp')), ['10.9.0.3']);
    const nodata = await askIn(host.nsPath, 'web', 'AAAA');
    assert.equal(nodata.rcode, 'NOERROR');
    assert.equal(nodata.answers?.length, 0);
    assert.deepEqual(data(await askIn(host.nsPath, '3.0.9.10.in-addr.arpa', 'PTR')), ['web.tnet']);

    assert.deepEqual(data(await askIn(host.nsPath, 'ext.example', 'A')), ['192.0.2.7']);
    assert.equal((await askIn(host.nsPath, 'nosuch.example', 'A', 'tcp')).rcode, 'NXDOMAIN');
    assert.equal((await askIn(host.nsPath, 'web.corp.example', 'A')).rcode, 'NXDOMAIN');
    // Only the unknown names went upstream; known names and their search variants did not.
    assert.deepEqual(stub.seen.splice(0), ['A ext.example', 'A nosuch.example']);

    // A name resolves the moment its endpoint is recorded, and stops when it is removed.
    resolver.records.upsertEndpoint({ endpointId: 'e-new', networkId: 'n1', networkName: 'tnet', containerId: CID_INT, containerName: 'late', aliases: [], ipv4: '10.9.0.9' });
    assert.deepEqual(data(await askIn(host.nsPath, 'late', 'A')), ['10.9.0.9']);
    resolver.records.removeEndpoint('e-new');
    assert.equal((await askIn(host.nsPath, 'late', 'A')).rcode, 'NXDOMAIN'); // forwarded, stub says no
    assert.deepEqual(stub.seen.splice(0), ['A late']);
  } finally {
    resolver.close();
    host.dispose();
  }
});

test('a sandbox only on internal networks gets no forwarding', { skip: !isRoot }, async () => {
  const host = createTestHost('dns');
  const resolver = await newResolver();
  try {
    const net = { networkId: 'ni', networkName: 'inet', internal: true, aliases: [] as string[] };
    resolver.records.upsertEndpoint({ ...net, endpointId: 'e1', containerId: CID_INT, containerName: 'i1', ipv4: '10.8.0.2' });
    resolver.records.upsertEndpoint({ ...net, endpointId: 'e2', containerId: CID_WEB, containerName: 'i2', ipv4: '10.8.0.3' });
    await resolver.addSandbox('sbi', host.nsPath, { containerId: CID_INT });
    assert.deepEqual(data(await askIn(host.nsPath, 'i2', 'A')), ['10.8.0.3']);
    assert.equal((await askIn(host.nsPath, 'ext.example', 'A')).rcode, 'SERVFAIL');
    assert.deepEqual(stub.seen.splice(0), []);
  } finally {
    resolver.close();
    host.dispose();
  }
});

test('addSandbox serves a fresh sandbox; removeSandbox lets the netns (and its veth) go', { skip: !isRoot }, async () => {
  const host = createTestHost('dnsh');
  const resolver = await newResolver();
  const veth = uniqueName('tv');
  const vethExists = (): boolean => host.try(['ip', 'link', 'show', 'dev', veth]).code === 0;
  try {
    const netns = await kernel.netnsCreate();
    const nsPath = netns.path;
    host.sh(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', nsPath]);
    addPeers(resolver);
    await resolver.addSandbox('sb2', nsPath, { containerId: CID_SELF });
    assert.deepEqual(data(await askIn(nsPath, 'web', 'A')), ['10.9.0.3']);

    // Once our handle's file is closed (after its grace for the file number), only the
    // resolver's sockets hold the namespace.
    const ns = readlinkSync(nsPath);
    const ourFileOpen = (): boolean => readdirSync('/proc/self/fd').some((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === ns;
      } catch {
        return false;
      }
    });
    netns.close();
    for (const until = Date.now() + 5000; ourFileOpen() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!ourFileOpen(), 'the handle let go of its file');
    assert.ok(vethExists(), 'open resolver sockets keep the namespace alive');
    resolver.removeSandbox('sb2');
    const deadline = Date.now() + 5000;
    while (vethExists() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!vethExists(), 'namespace still alive after removeSandbox');
    assert.equal(resolver.servedCount(), 0);
  } finally {
    resolver.close();
    host.dispose();
  }
});
