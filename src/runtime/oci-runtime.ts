// Containers below the engine: rootfs (overlay over image layers), OCI bundle, conmon monitor,
// and the runtime's lifecycle verbs (crun by default, runc selectable per container). Every
// container lives in <containersRoot>/<id>/ (see monitor.ts for the files); delete removes all.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { conflict, internal, invalid, notFound, unavailable } from '../errors.js';
import { attachRelayArgv } from '../kernel/attach-relay.js';
import type { Kernel } from '../kernel/kernel.js';
import type { AttachedInput, ExecProcess } from './port.js';
import { startExecSession } from './exec-session.js';
import { writeBundle, type BundleNetwork, type BundleSpec } from './bundle.js';
import { readLogs, type LogEntry } from './logs.js';
import { containerPaths, launchMonitor, liveMonitorPid, readExitCode, waitForExitFile, type ContainerPaths } from './monitor.js';
import type { RuntimeBinary, RuntimeName } from './runtime-binary.js';
import { resizeConmonTty, type ConsoleSize } from './terminal.js';

/**
 * Removes a daemon's cgroup parent (`--cgroup-parent`, deepest component first) from every
 * hierarchy (`tetherd uninstall`); one still holding containers is refused by the kernel (EBUSY)
 * and stays.
 */
export async function removeCgroupParents(parent: string, root = '/sys/fs/cgroup'): Promise<string[]> {
  const parts = parent.split('/').filter(Boolean);
  const levels = parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
  const hierarchies = ['', ...(await readdir(root).catch(() => []))];
  const removed: string[] = [];
  for (const h of hierarchies) {
    for (const level of levels) {
      const dir = join(root, h, level);
      if (await rmdir(dir).then(() => true, () => false)) removed.push(dir);
    }
  }
  return removed;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface ContainerSpec {
  id: string;
  name: string;
  /** Defaults to the runtime the OciRuntime was built with first. */
  runtime?: RuntimeName;
  /** Image layer directories, base layer first. */
  layerDirs: readonly string[];
  process: BundleSpec['process'];
  hostname: string;
  network: BundleNetwork;
  etcFiles: BundleSpec['etcFiles'];
  /** Give the process a stdin that attach input reaches (docker -i, OpenStdin). */
  openStdin?: boolean;
  /** Close that stdin when the first attached client ends its input (StdinOnce). */
  stdinOnce?: boolean;
}

export type ContainerStatus = 'created' | 'running' | 'stopped';

export interface ContainerState {
  status: ContainerStatus;
  /** Init process pid on the host; 0 when not running. */
  pid: number;
  /** Set once the container has exited (conmon's exit file). */
  exitCode?: number;
}

export interface ExecOptions {
  /** Names the session's directory (hex). */
  execId: string;
  args: string[];
  env?: string[];
  cwd?: string;
  uid?: number;
  gid?: number;
  tty?: boolean;
  /** Initial terminal size with tty (the exec's ConsoleSize). */
  consoleSize?: ConsoleSize;
  /** Keep a pipe to the process's stdin (docker exec -i). */
  stdin?: boolean;
}

export interface RecoveredContainers {
  /** Containers whose monitor survived, with their init pids. */
  running: Map<string, number>;
  /** Containers whose monitor is gone: exit code if it was recorded. */
  exited: Map<string, number | undefined>;
}

export interface OciRuntimeOptions {
  kernel: Kernel;
  /** Available runtimes; the first is the default. */
  runtimes: readonly RuntimeBinary[];
  containersRoot: string;
  /** Parent for the runtimes' --root state directories (exec-root). */
  stateRoot: string;
  /** cgroup parent (--cgroup-parent): containers go to /<cgroupParent>/<id>. */
  cgroupParent: string;
}

const STOP_GRACE_AFTER_KILL_MS = 10_000;

export class OciRuntime {
  private readonly kernel: Kernel;
  private readonly runtimes: Map<RuntimeName, RuntimeBinary>;
  private readonly defaultRuntime: RuntimeBinary;

  constructor(private readonly opts: OciRuntimeOptions) {
    const first = opts.runtimes[0];
    if (!first) throw unavailable('no OCI runtime configured', 'runtime.missing');
    this.kernel = opts.kernel;
    this.defaultRuntime = first;
    this.runtimes = new Map(opts.runtimes.map((r) => [r.name, r]));
  }

  paths(id: string): ContainerPaths {
    if (!ID.test(id)) throw invalid(`invalid container id ${JSON.stringify(id)}`, 'container.id');
    return containerPaths(this.opts.containersRoot, id);
  }

  logPath(id: string): string {
    return this.paths(id).log;
  }

  /** Writes the bundle and runs `create` under conmon (which mounts the rootfs); returns the init pid. */
  async create(spec: ContainerSpec): Promise<number> {
    const p = this.paths(spec.id);
    const rt = spec.runtime ? this.runtime(spec.runtime) : this.defaultRuntime;
    for (const d of [p.rootfs, p.upper, p.work, p.exitDir, p.socketDir]) await mkdir(d, { recursive: true });
    try {
      await writeFile(p.runtimeFile, rt.name);
      await writeBundle(p.bundle, {
        rootfs: p.rootfs,
        hostname: spec.hostname,
        process: spec.process,
        network: spec.network,
        etcFiles: spec.etcFiles,
        cgroupsPath: `/${this.opts.cgroupParent}/${spec.id}`,
      });
      return await launchMonitor(this.kernel, {
        id: spec.id,
        name: spec.name,
        paths: p,
        runtimePath: rt.path,
        rootfs: { lowerDirs: [...spec.layerDirs].reverse(), upperDir: p.upper, workDir: p.work, target: p.rootfs },
        hideMount: rt.hideMount,
        runtimeArgs: this.globalArgs(rt),
        terminal: spec.process.terminal,
        stdin: spec.openStdin ?? false,
        stdinOnce: spec.stdinOnce ?? false,
      });
    } catch (e) {
      // Drop runtime state, but keep the directory: on a restart it holds the
      // writable layer. The engine's undo removes a container it was creating with delete().
      await this.teardown(spec.id, p);
      throw e;
    }
  }

  async start(id: string): Promise<void> {
    await this.runtimeCmd(id, ['start', id]);
  }

  /** Sends signal (a name like SIGTERM/TERM or a number) to the container's init process. */
  async kill(id: string, signal: string | number): Promise<void> {
    const st = await this.state(id);
    if (st.status !== 'running') throw conflict(`Container ${id} is not running`, 'container.notRunning');
    await this.runtimeCmd(id, ['kill', id, String(signalNumber(signal))]);
  }

  /** SIGTERM (or the image's stop signal), then SIGKILL after timeoutSec; resolves once exited. */
  async stop(id: string, timeoutSec: number, signal: string | number = 'SIGTERM'): Promise<number | undefined> {
    if ((await this.state(id)).status !== 'running') return readExitCode(this.paths(id), id);
    await this.kill(id, signal).catch(ignoreNotRunning);
    const graceful = await this.waitFor(id, timeoutSec * 1000);
    if (graceful !== undefined) return graceful;
    await this.kill(id, 'SIGKILL').catch(ignoreNotRunning);
    return this.waitFor(id, STOP_GRACE_AFTER_KILL_MS);
  }

  async state(id: string): Promise<ContainerState> {
    const p = this.paths(id);
    const name = await readFile(p.runtimeFile, 'utf8').catch(() => undefined);
    if (name === undefined) throw notFound(`No such container: ${id}`, 'container.notFound');
    const exitCode = await readExitCode(p, id);
    const r = await this.kernel.run([this.runtime(name).path, ...this.globalArgs(this.runtime(name)), 'state', id]);
    if (r.code !== 0) return { status: 'stopped', pid: 0, ...(exitCode === undefined ? {} : { exitCode }) };
    const s = JSON.parse(r.stdout) as { status?: string; pid?: number };
    const status: ContainerStatus = s.status === 'running' || s.status === 'created' ? s.status : 'stopped';
    return { status, pid: status === 'stopped' ? 0 : (s.pid ?? 0), ...(exitCode === undefined ? {} : { exitCode }) };
  }

  /** Resolves with the exit code when the container exits (at once if it already has). */
  wait(id: string, signal?: AbortSignal): Promise<number> {
    return waitForExitFile(this.paths(id), id, signal);
  }

  /** The container's output from its k8s-file log; with follow, until it exits or signal aborts. */
  async *logs(id: string, opts: { tail?: number; follow?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<LogEntry> {
    const stopWaiting = new AbortController();
    const until = opts.follow ? this.wait(id, stopWaiting.signal).catch(() => undefined) : undefined;
    try {
      yield* readLogs(this.paths(id).log, { ...opts, ...(until ? { until } : {}) });
    } finally {
      stopWaiting.abort();
    }
  }

  /** Removes the container completely; succeeds when it is already gone. */
  async delete(id: string): Promise<void> {
    const p = this.paths(id);
    await this.teardown(id, p);
    await rm(p.dir, { recursive: true, force: true });
  }

  /**
   * Undoes everything of a previous run but the container's writable layer and its log, so
   * create() can run it again (docker start of a stopped container, restart).
   */
  async resetForRestart(id: string): Promise<void> {
    const p = this.paths(id);
    // Never created (a first start): nothing to reset, and `<runtime> delete` would cost a process.
    if (!existsSync(p.runtimeFile)) return;
    await this.teardown(id, p);
    for (const f of [join(p.exitDir, id), p.pidFile, p.conmonPidFile]) await rm(f, { force: true });
  }

  /** Kills the process, drops the runtime's state, waits for conmon (the rootfs mount goes with it). */
  private async teardown(id: string, p: ContainerPaths): Promise<void> {
    const name = await readFile(p.runtimeFile, 'utf8').catch(() => this.defaultRuntime.name);
    const rt = this.runtimes.get(name as RuntimeName) ?? this.defaultRuntime;
    if ((await liveMonitorPid(p)) !== undefined) {
      await this.kernel.run([rt.path, ...this.globalArgs(rt), 'kill', id, String(constants.signals.SIGKILL)]);
      await this.waitFor(id, STOP_GRACE_AFTER_KILL_MS);
    }
    await this.kernel.run([rt.path, ...this.globalArgs(rt), 'delete', '--force', id]);
    await this.awaitMonitorGone(p);
  }

  /**
   * Runs a process in the running container under a conmon of its own (exec-session.ts): the
   * container's process settings with the exec's arguments, environment, directory and user.
   */
  async exec(id: string, o: ExecOptions): Promise<ExecProcess> {
    const p = this.paths(id);
    const name = await readFile(p.runtimeFile, 'utf8').catch(() => undefined);
    if (name === undefined) throw notFound(`No such container: ${id}`, 'container.notFound');
    if (!/^[0-9a-f]{12,64}$/.test(o.execId)) throw invalid(`invalid exec id ${JSON.stringify(o.execId)}`, 'exec.id');
    const rt = this.runtime(name);
    const config = JSON.parse(await readFile(join(p.bundle, 'config.json'), 'utf8')) as { process?: Record<string, unknown> & { env?: string[]; cwd?: string; user?: Record<string, unknown> } };
    const base = config.process ?? {};
    const { consoleSize: _unused, ...inherited } = base;
    const size = o.tty && o.consoleSize && o.consoleSize.rows > 0 && o.consoleSize.cols > 0 ? { height: o.consoleSize.rows, width: o.consoleSize.cols } : undefined;
    return startExecSession(this.kernel, {
      containerId: id,
      dir: join(p.dir, 'exec', o.execId.slice(0, 16)),
      runtimePath: rt.path,
      runtimeArgs: this.globalArgs(rt),
      tty: o.tty ?? false,
      stdin: o.stdin ?? false,
      process: {
        ...inherited,
        terminal: o.tty ?? false,
        ...(size ? { consoleSize: size } : {}),
        args: o.args,
        env: mergeEnv(base.env ?? [], o.env ?? []),
        cwd: o.cwd || base.cwd || '/',
        user: o.uid !== undefined ? { uid: o.uid, gid: o.gid ?? 0 } : (base.user ?? { uid: 0, gid: 0 }),
      },
    });
  }

  /**
   * Input for the container's stdin through conmon's attach socket (scripts/attach-relay.pl);
   * ending it ends the container's stdin when the container is StdinOnce. Only for a container
   * created with openStdin whose monitor runs; the caller closes it when done.
   */
  attachInput(id: string): AttachedInput {
    const child = this.kernel.launch(attachRelayArgv(this.paths(id).bundle, { tty: false }), { stdio: ['pipe', 'ignore', 'ignore'], dieWithDaemon: true });
    return {
      stdin: child.stdin,
      onError: (listener) => {
        child.on('error', listener); // the helper could not start
        child.stdin?.on('error', listener);
      },
      close: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill();
      },
    };
  }

  /** Resizes a running container's terminal (conmon's control FIFO); fails when none is running. */
  async resizeTty(id: string, size: ConsoleSize): Promise<void> {
    await resizeConmonTty(this.paths(id).bundle, size);
  }

  /** At daemon start: which containers still have their monitor, which exited while we were down. */
  async recover(): Promise<RecoveredContainers> {
    const running = new Map<string, number>();
    const exited = new Map<string, number | undefined>();
    const ids = await readdir(this.opts.containersRoot).catch(() => [] as string[]);
    for (const id of ids.filter((i) => ID.test(i))) {
      const p = this.paths(id);
      // An exit file says exited even while its monitor is still on its way out (a restart
      // removes the file first, resetForRestart).
      const code = await readExitCode(p, id);
      if (code === undefined && (await liveMonitorPid(p)) !== undefined) {
        const pid = Number((await readFile(p.pidFile, 'utf8').catch(() => '0')).trim());
        running.set(id, pid);
      } else {
        exited.set(id, code);
      }
    }
    return { running, exited };
  }

  private runtime(name: string): RuntimeBinary {
    const rt = this.runtimes.get(name as RuntimeName);
    if (!rt) throw unavailable(`OCI runtime ${name} is not available`, 'runtime.missing');
    return rt;
  }

  private globalArgs(rt: RuntimeBinary): string[] {
    return ['--root', `${this.opts.stateRoot}/${rt.name}`];
  }

  private async runtimeCmd(id: string, args: string[]): Promise<void> {
    const name = await readFile(this.paths(id).runtimeFile, 'utf8').catch(() => undefined);
    if (name === undefined) throw notFound(`No such container: ${id}`, 'container.notFound');
    const rt = this.runtime(name);
    const r = await this.kernel.run([rt.path, ...this.globalArgs(rt), ...args]);
    if (r.code !== 0) throw conflictOrInternal(`${rt.name} ${args[0]} ${id}: ${(r.stderr || r.stdout).trim()}`);
  }

  private async waitFor(id: string, ms: number): Promise<number | undefined> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), ms);
    try {
      return await this.wait(id, ac.signal);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** conmon exits right after the container; give it a moment, then make sure. */
  private async awaitMonitorGone(p: ContainerPaths): Promise<void> {
    for (let i = 0; i < 40; i++) {
      const pid = await liveMonitorPid(p);
      if (pid === undefined) return;
      if (i === 39) process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The container's environment with the exec's values on top (Docker's `exec -e` adds). */
function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const merged = new Map(base.map((e) => [e.split('=')[0], e]));
  for (const e of extra) merged.set(e.split('=')[0], e);
  return [...merged.values()];
}

function signalNumber(signal: string | number): number {
  if (typeof signal === 'number' || /^\d+$/.test(signal)) {
    const n = Number(signal);
    if (Number.isInteger(n) && n > 0 && n < 65) return n;
  } else {
    const name = (signal.startsWith('SIG') ? signal : `SIG${signal}`).toUpperCase() as NodeJS.Signals;
    const n = constants.signals[name];
    if (n !== undefined) return n;
  }
  throw invalid(`Invalid signal: ${signal}`, 'container.signal');
}

function conflictOrInternal(message: string): Error {
  return /not running|stopped|not in .created. state/.test(message) ? conflict(message, 'container.state') : internal(message);
}

function ignoreNotRunning(e: unknown): void {
  if ((e as { code?: string }).code !== 'container.notRunning' && (e as { code?: string }).code !== 'container.state') throw e;
}
