// docker exec under conmon, as Podman runs it (libpod/oci_conmon_exec_linux.go): one conmon per
// exec, `conmon --exec --exec-process-spec <session>/process.json --sync`, reporting on its sync
// pipe (fd 3) {"data": pid} once the process runs and {"data": exit code} once it has exited —
// or one {"data": -1, "message": …} when the runtime could not start it.
//
// Without a terminal conmon runs with `-l passthrough`: the process gets our pipes as its
// stdin, stdout and stderr, nothing sits in between. With a terminal conmon holds the terminal
// and serves it on its attach socket (SOCK_SEQPACKET), which scripts/attach-relay.pl bridges to
// our pipes; the relay starts conmon itself, to attach before the process starts (no output is
// lost), and resizes go to conmon's control FIFO in the session directory. Either way the process
// helper starts it tied to the daemon (dieWithDaemon) and the session directory goes at the end.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { ConsoleSize, ExecExit, ExecProcess } from './port.js';
import { execAttachArgv } from '../kernel/attach-relay.js';
import type { Kernel, SpawnedProcess } from '../kernel/kernel.js';
import { resizeConmonTty } from './terminal.js';

export interface ExecSessionLaunch {
  containerId: string;
  /** The session's directory: process.json, conmon's pid file, control FIFOs and attach socket. */
  dir: string;
  runtimePath: string;
  /** Global runtime options (e.g. --root DIR), passed before the subcommand. */
  runtimeArgs: readonly string[];
  /** The OCI process to run (the container's, with the exec's changes). */
  process: Record<string, unknown>;
  tty: boolean;
  stdin: boolean;
}

/** Kept while the process has not started: the runtime's reason, for the exit code. */
const MAX_FAILURE_TEXT = 4096;

export async function startExecSession(kernel: Kernel, l: ExecSessionLaunch): Promise<ExecProcess> {
  await mkdir(l.dir, { recursive: true, mode: 0o700 });
  const spec = join(l.dir, 'process.json');
  await writeFile(spec, JSON.stringify(l.process), { mode: 0o600 });
  const conmon = [
    'conmon',
    '--api-version', '1',
    '-c', l.containerId,
    '-u', basename(l.dir),
    '-r', l.runtimePath,
    '-b', l.dir,
    '-p', join(l.dir, 'pid'),
    ...l.runtimeArgs.flatMap((a) => ['--runtime-arg', a]),
    '--exec', '--exec-process-spec', spec,
    // One fork: conmon stays the process we started, so it dies with the daemon like the relay.
    '--sync',
  ];
  const argv = l.tty
    ? execAttachArgv(l.dir, { tty: true }, [...conmon, '-l', 'none', '--exec-attach', '--full-attach', '-t', ...(l.stdin ? ['-i'] : [])])
    : [...conmon, '-l', 'passthrough'];
  const child = kernel.launch(argv, {
    stdio: [l.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { _OCI_SYNCPIPE: '3' },
    dieWithDaemon: true,
  });
  return new ConmonExec(child, l.dir, l.tty, String((l.process['args'] as unknown[] | undefined)?.[0] ?? ''));
}

class ConmonExec implements ExecProcess {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly started: Promise<number>;
  readonly exited: Promise<ExecExit>;

  constructor(
    child: SpawnedProcess,
    private readonly dir: string,
    private readonly tty: boolean,
    command: string,
  ) {
    this.stdin = child.stdin;
    this.stdout = child.stdout;
    // Read through a copy: a listener of ours on the original would make it flow (and end)
    // before the caller has attached its own.
    this.stderr = child.stderr ? child.stderr.pipe(new PassThrough()) : null;
    this.stdin?.on('error', () => undefined); // the process closed its stdin: the rest is dropped
    let pid = 0;
    let code: number | undefined;
    let message: string | undefined;
    let failureText = '';
    let onStarted: (pid: number) => void = () => undefined;
    this.started = new Promise((resolve) => (onStarted = resolve));
    // Without a terminal the runtime's complaint goes to the process's stderr (our pipe).
    child.stderr?.on('data', (d: Buffer) => {
      if (pid === 0 && failureText.length < MAX_FAILURE_TEXT) failureText += d.toString('utf8');
    });
    const sync = child.stdio[3] as Readable | null;
    let pending = '';
    sync?.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let msg: { data?: unknown; message?: unknown };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          continue;
        }
        const data = typeof msg.data === 'number' ? msg.data : undefined;
        if (typeof msg.message === 'string') message = msg.message;
        if (pid === 0 && data !== undefined && data > 0 && message === undefined) {
          pid = data;
          onStarted(pid);
        } else if (pid !== 0 && data !== undefined && data >= 0) {
          code = data;
        }
      }
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
        onStarted(0);
        const exit = (): ExecExit => {
          if (pid !== 0) return { code: code ?? exitCode ?? (signal ? 128 : 255) };
          // Docker's codes: 127 for a command that is not there, 126 for one that cannot run.
          const notFound = /not found|no such file/i.test(message ?? failureText);
          // crun with a terminal writes its reason onto the terminal it then fails to hand over.
          const error = message ?? (this.tty ? `OCI runtime exec failed: cannot start ${JSON.stringify(command)}` : undefined);
          return { code: notFound ? 127 : 126, ...(error !== undefined ? { error } : {}) };
        };
        void rm(this.dir, { recursive: true, force: true }).then(
          () => resolve(exit()),
          () => resolve(exit()),
        );
      });
    });
  }

  async resize(size: ConsoleSize): Promise<void> {
    if (!this.tty) return;
    await resizeConmonTty(this.dir, size).catch(() => undefined); // not there yet, or gone
  }
}
