// The container half of the fake Engine: create/list/inspect/start/stop/kill/restart/rm/
// rename/wait/prune, attach (hijacked), logs and exec, answering with dockerd 20.10's status
// codes, messages and JSON shapes from the reference traces. Processes are simulated by
// fake-script.ts; everything is deterministic (ids from names, fixed timestamps).

import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { encode, interpret, type Chunk } from './fake-script.js';
import { containerJSON, containerSummary, type FakeContainer } from './fake-views.js';

export interface Reply {
  send(status: number, payload?: unknown): void;
  fail(status: number, message: string): void;
  /** Start a streamed 200 answer (headers flushed now, body later). */
  open(contentType?: string): http.ServerResponse;
}

const CREATED = '2020-01-01T00:00:00.000000000Z';
const ts = 'STARTED_AT';
const UPGRADE_HEAD =
  'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';

interface Exec {
  id: string;
  container: FakeContainer;
  argv: string[];
  tty: boolean;
  exitCode: number;
  running: boolean;
}

export class FakeContainers {
  readonly list: FakeContainer[] = [];
  private readonly execs = new Map<string, Exec>();
  private seq = 0;

  constructor(
    private readonly networkExists: (name: string) => boolean,
    private readonly imageExists: (ref: string) => { Id: string } | undefined,
  ) {}

  find(ref: string): FakeContainer | undefined {
    return (
      this.list.find((c) => c.Id === ref || c.Name === `/${ref}` || c.Name === ref) ??
      this.list.find((c) => ref.length > 0 && c.Id.startsWith(ref))
    );
  }

  /** A container created as if earlier (tests' fixtures). */
  add(name: string, config: Record<string, unknown>, hostConfig: Record<string, unknown> = {}, run = true): FakeContainer {
    const c = this.make(name, { Image: 'busybox:latest', ...config }, { NetworkMode: 'default', ...hostConfig });
    if (run) this.start(c);
    return c;
  }

