// docker exec in the engine: exec instances (created, started once, inspected for their exit
// code) and their processes, run through the runtime port. Records live in memory only, as in
// dockerd. The API layer parses the bodies and carries the streams (api/routes/exec.ts).
import { randomBytes } from 'node:crypto';
import { conflict, invalid, notFound } from '../errors.js';
import type { ContainerRecord } from '../model/container.js';
import type { Containers } from './containers.js';
import type { ConsoleSize, ExecExit, ExecProcess, RuntimePort } from './runtime-port.js';

export interface ExecSpec {
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  tty: boolean;
  /** [height, width] for the terminal from the start (API 1.42+); undefined: the default. */
  consoleSize: [number, number] | undefined;
  privileged: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  detachKeys: string;
}

/** What GET /exec/{id}/json reports. */
export interface ExecState {
  id: string;
  containerId: string;
  spec: ExecSpec;
  running: boolean;
  /** null until the process has exited (dockerd's *int). */
  exitCode: number | null;
  pid: number;
}

/** Finished records kept for GET /exec/{id}/json; older ones are forgotten first. */
const MAX_FINISHED_EXECS = 500;

interface ExecRecord extends ExecState {
  started: boolean;
  finishedAt: number;
  /** The running process, for resizes of a TTY exec. */
  process?: ExecProcess | undefined;
}

/** A started exec: its process, and its end once the exit code is recorded. */
export interface StartedExec {
  process: ExecProcess;
  /** Whether the process got a stdin (AttachStdin and not detached). */
  stdin: boolean;
  /** Resolves after the record holds the exit code: the CLI asks for it right after the stream's end. */
  exited: Promise<ExecExit>;
}

export class Execs {
  private readonly byId = new Map<string, ExecRecord>();

  constructor(
    private readonly containers: Containers,
    private readonly runtime: RuntimePort,
  ) {}

  /** POST /containers/{id}/exec: the container must run. */
  async create(ref: string, spec: ExecSpec): Promise<ExecState> {
    const c = await this.runningContainer(ref);
    if (spec.privileged) throw invalid('privileged exec (docker exec --privileged) is not supported', 'exec.privileged');
    await this.prune();
    const rec: ExecRecord = { id: randomBytes(32).toString('hex'), containerId: c.id, spec, running: false, exitCode: null, pid: 0, started: false, finishedAt: 0 };
    this.byId.set(rec.id, rec);
    return rec;
  }

  get(id: string): ExecState {
    return this.record(id);
  }

  /** Runs the exec's process once; the caller streams its stdio. */
  async start(id: string, opts: { detach: boolean; consoleSize: [number, number] | undefined }): Promise<StartedExec> {
    const rec = this.record(id);
    if (rec.running) throw conflict(`Error: Exec command ${rec.id} is already running`, 'exec.running');
    if (rec.started) throw conflict(`Error: Exec command ${rec.id} has already run`, 'exec.done');
    const c = await this.runningContainer(rec.containerId);
    const stdin = rec.spec.attachStdin && !opts.detach;
    const size = opts.consoleSize ?? rec.spec.consoleSize;
    rec.started = true; // before the await: a second start racing this one gets the 409
    let proc: ExecProcess;
    try {
      proc = await this.runtime.exec(c.id, c.config.imageId, {
        execId: rec.id,
        args: rec.spec.cmd,
        env: rec.spec.env,
        cwd: rec.spec.workingDir,
        user: rec.spec.user,
        tty: rec.spec.tty,
        stdin,
        ...(size ? { consoleSize: { rows: size[0], cols: size[1] } } : {}),
      });
    } catch (e) {
      rec.started = false;
      throw e;
    }
    rec.running = true;
    rec.process = proc;
    // Not awaited: the caller answers (101 UPGRADED) at once, as dockerd does. docker-py reads
    // the answer's head through a buffer and the stream from the bare socket: output sent right
    // behind the head would be lost in that buffer.
    void proc.started.then((pid) => (rec.pid = pid)); // 0: the runtime could not start it (exited says why)
    const exited = proc.exited.then((exit) => {
      Object.assign(rec, { running: false, exitCode: exit.code, finishedAt: Date.now(), process: undefined });
      return exit;
    });
    return { process: proc, stdin, exited };
  }

  /** Without a terminal, or after the exit, there is nothing to resize: not an error. */
  async resize(id: string, size: ConsoleSize): Promise<void> {
    const rec = this.record(id);
    if (rec.spec.tty && rec.process) await rec.process.resize(size);
  }

  private record(id: string): ExecRecord {
    const rec = this.byId.get(id);
    if (!rec) throw notFound(`No such exec instance: ${id}`, 'exec.notFound');
    return rec;
  }

  /** dockerd's checks before an exec: the container must run and not be paused. */
  private async runningContainer(ref: string): Promise<ContainerRecord> {
    const c = await this.containers.find(ref);
    if (c.state.status === 'paused') throw conflict(`Container ${c.id} is paused, unpause the container before exec`, 'container.paused');
    if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`, 'container.notRunning');
    return c;
  }

  /** Drops records of removed containers and the oldest finished ones beyond the limit. */
  private async prune(): Promise<void> {
    const finished: ExecRecord[] = [];
    for (const rec of [...this.byId.values()]) {
      if (!(await this.containers.tryFind(rec.containerId))) this.byId.delete(rec.id);
      else if (rec.exitCode !== null) finished.push(rec);
    }
    finished.sort((a, b) => a.finishedAt - b.finishedAt);
    for (const rec of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_EXECS))) this.byId.delete(rec.id);
  }
}
