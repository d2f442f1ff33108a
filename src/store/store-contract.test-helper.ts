// One contract, every Store: the same tests run against each implementation and each scope it
// holds, so the engine can be given any of them (SQLite in the daemon, memory in unit tests, etcd
// for global scope). store.contract.test.ts runs it unprivileged for SQLite and memory;
// etcd/etcd-store.test.ts runs it against a real etcd (root: the etcd lives in a test netns).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TetherError } from '../errors.js';
import type { ContainerRecord } from '../model/container.js';
import type { EndpointRecord } from '../model/endpoint.js';
import { NETWORK_DEFAULTS, type NetworkRecord } from '../model/network.js';
import type { Store, StoreScope } from './store.js';

export interface StoreUnderTest {
  name: string;
  /** The scopes it can hold: the suite runs once for each. */
  scopes: StoreScope[];
  /** A new, empty store. */
  open(scope: StoreScope): Store;
  /** Why the suite cannot run here (e.g. it needs root). */
  skip?: string | false;
  /** It holds both scopes (the scoped store): records of the other scope are routed, not refused. */
  bothScopes?: boolean;
}

export function net(name: string, over: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    ...NETWORK_DEFAULTS, id: `${name}-id`, name, driver: 'bridge', scope: 'local', created: '2026-01-01T00:00:00.000000000Z',
    pools: [], options: {}, predefined: false, ...over,
  };
}

export function ep(id: string, networkId: string, containerId: string): EndpointRecord {
  return { id, networkId, containerId, name: containerId, mac: '', aliases: [], dnsNames: [], ifname: 'eth0', defaultRoute: false };
}

function ctr(id: string, name: string): ContainerRecord {
  return {
    id, name, created: '', nextIfIndex: 0, networks: [],
    config: { image: 'i', imageId: 'i', cmd: [], entrypoint: [], env: [], workingDir: '', user: '', tty: false, openStdin: false, stdinOnce: false,
      attachStdin: false, attachStdout: false, attachStderr: false, hostname: '', domainname: '', labels: {}, exposedPorts: [] },
    hostConfig: { networkMode: 'default', portBindings: {}, publishAllPorts: false, links: [], dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], autoRemove: false, runtime: '' },
    state: { status: 'created', pid: 0, exitCode: 0, error: '', startedAt: '', finishedAt: '' },
  };
}

/** Rejects with a TetherError of this kind and code. */
export async function rejectsWith(p: Promise<unknown>, kind: string, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof TetherError && e.kind === kind && e.code === code);
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

/** The contract, for every scope impl holds. */
export function storeContract(impl: StoreUnderTest): void {
  for (const scope of impl.scopes) contractIn(impl, scope);
}

