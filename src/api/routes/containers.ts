// /containers routes: thin — parse and validate at the edge, call the engine, convert to Docker
// JSON. Attach, logs and exec live with the runtime routes; they can reuse containerView and the
// query helpers exported here.
import { constants as osConstants } from 'node:os';
import type { ContainerRecord } from '../../model/container.js';
import type { Engine } from '../../engine/engine.js';
import { findContainerIn } from '../../engine/containers.js';
import type { NetworkRecord } from '../../model/network.js';
import type { WaitCondition } from '../../engine/container-lifecycle.js';
import { conflict, invalid, isTetherError, notFound } from '../../errors.js';
import { parseCreateContainer } from '../docker/container-create.js';
import { selectContainers, selectPrunable } from '../docker/container-filters.js';
import { toContainerInspect, toContainerSummary, type ContainerView } from '../docker/container-json.js';
import { parseFilters } from '../docker/filters.js';
import { baseHeaders, readJson } from '../http.js';
import type { Route } from '../router.js';
import { containerEvent } from './events.js';

/** What the routes need from parts of the daemon the Engine does not expose (yet). */
export interface ContainerRouteOptions {
  /** The runtime's log file for a container (RuntimePort.logPath). */
  logPath?: (id: string) => string;
}

/** dockerd's httputils.BoolValue: anything but "", "0", "no", "false", "none" is true. */
export function queryBool(query: URLSearchParams, key: string): boolean {
  const v = (query.get(key) ?? '').trim().toLowerCase();
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
}

/** An integer query parameter; absent or empty → undefined, anything else non-integer → 400. */
export function queryInt(query: URLSearchParams, key: string): number | undefined {
  const v = query.get(key);
  if (v === null || v === '') return undefined;
  if (!/^-?\d{1,9}$/.test(v)) throw invalid(`invalid value for ${key}: ${v}`, 'query.invalid');
  return Number(v);
}

/** A stop timeout: -1 means "wait for ever", which we cap below what a timer can hold. */
function stopTimeout(query: URLSearchParams): number | undefined {
  const t = queryInt(query, 't');
  return t !== undefined && t < 0 ? 2_000_000 : t;
}

/** Docker's signal.ParseSignal: "HUP", "SIGHUP", "1"; → the name without SIG, or the number. */
export function parseSignal(raw: string): string {
  const upper = raw.toUpperCase().replace(/^SIG/, '');
  const signals = osConstants.signals as Record<string, number>;
  if (/^\d+$/.test(upper)) {
    const n = Number(upper);
    if (n < 1 || n > 64) throw invalid(`Invalid signal: ${raw}`, 'signal.invalid');
    return Object.entries(signals).find(([, num]) => num === n)?.[0].replace(/^SIG/, '') ?? String(n);
  }
  if (!(`SIG${upper}` in signals)) throw invalid(`Invalid signal: ${raw}`, 'signal.invalid');
  return upper;
}

/** The networks by id, read once for a whole listing. */
export async function networksById(engine: Engine): Promise<Map<string, NetworkRecord>> {
  return new Map((await engine.networks.list()).map((n) => [n.id, n]));
}

/** The record plus what the engine knows about it now, for the JSON converters. */
export async function containerView(engine: Engine, c: ContainerRecord, networks: Map<string, NetworkRecord>, opts: ContainerRouteOptions = {}): Promise<ContainerView> {
  let etc = { hosts: '', resolvConf: '', hostname: '' };
  try {
    etc = engine.containerNetworking.etcPaths(c);
  } catch {
    // container:X whose X is gone: dockerd still answers inspect; the paths are just unknown
  }
  const sandboxKey = await engine.containerNetworking.sandboxKey(c);
  return {
    c,
    attached: await engine.containerNetworking.attached(c),
    network: (id) => networks.get(id),
    etc,
    logPath: opts.logPath?.(c.id) ?? '',
    sandboxKey,
    runtime: c.hostConfig.runtime || engine.config.defaultRuntime,
  };
}

/** Removes a container (stopping it first with force) and wakes `wait?condition=removed`. */
async function removeContainer(engine: Engine, ref: string, force: boolean): Promise<string> {
  const c = await engine.containers.find(ref);
  let exitCode = c.state.exitCode;
  await engine.containers.remove(c.id, {
    force,
    // dockerd's rm -f kills (SIGKILL, exit 137) rather than stopping with a grace period.
    stop: async (x) => {
      const exited = engine.lifecycle.waitFor(x.id, 'not-running');
      await engine.lifecycle.kill(x.id, 'KILL');
      exitCode = await exited;
    },
  });
  engine.lifecycle.removed(c.id, exitCode);
  containerEvent(engine, 'destroy', c);
  return c.id;
}

const WAIT_CONDITIONS = new Set<WaitCondition>(['not-running', 'next-exit', 'removed']);

