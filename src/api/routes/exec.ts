// docker exec: POST /containers/{id}/exec creates a record, POST /exec/{id}/start runs it through
// the OCI runtime's `exec` and streams its output over the hijacked connection (8-byte frames),
// stdin from the connection into the process; GET /exec/{id}/json gives the exit code the CLI
// asks for once the stream has ended. Records live in memory only, as in dockerd.
//
// With Tty the process runs on a terminal through scripts/exec-tty.py (see OciRuntime.exec):
// its output goes raw (no frames, stdout and stderr merged, \r\n from the terminal) as in
// 04-exec-lifecycle.log, and POST /exec/{id}/resize reaches the terminal through the helper.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { ContainerRecord } from '../../model/container.js';
import type { Engine } from '../../engine/engine.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { ChildProcess } from '../../kernel/kernel.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import { resizeExecTty } from '../../runtime/stdio-helpers.js';
import { copyOutput } from '../../runtime/streams.js';
import { resolveUser } from '../../runtime/user.js';
import { parseExecCreate, parseExecStart, toExecInspect, type ExecSpec, type ExecState } from '../docker/exec-json.js';
import { hijack, streamMediaType } from '../hijack.js';
import { readJson } from '../http.js';
import type { Route } from '../router.js';
import { queryInt } from './containers.js';

/** Finished records kept for GET /exec/{id}/json; older ones are forgotten first. */
const MAX_FINISHED_EXECS = 500;

interface ExecRecord extends ExecState {
  started: boolean;
  finishedAt: number;
  /** The running process, for resizes of a TTY exec. */
  child?: ChildProcess | undefined;
}

/** The exec instances of this daemon run. */
class ExecTable {
  private readonly byId = new Map<string, ExecRecord>();

  constructor(private readonly containerExists: (id: string) => Promise<boolean>) {}

  async add(containerId: string, spec: ExecSpec): Promise<ExecRecord> {
    await this.prune();
    const rec: ExecRecord = { id: randomBytes(32).toString('hex'), containerId, spec, running: false, exitCode: null, pid: 0, started: false, finishedAt: 0 };
    this.byId.set(rec.id, rec);
    return rec;
  }

  get(id: string): ExecRecord {
    const rec = this.byId.get(id);
    if (!rec) throw notFound(`No such exec instance: ${id}`, 'exec.notFound');
    return rec;
  }

  /** Drops records of removed containers and the oldest finished ones beyond the limit. */
  private async prune(): Promise<void> {
    const finished: ExecRecord[] = [];
    for (const rec of [...this.byId.values()]) {
      if (!(await this.containerExists(rec.containerId))) this.byId.delete(rec.id);
      else if (rec.exitCode !== null) finished.push(rec);
    }
    finished.sort((a, b) => a.finishedAt - b.finishedAt);
    for (const rec of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_EXECS))) this.byId.delete(rec.id);
  }
}