function contractIn(impl: StoreUnderTest, scope: StoreScope): void {
  // Records of the scope under test; a global store holds no containers.
  const local = scope === 'local';
  const n = (name: string, over: Partial<NetworkRecord> = {}): NetworkRecord => net(name, { driver: local ? 'bridge' : 'overlay', scope: local ? 'local' : 'global', ...over });
  const containersOnly = { skip: local ? false : 'containers are local' };
  describe(`Store contract: ${impl.name} (${scope})`, { skip: impl.skip ?? false }, () => {
    it('keeps meta keys', async () => {
      const s = impl.open(scope);
      assert.equal(await s.getMeta('k'), undefined);
      await s.setMeta('k', '1');
      await s.setMeta('k', '2');
      assert.equal(await s.getMeta('k'), '2');
      await s.close();
    });

    it('stores networks by id and name, refuses a taken name, deletes idempotently with their leases', async () => {
      const s = impl.open(scope);
      await s.insertNetwork(n('a'), 'creating');
      assert.deepEqual(await s.network('a-id'), { status: 'creating', doc: n('a') });
      assert.equal((await s.networkByName('a'))?.doc.id, 'a-id');
      await rejectsWith(s.insertNetwork(n('a', { id: 'other' }), 'ready'), 'conflict', 'network.exists');
      await s.setNetworkStatus('a-id', 'ready');
      await s.addLease('a-id', '10.0.0.2', 'e1');
      assert.deepEqual((await s.networks()).map((r) => [r.doc.name, r.status]), [['a', 'ready']]);
      await s.deleteNetwork('a-id');
      await s.deleteNetwork('a-id');
      assert.equal(await s.network('a-id'), undefined);
      assert.deepEqual(await s.leases('a-id'), []);
      await s.close();
    });

    it('hands out copies: changing a document read does not change the store', async () => {
      const s = impl.open(scope);
      await s.insertNetwork(n('a'), 'ready');
      const got = (await s.network('a-id'))!.doc;
      got.labels['x'] = 'y';
      assert.deepEqual((await s.network('a-id'))!.doc.labels, {});
      await s.close();
    });

    it('leases an address once, releases by owner and with the owning endpoint', async () => {
      const s = impl.open(scope);
      await s.insertNetwork(n('a'), 'ready');
      await s.putEndpoint(ep('e1', 'a-id', 'c1'), 'creating');
      await s.addLease('a-id', '10.0.0.2', 'e1');
      await s.addLease('a-id', '10.0.0.3', 'e2');
      await rejectsWith(s.addLease('a-id', '10.0.0.2', 'e3'), 'conflict', 'ipam.leased');
      assert.deepEqual((await s.leases('a-id')).sort(), ['10.0.0.2', '10.0.0.3']);
      await s.releaseLeases('e2');
      assert.deepEqual(await s.leases('a-id'), ['10.0.0.2']);
      await s.deleteEndpoint('e1');
      await s.deleteEndpoint('e1');
      assert.deepEqual(await s.leases('a-id'), []);
      await s.close();
    });

    it('upserts endpoints, finds them by network and container, refuses a second one per container and network', async () => {
      const s = impl.open(scope);
      await s.insertNetwork(n('a'), 'ready');
      await s.insertNetwork(n('b'), 'ready');
      await s.putEndpoint(ep('e1', 'a-id', 'c1'), 'creating');
      await s.putEndpoint({ ...ep('e1', 'a-id', 'c1'), name: 'renamed' }, 'ready');
      await s.putEndpoint(ep('e2', 'b-id', 'c1'), 'ready');
      await s.putEndpoint(ep('e3', 'a-id', 'c2'), 'ready');
      await rejectsWith(s.putEndpoint(ep('e4', 'a-id', 'c1'), 'ready'), 'conflict', 'endpoint.exists');
      assert.deepEqual((await s.endpoints({ networkId: 'a-id' })).map((r) => r.doc.id).sort(), ['e1', 'e3']);
      assert.deepEqual((await s.endpoints({ containerId: 'c1' })).map((r) => [r.doc.id, r.doc.name, r.status]).sort(), [['e1', 'renamed', 'ready'], ['e2', 'c1', 'ready']]);
      assert.equal((await s.endpoints()).length, 3);
      assert.equal(await s.countEndpoints('a-id'), 2);
      await s.setEndpointStatus('e3', 'removing');
      assert.equal((await s.endpoints({ containerId: 'c2' }))[0]?.status, 'removing');
      await s.close();
    });

    it('upserts containers, refuses a name another container holds, naming the holder', containersOnly, async () => {
      const s = impl.open(scope);
      await s.putContainer(ctr('c1', 'web'), 'ready');
      await s.putContainer({ ...ctr('c1', 'web2') }, 'ready');
      assert.equal(await s.containerByName('web'), undefined);
      assert.equal((await s.containerByName('web2'))?.doc.id, 'c1');
      await s.putContainer(ctr('c2', 'db'), 'ready');
      await assert.rejects(s.putContainer(ctr('c2', 'web2'), 'ready'), (e: unknown) => e instanceof TetherError && e.code === 'container.nameInUse' && e.message.includes('"c1"'));
      assert.deepEqual((await s.containers()).map((r) => r.doc.name).sort(), ['db', 'web2']);
      await s.deleteContainer('c2');
      await s.deleteContainer('c2');
      assert.equal(await s.container('c2'), undefined);
      await s.close();
    });

    it('commits a transaction whole, and reads inside it see its own writes', async () => {
      const s = impl.open(scope);
      const seen = await s.tx(async (t) => {
        await t.insertNetwork(n('a'), 'creating');
        await t.addLease('a-id', '10.0.0.2', 'e1');
        await t.setMeta('cursor', '3');
        return (await t.networkByName('a'))?.status;
      });
      assert.equal(seen, 'creating');
      assert.equal(await s.getMeta('cursor'), '3');
      assert.deepEqual(await s.leases('a-id'), ['10.0.0.2']);
      await s.close();
    });

    it('rolls a failed transaction back entirely and rethrows its error', async () => {
      const s = impl.open(scope);
      await s.insertNetwork(n('keep'), 'ready');
      if (local) await s.putContainer(ctr('c1', 'web'), 'ready');
      const boom = new Error('boom');
      await assert.rejects(
        s.tx(async (t) => {
          await t.insertNetwork(n('a'), 'creating');
          await t.addLease('a-id', '10.0.0.2', 'e1');
          await t.setMeta('cursor', '3');
          await t.setNetworkStatus('keep-id', 'removing');
          if (local) await t.putContainer({ ...ctr('c1', 'renamed') }, 'ready');
          await t.deleteNetwork('keep-id');
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.equal(await s.networkByName('a'), undefined);
      assert.deepEqual(await s.leases('a-id'), []);
      assert.equal(await s.getMeta('cursor'), undefined);
      assert.equal((await s.network('keep-id'))?.status, 'ready');
      if (local) assert.equal((await s.container('c1'))?.doc.name, 'web');
      // A store error inside a transaction rolls back the same way.
      await rejectsWith(s.tx(async (t) => {
        await t.setMeta('cursor', '4');
        await t.insertNetwork(n('keep', { id: 'twin' }), 'ready');
      }), 'conflict', 'network.exists');
      assert.equal(await s.getMeta('cursor'), undefined);
      await s.close();
    });

    it('isolates a transaction: a read meanwhile sees nothing of it until it commits', async () => {
      const s = impl.open(scope);
      let inside!: () => void;
      const entered = new Promise<void>((r) => (inside = r));
      const tx = s.tx(async (t) => {
        await t.insertNetwork(n('a'), 'ready');
        inside();
        await tick();
        throw new Error('abandoned');
      });
      await entered;
      const read = s.networkByName('a'); // issued while the transaction is open
      await assert.rejects(tx, /abandoned/);
      assert.equal(await read, undefined);
      await s.close();
    });

    it('gives one of many concurrent creates of one name the network, the others a conflict', async () => {
      const s = impl.open(scope);
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) =>
          s.tx(async (t) => {
            if (await t.networkByName('same')) throw new TetherError('conflict', 'taken', { code: 'network.exists' });
            await tick(); // another transaction would slip in here if transactions interleaved
            await t.insertNetwork(n('same', { id: `id${i}` }), 'ready');
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as TetherError).kind, 'conflict');
      assert.equal((await s.networks()).length, 1);
      await s.close();
    });

    it('loses no update when concurrent transactions read and write one record', async () => {
      const s = impl.open(scope);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          s.tx(async (t) => {
            const n = Number((await t.getMeta('counter')) ?? '0');
            await tick();
            await t.setMeta('counter', String(n + 1));
          }),
        ),
      );
      assert.equal(await s.getMeta('counter'), '20');
      await s.close();
    });

    it('holds only records of its scope', { skip: impl.bothScopes === true }, async () => {
      const s = impl.open(scope);
      assert.equal(s.scope, scope);
      const other = net('other', local ? { driver: 'overlay', scope: 'swarm' } : {});
      await rejectsWith(s.insertNetwork(other, 'ready'), 'internal', 'internal');
      await rejectsWith(s.putEndpoint(ep('e1', 'missing', 'c1'), 'ready'), 'internal', 'internal');
      await rejectsWith(s.addLease('missing', '10.0.0.2', 'e1'), 'internal', 'internal');
      if (!local) await rejectsWith(s.putContainer(ctr('c1', 'web'), 'ready'), 'internal', 'internal');
      await s.close();
    });
  });
}
