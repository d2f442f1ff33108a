import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from '../../model/container.js';
import type { NetworkRecord } from '../../model/network.js';
import { notFound } from '../../errors.js';
import { toHttpError } from '../errors.js';
import { selectContainers, selectPrunable, type ListContext } from './container-filters.js';

const ZERO = '0001-01-01T00:00:00Z';

function rec(id: string, name: string, status: ContainerRecord['state']['status'], created: string, over: { labels?: Record<string, string>; networkId?: string; exitCode?: number; image?: string } = {}): ContainerRecord {
  return {
    id: id.padEnd(64, '0'),
    name,
    created,
    config: {
      image: over.image ?? 'busybox:latest', imageId: 'sha256:c04f09cd'.padEnd(71, 'f'), cmd: [], entrypoint: [], env: [], workingDir: '', user: '', tty: false, openStdin: false, stdinOnce: false,
      attachStdin: false, attachStdout: false, attachStderr: false, hostname: id.slice(0, 12), domainname: '', labels: over.labels ?? {}, exposedPorts: name === 'web' ? ['80/tcp'] : [],
    },
    hostConfig: {
      networkMode: 'default', portBindings: name === 'web' ? { '80/tcp': [{ hostIp: '', hostPort: '8080' }] } : {}, publishAllPorts: false, links: [], dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], autoRemove: false, runtime: '',
    },
    networks: [{ networkId: over.networkId ?? 'b'.repeat(64), aliases: [], links: [], driverOpts: {} }],
    nextIfIndex: 0,
    state: { status, pid: 0, exitCode: over.exitCode ?? 0, error: '', startedAt: ZERO, finishedAt: ZERO },
  };
}

const NETS: Record<string, Pick<NetworkRecord, 'id' | 'name'>> = { ['b'.repeat(64)]: { id: 'b'.repeat(64), name: 'bridge' }, ['c'.repeat(64)]: { id: 'c'.repeat(64), name: 'trace-net' } };
const LIST = [
  rec('aaa1', 'trace-x', 'running', '2026-11-23T03:33:03.000000001Z', { labels: { env: 'prod' } }),
  rec('aaa2', 'web', 'running', '2026-11-23T03:33:07.000000001Z', { networkId: 'c'.repeat(64), labels: { env: 'test', team: 'net' } }),
  rec('bbb3', 'trace-log', 'exited', '2026-11-23T03:33:45.000000001Z', { exitCode: 137, labels: { 'trace-prune': '1' } }),
  rec('bbb4', 'fresh', 'created', '2026-11-23T03:34:00.000000001Z', { image: 'alpine' }),
];
const CTX: ListContext = {
  find: (ref) => {
    const c = LIST.find((x) => x.name === ref || x.id.startsWith(ref));
    if (!c) throw notFound(`No such container: ${ref}`, 'container.notFound');
    return c;
  },
  network: (id) => NETS[id] as NetworkRecord | undefined,
};
const names = (filters: Record<string, string[]>, all = false, limit?: number) => selectContainers(LIST, { all, limit, filters }, CTX).map((c) => c.name);

function status(f: () => unknown): { status: number; message: string } {
  try {
    f();
  } catch (e) {
    return toHttpError(e);
  }
  return { status: 0, message: '' };
}

test('running only by default, newest first; all and limit as dockerd', () => {
  assert.deepEqual(names({}), ['web', 'trace-x']);
  assert.deepEqual(names({}, true), ['fresh', 'trace-log', 'web', 'trace-x']);
  assert.deepEqual(names({}, false, 2), ['fresh', 'trace-log']); // limit implies all
});

test('name (substring/regex, with or without the slash), id prefix, label, network, ancestor, expose/publish', () => {
  assert.deepEqual(names({ name: ['trace-'] }, true), ['trace-log', 'trace-x']);
  assert.deepEqual(names({ name: ['^/web$'] }, true), ['web']);
  assert.deepEqual(names({ name: ['^web$'] }, true), ['web']);
  assert.deepEqual(names({ id: ['bbb'] }, true), ['fresh', 'trace-log']);
  assert.deepEqual(names({ label: ['env'] }, true), ['web', 'trace-x']);
  assert.deepEqual(names({ label: ['env=test', 'team'] }, true), ['web']);
  assert.deepEqual(names({ label: ['nosuch'] }, true), []);
  assert.deepEqual(names({ network: ['trace-net'] }, true), ['web']);
  assert.deepEqual(names({ network: ['bbbb'] }), ['trace-x']);
  assert.deepEqual(names({ ancestor: ['alpine'] }, true), ['fresh']);
  assert.deepEqual(names({ expose: ['80'] }, true), ['web']);
  assert.deepEqual(names({ publish: ['80/tcp'] }, true), ['web']);
});

test('status and exited imply all; before and since use creation order', () => {
  assert.deepEqual(names({ status: ['exited', 'created'] }), ['fresh', 'trace-log']);
  assert.deepEqual(names({ exited: ['137'] }), ['trace-log']);
  assert.deepEqual(names({ before: ['trace-log'] }), ['web', 'trace-x']);
  assert.deepEqual(names({ since: ['web'] }), ['fresh', 'trace-log']);
  assert.equal(status(() => names({ before: ['nosuch'] })).status, 404);
});

test('unknown filters and bad values are 400s', () => {
  assert.deepEqual(status(() => names({ nosuchfilter: ['x'] })), { status: 400, message: "Invalid filter 'nosuchfilter'" });
  assert.deepEqual(status(() => names({ status: ['sleeping'] })), { status: 400, message: "Invalid filter 'status=sleeping'" });
  assert.deepEqual(status(() => names({ exited: ['x'] })), { status: 400, message: "Invalid filter 'exited=x'" });
  assert.equal(status(() => names({ publish: ['80/foo'] })).status, 400);
  assert.deepEqual(names({ name: ['[unclosed'] }, true), []); // dockerd skips patterns that do not compile
});

test('prune: stopped containers only, label / label! / until; unknown keys refused', () => {
  assert.deepEqual(selectPrunable(LIST, {}).map((c) => c.name), ['trace-log', 'fresh']);
  assert.deepEqual(selectPrunable(LIST, { label: ['trace-prune=1'] }).map((c) => c.name), ['trace-log']);
  assert.deepEqual(selectPrunable(LIST, { 'label!': ['trace-prune'] }).map((c) => c.name), ['fresh']);
  assert.deepEqual(selectPrunable(LIST, { until: ['2026-11-23T03:33:50Z'] }).map((c) => c.name), ['trace-log']);
  const now = Date.parse('2026-11-23T03:34:30Z');
  assert.deepEqual(selectPrunable(LIST, { until: ['40s'] }, now).map((c) => c.name), ['trace-log']);
  assert.deepEqual(status(() => selectPrunable(LIST, { name: ['x'] })), { status: 400, message: "Invalid filter 'name'" });
});