  private make(name: string, config: Record<string, unknown>, hostConfig: Record<string, unknown>): FakeContainer {
    const id = createHash('sha256').update(`ctr:${name}:${this.seq++}`).digest('hex');
    const image = this.imageExists(String(config.Image)) ?? { Id: 'sha256:' + '0'.repeat(64) };
    const c: FakeContainer = {
      Id: id,
      Name: `/${name || `fake_${this.seq}`}`,
      Created: CREATED,
      ImageId: image.Id,
      Config: config,
      HostConfig: hostConfig,
      State: { Status: 'created', Running: false, ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
      logs: [],
      attached: [],
      waiters: [],
      stdin: undefined,
    };
    this.list.unshift(c);
    return c;
  }

  private argv(c: FakeContainer): string[] {
    return [...((c.Config.Entrypoint as string[] | null) ?? []), ...((c.Config.Cmd as string[] | null) ?? [])];
  }

  /** Run the container's script; returns a start error message, if any. */
  private start(c: FakeContainer): string | undefined {
    const net = String(c.HostConfig.NetworkMode ?? 'default');
    if (!['default', 'bridge', 'host', 'none'].includes(net) && !net.startsWith('container:') && !this.networkExists(net)) {
      return `network ${net} not found`;
    }
    const outcome = interpret(this.argv(c));
    if (outcome.startError) {
      c.State = { ...c.State, Status: 'created', ExitCode: 127, Error: outcome.startError };
      return outcome.startError;
    }
    c.State = { ...c.State, Status: 'running', Running: true, ExitCode: 0, StartedAt: ts };
    const tty = c.Config.Tty === true;
    const emit = (ch: Chunk): void => {
      c.logs.push(ch);
      for (const a of c.attached) if ((ch.stream === 1 ? a.stdout : a.stderr) || tty) a.socket.write(encode(ch, tty));
    };
    const finish = (): void => {
      if (outcome.exitCode !== undefined) setTimeout(() => this.exit(c, outcome.exitCode as number), 5);
    };
    setImmediate(() => {
      for (const ch of outcome.chunks) {
        if (ch !== 'stdin') emit(ch);
        else if (c.stdin) {
          // `cat`: echo what the attached client sends once it half-closes.
          const input = c.stdin;
          void input.then((data) => {
            if (data.length) emit({ stream: 1, data: data.toString() });
            finish();
          });
          return;
        }
      }
      finish();
    });
    return undefined;
  }

  private exit(c: FakeContainer, code: number): void {
    c.State = { ...c.State, Status: 'exited', Running: false, ExitCode: code, FinishedAt: ts };
    for (const a of c.attached) a.socket.end();
    c.attached = [];
    c.stdin = undefined;
    const body = JSON.stringify({ Error: null, StatusCode: code }) + '\n';
    const remove = c.HostConfig.AutoRemove === true;
    if (remove) this.list.splice(this.list.indexOf(c), 1);
    // Docker reports the exit after the attach streams are closed.
    setTimeout(() => {
      for (const w of c.waiters) if (w.condition !== 'removed' || remove) w.res.end(body);
      c.waiters = c.waiters.filter((w) => w.condition === 'removed' && !remove);
    }, 5);
  }

  private stopNow(c: FakeContainer, code = 137): void {
    if (c.State.Running) this.exit(c, code);
  }

  handle(method: string, route: string, url: URL, body: string, reply: Reply): boolean {
    const q = (k: string): string | null => url.searchParams.get(k);
    if (method === 'POST' && route === '/containers/create') {
      const req = JSON.parse(body) as Record<string, unknown> & { HostConfig?: Record<string, unknown> };
      const name = q('name') ?? '';
      const clash = name && this.find(name);
      if (clash && clash.Name === `/${name}`) {
        reply.fail(409, `Conflict. The container name "/${name}" is already in use by container "${clash.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
        return true;
      }
      if (!this.imageExists(String(req.Image))) {
        reply.fail(404, `No such image: ${String(req.Image).includes(':') ? req.Image : `${req.Image}:latest`}`);
        return true;
      }
      const { HostConfig: hostConfig = {}, NetworkingConfig: _n, ...config } = req;
      const c = this.make(name, config, hostConfig);
      const warnings =
        hostConfig.NetworkMode === 'host' && Object.keys((hostConfig.PortBindings as object) ?? {}).length
          ? ['Published ports are discarded when using host network mode']
          : [];
      reply.send(201, { Id: c.Id, Warnings: warnings });
      return true;
    }
    if (method === 'GET' && route === '/containers/json') {
      const filters = JSON.parse(q('filters') ?? '{}') as Record<string, Record<string, boolean>>;
      const want = (k: string): string[] => Object.keys(filters[k] ?? {});
      let rows = this.list.filter(
        (c) =>
          (q('all') === '1' || c.State.Running) &&
          want('name').every((n) => c.Name.includes(n)) &&
          want('status').every((s) => c.State.Status === s) &&
          want('id').every((i) => c.Id.startsWith(i)) &&
          want('label').every((l) => {
            const [k, v] = l.split('=') as [string, string | undefined];
            const labels = (c.Config.Labels as Record<string, string> | undefined) ?? {};
            return k in labels && (v === undefined || labels[k] === v);
          }),
      );
      if (q('limit')) rows = rows.slice(0, Number(q('limit')));
      reply.send(200, rows.map((c) => containerSummary(c, q('size') === '1')));
      return true;
    }
    if (method === 'POST' && route === '/containers/prune') {
      const gone = this.list.filter((c) => !c.State.Running);
      for (const c of gone) this.list.splice(this.list.indexOf(c), 1);
      reply.send(200, { ContainersDeleted: gone.length ? gone.map((c) => c.Id) : null, SpaceReclaimed: 0 });
      return true;
    }
    const ex = /^\/exec\/([^/]+)\/json$/.exec(route);
    if (ex && method === 'GET') {
      const e = this.execs.get(ex[1] as string);
      if (!e) reply.fail(404, `No such exec instance: ${ex[1]}`);
      else reply.send(200, execJSON(e));
      return true;
    }
    const m = /^\/containers\/([^/]+)(?:\/([a-z]+))?$/.exec(route);
    if (!m) return false;
    const [, ref, action = ''] = m as unknown as [string, string, string | undefined];
    const c = this.find(ref);
    if (!c) {
      reply.fail(404, `No such container: ${ref}`);
      return true;
    }
    return this.act(c, ref, method, action, q, body, reply);
  }

  private act(
    c: FakeContainer,
    ref: string,
    method: string,
    action: string,
    q: (k: string) => string | null,
    body: string,
    reply: Reply,
  ): boolean {
    const key = `${method} ${action}`;
    if (key === 'GET json') return reply.send(200, containerJSON(c)), true;
    if (key === 'POST start') {
      if (c.State.Running) return reply.send(304), true;
      const err = this.start(c);
      if (err) reply.fail(err.startsWith('network') ? 404 : 400, err);
      else reply.send(204);
      return true;
    }
    if (key === 'POST stop' || key === 'POST restart') {
      if (!c.State.Running && key === 'POST stop') return reply.send(304), true;
      this.stopNow(c);
      if (key === 'POST restart') setTimeout(() => this.start(c), 10);
      setTimeout(() => reply.send(204), 15);
      return true;
    }
    if (key === 'POST kill') {
      if (!c.State.Running) return reply.fail(409, `Cannot kill container: ${ref}: Container ${c.Id} is not running`), true;
      const sig = q('signal') ?? 'KILL';
      const codes: Record<string, number> = { KILL: 137, SIGKILL: 137, '9': 137, HUP: 129, INT: 130, TERM: 143 };
      if (codes[sig] !== undefined) this.stopNow(c, codes[sig]);
      reply.send(204);
      return true;
    }
    if (key === 'DELETE ') {
      if (c.State.Running && q('force') !== '1') {
        reply.fail(409, `You cannot remove a running container ${c.Id}. Stop the container before attempting removal or force remove`);
        return true;
      }
      this.stopNow(c);
      this.list.splice(this.list.indexOf(c), 1);
      const body = JSON.stringify({ Error: null, StatusCode: c.State.ExitCode }) + '\n';
      for (const w of c.waiters) w.res.end(body);
      reply.send(204);
      return true;
    }
    if (key === 'POST rename') {
      const name = q('name') ?? '';
      const other = this.find(name);
      if (other && other.Name === `/${name}`) {
        reply.fail(409, `Conflict. The container name "/${name}" is already in use by container "${other.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
        return true;
      }
      c.Name = `/${name}`;
      reply.send(204);
      return true;
    }
    if (key === 'POST wait') {
      const condition = q('condition') ?? 'not-running';
      const res = reply.open('application/json');
      if (condition === 'not-running' && !c.State.Running) res.end(JSON.stringify({ Error: null, StatusCode: c.State.ExitCode }) + '\n');
      else c.waiters.push({ condition, res });
      return true;
    }
    if (key === 'POST resize') return reply.send(200), true;
    if (key === 'GET logs') {
      const tty = c.Config.Tty === true;
      const tail = q('tail') ?? 'all';
      const logs = tail === 'all' ? c.logs : c.logs.slice(Math.max(0, c.logs.length - Number(tail)));
      const stamp = q('timestamps') === '1' ? '2020-01-01T00:00:01.000000000Z ' : '';
      const res = reply.open();
      for (const l of logs) res.write(encode({ ...l, data: stamp + l.data }, tty));
      res.end();
      return true;
    }
    if (key === 'POST exec') {
      if (!c.State.Running) return reply.fail(409, `Container ${c.Id} is not running`), true;
      const req = JSON.parse(body) as { Cmd: string[]; Tty: boolean };
      const id = createHash('sha256').update(`exec:${c.Id}:${this.execs.size}`).digest('hex');
      this.execs.set(id, { id, container: c, argv: req.Cmd, tty: req.Tty, exitCode: 0, running: false });
      reply.send(201, { Id: id });
      return true;
    }
    return false;
  }

  /** Hijacked endpoints: POST /containers/{id}/attach and POST /exec/{id}/start. */
  upgrade(route: string, url: URL, body: string, socket: Duplex): boolean {
    const attach = /^\/containers\/([^/]+)\/attach$/.exec(route);
    if (attach) {
      const c = this.find(attach[1] as string);
      if (!c) return false;
      socket.write(UPGRADE_HEAD);
      const on = (k: string): boolean => url.searchParams.get(k) === '1';
      c.attached.push({ socket, stdout: on('stdout'), stderr: on('stderr') });
      if (on('stdin')) {
        const chunks: Buffer[] = [];
        c.stdin = new Promise((resolve) => {
          socket.on('data', (d: Buffer) => chunks.push(d));
          socket.on('end', () => resolve(Buffer.concat(chunks)));
        });
      } else socket.resume();
      return true;
    }
    const start = /^\/exec\/([^/]+)\/start$/.exec(route);
    const e = start && this.execs.get(start[1] as string);
    if (!e) return false;
    socket.write(UPGRADE_HEAD);
    const outcome = interpret(e.argv);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    const run = (): void => {
      for (const ch of outcome.chunks) {
        if (ch === 'stdin') {
          const data = Buffer.concat(chunks).toString();
          if (data) socket.write(encode({ stream: 1, data }, e.tty));
        } else socket.write(encode(ch, e.tty));
      }
      e.exitCode = outcome.startError ? 126 : (outcome.exitCode ?? 0);
      socket.end();
    };
    if (outcome.chunks.includes('stdin')) socket.on('end', run);
    else {
      socket.resume();
      setImmediate(run);
    }
    void body;
    return true;
  }

  /** POST /exec/{id}/start with Detach: the command runs in the background. */
  startDetached(route: string, reply: Reply): boolean {
    const start = /^\/exec\/([^/]+)\/start$/.exec(route);
    const e = start && this.execs.get(start[1] as string);
    if (!e) return false;
    reply.send(200);
    return true;
  }
}

function execJSON(e: Exec): unknown {
  const [entrypoint, ...args] = e.argv;
  return {
    ID: e.id,
    Running: false,
    ExitCode: e.exitCode,
    ProcessConfig: { tty: e.tty, entrypoint, arguments: args, privileged: false },
    OpenStdin: false,
    OpenStderr: true,
    OpenStdout: true,
    CanRemove: false,
    ContainerID: e.container.Id,
    DetachKeys: '',
    Pid: 4242,
  };
}
