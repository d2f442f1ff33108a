// A container's output: `POST /containers/{id}/attach` (hijacked) and `GET /containers/{id}/logs`
// (chunked). Both read the k8s-file log conmon writes; without a TTY every entry goes out as an
// 8-byte-header frame, with one the bytes go raw (10-api-trace/03-run.log, 04-exec-lifecycle.log).
//
// Attach streams the output written from the moment of the attach until the container's next
// exit: `docker run` attaches before it starts the container, `docker start -a` attaches to a
// stopped one whose log already holds earlier runs. Input (stdin=1, for a container created with
// OpenStdin) goes to the container through the engine (ContainerStdio: conmon's attach socket),
// once the container runs: the CLI sends it, EOF included, before it starts it (03-run.log).
import type { Writable } from 'node:stream';
import type { ContainerRecord } from '../../model/container.js';
import type { Engine } from '../../engine/engine.js';
import { invalid } from '../../errors.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import { logPayload, readLogs, type LogEntry } from '../../runtime/logs.js';
import { frame } from '../../runtime/streams.js';
import { hijack, streamMediaType, writeStream } from '../hijack.js';
import { baseHeaders } from '../http.js';
import type { Route } from '../router.js';
import { queryBool, queryInt } from './containers.js';

/** Docker's form of a log time, from a Date: nine fraction digits, UTC. */
function rfc3339Nano(ms: number, extraNanos = 0): string {
  const iso = new Date(ms).toISOString(); // 2026-11-23T03:24:41.103Z
  return `${iso.slice(0, 23)}${String(extraNanos).padStart(6, '0')}Z`;
}

/**
 * `since`/`until` as the CLI sends them: Unix seconds with an optional fraction of up to nine
 * digits ("1700000000.123456789"); 0 or absent means no bound. Returned in the log's time form so
 * entries compare as strings.
 */
export function parseLogTime(raw: string | null, key: string): string | undefined {
  if (raw === null || raw === '' || raw === '0') return undefined;
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?$/.exec(raw);
  if (!m) throw invalid(`invalid value for ${key}: ${raw}`, 'logs.time');
  const nanos = (m[2] ?? '').padEnd(9, '0');
  return rfc3339Nano(Number(m[1]) * 1000 + Number(nanos.slice(0, 3)), Number(nanos.slice(3)));
}

