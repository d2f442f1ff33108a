// Processes started by a small helper (scripts/spawner.pl) instead of by the daemon itself.
// libuv starts a child with fork(): the daemon's page tables and file table are copied and its
// event loop waits until the child has exec'd. That cost grows with the daemon — 2.4 ms per
// spawn with no container, 5.4 ms with 1000 (six spawns per container start) — so the start
// of the thousandth container was ~20 ms slower than the first. The helper is forked once,
// while the daemon is small, and stays small: its forks cost the same at any scale.
//
// A SpawnedProcess behaves like the parts of ChildProcess the kernel layer uses: stdio streams
// (stdin writable, the others readable), pid, kill, and the 'exit' / 'close' / 'error' events.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { internal } from '../errors.js';
import { scriptPath } from '../script-path.js';

export type Fd = 'pipe' | 'ignore';

export interface LaunchOptions {
  /** Descriptors 0..n of the child: a pipe to us, or /dev/null. Default: three pipes. */
  stdio?: readonly Fd[];
  /** Added to the daemon's environment (which the child gets otherwise unchanged). */
  env?: Readonly<Record<string, string>>;
  /** A session of its own, so it outlives the daemon (a container's monitor). */
  detached?: boolean;
  /** Killed by the kernel when the helper ends, i.e. with the daemon (a long-lived watcher). */
  dieWithDaemon?: boolean;
}

export class SpawnedProcess extends EventEmitter {
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdio: Array<Readable | Writable | null>;
  private open = new Set<number>();
  private exited = false;
  private closed = false;

  constructor(
    private readonly id: number,
    stdio: readonly Fd[],
    private readonly send: (line: string) => void,
  ) {
    super();
    this.stdio = stdio.map((kind, fd) => {
      if (kind !== 'pipe') return null;
      if (fd === 0) {
        return new Writable({
          write: (chunk: Buffer, _enc, cb) => {
            if (chunk.length) this.send(`W ${id} ${chunk.toString('hex')}`);
            cb();
          },
          final: (cb) => {
            this.send(`C ${id}`);
            cb();
          },
        });
      }
      this.open.add(fd);
      const r = new Readable({ read() {} });
      // Dropped by its reader before the end (a monitor's pipes once it reported): close our end.
      r.once('close', () => {
        if (this.open.delete(fd)) this.send(`D ${id} ${fd}`);
        this.maybeClose();
      });
      return r;
    });
  }

  get stdin(): Writable | null {
    return this.stdio[0] as Writable | null;
  }
  get stdout(): Readable | null {
    return (this.stdio[1] ?? null) as Readable | null;
  }
  get stderr(): Readable | null {
    return (this.stdio[2] ?? null) as Readable | null;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.pid !== undefined && !this.exited) this.send(`K ${this.id} ${constants.signals[signal]}`);
  }

  /** One message of the helper about this child. */
  onMessage(op: string, f: string[]): void {
    if (op === 'P') {
      this.pid = Number(f[0]);
      this.emit('spawn');
    } else if (op === 'E') {
      this.fail(internal(Buffer.from(f[0] === '-' ? '' : f[0]!, 'hex').toString() || 'cannot start'));
    } else if (op === 'O') {
      (this.stdio[Number(f[0])] as Readable | null)?.push(Buffer.from(f[1]!, 'hex'));
    } else if (op === 'Z') {
      const fd = Number(f[0]);
      (this.stdio[fd] as Readable | null)?.push(null);
      this.open.delete(fd);
      this.maybeClose();
    } else if (op === 'X') {
      this.exited = true;
      this.exitCode = f[0] === '-' ? null : Number(f[0]);
      const sig = f[1] === '-' ? undefined : Number(f[1]);
      this.signalCode = (Object.entries(constants.signals).find(([, n]) => n === sig)?.[0] as NodeJS.Signals | undefined) ?? null;
      this.emit('exit', this.exitCode, this.signalCode);
      this.maybeClose();
    }
  }

  /** Could not start, or the helper died: as ChildProcess, 'error' then 'close'. */
  fail(e: Error): void {
    if (this.closed) return;
    this.exited = true;
    this.emit('error', e);
    for (const s of this.stdio) s?.destroy();
    this.open.clear();
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.closed || !this.exited || this.open.size > 0) return;
    this.closed = true;
    this.emit('close', this.exitCode, this.signalCode);
  }
}

const hex = (s: string): string => (s.length ? Buffer.from(s).toString('hex') : '-');

/** The helper process and the children it runs for us. */
export class Spawner {
  private helper: ChildProcess | undefined;
  private readonly children = new Map<number, SpawnedProcess>();
  private nextId = 1;
  private buffered = '';

  launch(argv: readonly string[], opts: LaunchOptions = {}): SpawnedProcess {
    if (argv.length === 0) throw internal('spawn: empty argv');
    const stdio = opts.stdio ?? ['pipe', 'pipe', 'pipe'];
    const id = this.nextId++;
    const helper = this.ensure();
    const child = new SpawnedProcess(id, stdio, (line) => helper.stdin?.write(`${line}\n`));
    this.children.set(id, child);
    this.retain();
    child.once('close', () => {
      this.children.delete(id);
      this.retain();
    });
    const env = opts.env ? `+${Object.entries(opts.env).map(([k, v]) => hex(`${k}=${v}`)).join(',')}` : '-';
    const fds = stdio.map((k) => (k === 'pipe' ? 'p' : 'n')).join('');
    const flags = `${opts.detached ? 'd' : ''}${opts.dieWithDaemon ? 'k' : ''}` || '-';
    helper.stdin?.write(`S ${id} ${flags} ${fds} ${argv.map(hex).join(',')} ${env}\n`);
    return child;
  }

  private ensure(): ChildProcess {
    if (this.helper) return this.helper;
    // The daemon's one fork of its own, made once.
    const helper = spawn('perl', [scriptPath('spawner.pl')], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.helper = helper;
    helper.stdout?.setEncoding('utf8').on('data', (d: string) => this.receive(d));
    helper.stdin?.on('error', () => undefined); // its death is reported below
    const gone = (why: string): void => {
      if (this.helper !== helper) return;
      this.helper = undefined;
      this.buffered = '';
      for (const c of [...this.children.values()]) c.fail(internal(`process helper ${why}`));
    };
    helper.on('error', (e) => gone(`cannot start: ${e.message}`));
    helper.on('exit', (code, signal) => gone(`exited (${signal ?? code})`));
    return helper;
  }

  private receive(d: string): void {
    this.buffered += d;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const [op, id, ...f] = this.buffered.slice(0, nl).split(' ');
      this.buffered = this.buffered.slice(nl + 1);
      this.children.get(Number(id))?.onMessage(op!, f);
    }
  }

  /** The helper keeps the daemon's event loop alive only while children of ours are running. */
  private retain(): void {
    const h = this.helper;
    if (!h) return;
    const busy = this.children.size > 0;
    for (const s of [h.stdin, h.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (busy) s?.ref?.();
      else s?.unref?.();
    }
    if (busy) h.ref();
    else h.unref();
  }
}