/** dockerd's checks before an exec: the container must run and not be paused. */
async function runningContainer(engine: Engine, ref: string): Promise<ContainerRecord> {
  const c = await engine.containers.find(ref);
  if (c.state.status === 'paused') throw conflict(`Container ${c.id} is paused, unpause the container before exec`, 'container.paused');
  if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`, 'container.notRunning');
  return c;
}

/** Resolves with the exit code once the process has exited and its output pipes are closed. */
function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', () => resolve(126)); // the runtime binary could not be started
    child.once('close', (code, signal) => {
      const signum = signal ? (constants.signals[signal] ?? 0) : 0;
      resolve(code ?? 128 + signum);
    });
  });
}

/** Client bytes into the process; the client's EOF closes the process's stdin (echo x | docker exec -i). */
function feedStdin(from: Readable, to: Writable): void {
  to.on('error', () => from.resume()); // the process closed stdin early: discard the rest
  from.pipe(to);
}

export function execRoutes(engine: Engine, runtime: ContainerRuntime): Route[] {
  const execs = new ExecTable(async (id) => (await engine.containers.tryFind(id)) !== undefined);

  /** Starts the process with the container's image users and the exec's env, cwd and user. */
  const spawn = async (c: ContainerRecord, spec: ExecSpec, stdin: boolean, size: [number, number] | undefined): Promise<ChildProcess> => {
    // An empty User keeps the container's own process user (the runtime's default for exec).
    const user = spec.user ? await resolveUser(spec.user, runtime.images.layerDirs(c.config.imageId)) : undefined;
    return runtime.oci.exec(c.id, {
      args: spec.cmd,
      env: spec.env,
      ...(spec.workingDir ? { cwd: spec.workingDir } : {}),
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      stdin,
      tty: spec.tty,
      ...(size ? { consoleSize: { rows: size[0], cols: size[1] } } : {}),
    });
  };

  return [
    {
      method: 'POST',
      path: '/containers/:id/exec',
      handler: async ({ req, params }) => {
        const spec = parseExecCreate(await readJson(req));
        const c = await runningContainer(engine, params['id']!);
        if (spec.privileged) throw invalid('privileged exec (docker exec --privileged) is not supported', 'exec.privileged');
        return { status: 201, body: { Id: (await execs.add(c.id, spec)).id } };
      },
    },
    {
      method: 'POST',
      path: '/exec/:id/start',
      handler: async ({ req, res, params, apiVersion }) => {
        const rec = execs.get(params['id']!);
        const { detach, consoleSize } = parseExecStart(await readJson(req));
        if (rec.running) throw conflict(`Error: Exec command ${rec.id} is already running`, 'exec.running');
        if (rec.started) throw conflict(`Error: Exec command ${rec.id} has already run`, 'exec.done');
        const c = await runningContainer(engine, rec.containerId);
        const attachStdin = rec.spec.attachStdin && !detach;
        rec.started = true; // before the await: a second start racing this one gets the 409
        const child = await spawn(c, rec.spec, attachStdin, consoleSize ?? rec.spec.consoleSize).catch((e: unknown) => {
          rec.started = false;
          throw e;
        });
        rec.running = true;
        rec.pid = child.pid ?? 0;
        rec.child = child;
        const exited = exitCodeOf(child).then((code) => {
          Object.assign(rec, { running: false, exitCode: code, finishedAt: Date.now(), child: undefined });
        });
        if (detach) {
          child.stdout?.resume();
          child.stderr?.resume();
          return { status: 200 };
        }

        const tty = rec.spec.tty;
        const stream = hijack(req, res, streamMediaType(tty, apiVersion));
        if (attachStdin && child.stdin && stream.in) feedStdin(stream.in, child.stdin);
        else stream.in?.resume(); // nothing reads stdin: drop what the client sends
        // A terminal merges stdout and stderr; the helper's stderr only carries its own failures.
        const wantOut = rec.spec.attachStdout || (tty && rec.spec.attachStderr);
        const wantErr = tty ? wantOut : rec.spec.attachStderr;
        if (!wantOut) child.stdout?.resume();
        if (!wantErr) child.stderr?.resume();
        const attached = { stdout: wantOut ? child.stdout : null, stderr: wantErr ? child.stderr : null };
        // The exit code must be recorded before the stream ends: the CLI asks for it right after EOF.
        await Promise.all([copyOutput(attached, stream.out, tty).catch(() => undefined), exited]);
        stream.end();
        return 'handled';
      },
    },
    {
      method: 'GET',
      path: '/exec/:id/json',
      handler: async ({ params }) => ({ status: 200, body: toExecInspect(execs.get(params['id']!)) }),
    },
    {
      method: 'POST',
      path: '/exec/:id/resize',
      handler: async ({ params, query }) => {
        const rec = execs.get(params['id']!);
        const rows = queryInt(query, 'h');
        const cols = queryInt(query, 'w');
        // Without a terminal, or after the exit, there is nothing to resize: accepted all the same,
        // so the CLI does not print "failed to resize tty" for a command that just finished.
        if (rec.spec.tty && rec.child && rows !== undefined && cols !== undefined) resizeExecTty(rec.child, { rows, cols });
        return { status: 200 };
      },
    },
  ];
}