/** `tail`: "all" (or anything not a number, as dockerd) = everything; a negative number too. */
export function parseTail(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

interface Selection {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  /** Entries written before this time are skipped. */
  since?: string | undefined;
  /** The first entry after this time ends the stream. */
  until?: string | undefined;
}

/** Writes log entries to out, framed unless tty; returns when the entries end or the client is gone. */
async function pump(entries: AsyncIterable<LogEntry>, out: Writable, tty: boolean, sel: Selection): Promise<void> {
  for await (const e of entries) {
    if (sel.until !== undefined && e.time > sel.until) return;
    if (sel.since !== undefined && e.time < sel.since) continue;
    if (!(e.stream === 'stdout' ? sel.stdout : sel.stderr)) continue;
    const payload = logPayload(e, sel.timestamps);
    if (!(await writeStream(out, tty ? payload : frame(e.stream, payload)))) return;
  }
}

/** How often attach looks for a failed start (the engine has no event for it). */
const START_FAILURE_POLL_MS = 200;

/**
 * Resolves when a start of the container fails after this call, or the container is removed.
 * dockerd closes the attached streams then; without it `docker run nosuchcmd` would wait for an
 * exit that never comes. A failed start leaves the container not running with an error set.
 * (Limitation: a start failing with exactly the state of the previous failure goes unnoticed.)
 */
function startFailure(engine: Engine, id: string, signal: AbortSignal): Promise<void> {
  const before = engine.containers.tryFind(id).then((c) => JSON.stringify(c?.state));
  return new Promise((resolve) => {
    const stop = (): void => {
      clearInterval(timer);
      signal.removeEventListener('abort', stop);
      resolve();
    };
    const timer = setInterval(() => {
      void Promise.all([engine.containers.tryFind(id), before]).then(([c, was]) => {
        if (!c || (c.state.status !== 'running' && c.state.error !== '' && JSON.stringify(c.state) !== was)) stop();
      });
    }, START_FAILURE_POLL_MS);
    signal.addEventListener('abort', stop);
  });
}

export function streamRoutes(engine: Engine, runtime: ContainerRuntime): Route[] {
  const tty = (c: ContainerRecord): boolean => c.config.tty;
  return [
    {
      method: 'GET',
      path: '/containers/:id/logs',
      handler: async ({ params, query, res, apiVersion }) => {
        const c = await engine.containers.find(params['id']!);
        const sel: Selection = {
          stdout: queryBool(query, 'stdout'),
          stderr: queryBool(query, 'stderr'),
          timestamps: queryBool(query, 'timestamps'),
          since: parseLogTime(query.get('since'), 'since'),
          until: parseLogTime(query.get('until'), 'until'),
        };
        if (!sel.stdout && !sel.stderr) throw invalid('Bad parameters: you must choose at least one stream', 'logs.streams');
        const ac = new AbortController();
        res.on('close', () => ac.abort());
        res.writeHead(200, { ...baseHeaders(), 'Content-Type': streamMediaType(tty(c), apiVersion) });
        res.flushHeaders();
        const tail = parseTail(query.get('tail'));
        const entries = runtime.oci.logs(c.id, { ...(tail === undefined ? {} : { tail }), follow: queryBool(query, 'follow'), signal: ac.signal });
        await pump(entries, res, tty(c), sel).catch(() => undefined); // a failed read ends the stream early
        if (!res.writableEnded) res.end();
        return 'handled';
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/attach',
      handler: async ({ req, res, params, query, apiVersion }) => {
        const c = await engine.containers.find(params['id']!);
        const stream = queryBool(query, 'stream');
        const replay = queryBool(query, 'logs');
        // Both taken before the 101: the CLI starts the container only after reading it.
        const from = rfc3339Nano(Date.now());
        const nextExit = stream ? engine.lifecycle.waitFor(c.id, 'next-exit') : undefined;
        const hj = hijack(req, res, streamMediaType(tty(c), apiVersion));
        const ended = new AbortController(); // stops the start-failure watch with the stream
        hj.gone.addEventListener('abort', () => ended.abort());
        const stdin = queryBool(query, 'stdin') && c.config.openStdin && hj.in;
        // Input for a container without OpenStdin has nowhere to go (dockerd drops it too).
        const stopStdin = stdin ? engine.stdio.feed(c.id, stdin, hj.gone) : undefined;
        if (!stdin) hj.in?.resume();
        if (replay || stream) {
          const entries = readLogs(runtime.logPath(c.id), {
            // logs=1 replays what is written; stream=1 follows until the next exit.
            ...(nextExit ? { follow: true, until: Promise.race([nextExit, startFailure(engine, c.id, ended.signal)]) } : {}),
            signal: hj.gone,
          });
          const sel: Selection = {
            stdout: queryBool(query, 'stdout'),
            stderr: queryBool(query, 'stderr'),
            timestamps: false,
            ...(replay ? {} : { since: from }),
          };
          await pump(entries, hj.out, tty(c), sel).catch(() => undefined);
        }
        ended.abort();
        stopStdin?.();
        hj.end();
        return 'handled';
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/resize',
      handler: async ({ params, query }) => {
        const rows = queryInt(query, 'h');
        const cols = queryInt(query, 'w');
        // Best effort, answered 200 either way (ContainerStdio.resize).
        if (rows !== undefined && cols !== undefined) await engine.stdio.resize(params['id']!, { rows, cols });
        else await engine.containers.find(params['id']!);
        return { status: 200 };
      },
    },
  ];
}