export function containerRoutes(engine: Engine, opts: ContainerRouteOptions = {}): Route[] {
  return [
    {
      method: 'POST',
      path: '/containers/create',
      handler: async ({ req, query }) => {
        const { request, warnings } = parseCreateContainer(await readJson(req), query.get('name'));
        const created = await engine.containers.create(request);
        containerEvent(engine, 'create', await engine.containers.find(created.id));
        return { status: 201, body: { Id: created.id, Warnings: [...warnings, ...created.warnings] } };
      },
    },
    {
      method: 'GET',
      path: '/containers/json',
      handler: async ({ query }) => {
        const all = await engine.containers.list();
        const networks = await networksById(engine);
        const list = selectContainers(
          all,
          { all: queryBool(query, 'all'), limit: queryInt(query, 'limit'), filters: parseFilters(query.get('filters')) },
          { find: (ref) => findContainerIn(all, ref), network: (id) => networks.get(id) },
        );
        const now = Date.now();
        const views = await Promise.all(list.map((c) => containerView(engine, c, networks, opts)));
        return { status: 200, body: views.map((v) => toContainerSummary(v, now)) };
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/json',
      handler: async ({ params }) => {
        const c = await engine.containers.find(params['id']!);
        return { status: 200, body: toContainerInspect(await containerView(engine, c, await networksById(engine), opts)) };
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/start',
      handler: async ({ params }) => {
        if (!(await engine.lifecycle.start(params['id']!))) return { status: 304 };
        containerEvent(engine, 'start', await engine.containers.find(params['id']!));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/stop',
      handler: async ({ params, query }) => {
        if (!(await engine.lifecycle.stop(params['id']!, stopTimeout(query)))) return { status: 304 };
        containerEvent(engine, 'stop', await engine.containers.find(params['id']!));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/restart',
      handler: async ({ params, query }) => {
        await engine.lifecycle.restart(params['id']!, stopTimeout(query));
        containerEvent(engine, 'restart', await engine.containers.find(params['id']!));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/kill',
      handler: async ({ params, query }) => {
        const ref = params['id']!;
        const signal = parseSignal(query.get('signal') || 'KILL');
        try {
          await engine.lifecycle.kill(ref, signal);
          containerEvent(engine, 'kill', await engine.containers.find(ref), { signal: String(signal) });
        } catch (e) {
          // dockerd wraps it: "Cannot kill container: <ref>: Container <id> is not running"
          if (isTetherError(e) && e.code === 'container.notRunning') throw conflict(`Cannot kill container: ${ref}: ${e.message}`, e.code);
          throw e;
        }
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/wait',
      handler: async ({ params, query, res }) => {
        const condition = (query.get('condition') || 'not-running') as WaitCondition;
        if (!WAIT_CONDITIONS.has(condition)) throw invalid(`invalid condition: "${condition}"`, 'wait.condition');
        const c = await engine.containers.find(params['id']!);
        // Register before answering: the CLI sends wait(next-exit) *before* start, and dockerd
        // sends the 200 and headers at once, holding the chunked body until the exit (03-run.log).
        // A client that hangs up (`docker run -d` exits right after start) ends the wait: held,
        // its request and socket would stay until the container exits, one per container.
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        const done = engine.lifecycle.waitFor(c.id, condition, gone.signal);
        res.writeHead(200, { ...baseHeaders(), 'Content-Type': 'application/json' });
        res.flushHeaders();
        const code = await done.catch((e: unknown) => {
          if (gone.signal.aborted) return undefined;
          throw e;
        });
        if (code !== undefined && !res.destroyed && !res.writableEnded) res.end(`${JSON.stringify({ Error: null, StatusCode: code })}\n`);
        return 'handled';
      },
    },
    {
      // `rm --link /parent/alias`: the only DELETE with a slash in the container name.
      method: 'DELETE',
      path: '/containers/:parent/:alias',
      handler: async ({ params, query }) => {
        if (!queryBool(query, 'link')) throw notFound(`No such container: ${params['parent']}/${params['alias']}`, 'container.notFound');
        await engine.containers.removeLink(params['parent']!, params['alias']!);
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/containers/:id',
      handler: async ({ params, query }) => {
        // A link's name always has a parent part; Docker: "Conflict, cannot remove the default link name of the container".
        if (queryBool(query, 'link')) throw invalid('Conflict, cannot remove the default link name of the container', 'container.link');
        await removeContainer(engine, params['id']!, queryBool(query, 'force')); // v: there are no volumes
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async ({ query }) => {
        const deleted: string[] = [];
        for (const c of selectPrunable(await engine.containers.list(), parseFilters(query.get('filters')))) {
          // As dockerd: one that cannot be removed (started meanwhile) is skipped, not fatal.
          deleted.push(...(await removeContainer(engine, c.id, false).then((id) => [id], () => [])));
        }
        return { status: 200, body: { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 } };
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/rename',
      handler: async ({ params, query }) => {
        await engine.containers.rename(params['id']!, query.get('name'));
        return { status: 204 };
      },
    },
  ];
}
