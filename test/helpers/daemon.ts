// Starts the real tetherd inside a test host's namespace (nsenter, not `ip netns exec`, which
// remounts /sys), with its own data root, exec root, socket and nft table, and talks to it over
// the socket like the docker CLI does.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ownedProcesses } from '../../src/kernel/owner.js';
import type { TestHost } from './testhost.js';

/** The launcher (node flags included); it execs dist/src/cmd/tetherd.js in place. */
const TETHERD = resolve(import.meta.dirname, '../../../scripts/tetherd');

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // tests poke at Docker JSON
}

export interface TestDaemon {
  socket: string;
  dataRoot: string;
  execRoot: string;
  process: ChildProcess;
  log(): string;
  waitForLog(re: RegExp, timeoutMs?: number): Promise<void>;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** Network namespaces the daemon holds open (`net:[inode]`): its sandboxes, ready or in use. */
  heldNamespaces(): string[];
  /** SIGKILL, as a crash. */
  kill9(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

export function apiCall(socket: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<ApiResponse>((resolveP, reject) => {
    const req = request(
      // A connection of its own per call: a pooled one can be closed by the server (its 5 s idle
      // timeout) just as the next call writes on it (EPIPE), which two suites at once made
      // frequent. Kept alive all the same, so the server drains a body it refused early.
      { socketPath: socket, agent, method, path, headers: { ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolveP({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.end(payload);
    else req.end();
  }).finally(() => agent.destroy());
}

export interface DaemonRoots {
  dataRoot: string;
  execRoot: string;
  /** Default: tether.sock in the test host's directory. */
  socket?: string;
}

/** Starts tetherd in the test host without waiting for it (startDaemon waits until it answers). */
export function spawnDaemon(host: TestHost, extraArgs: string[] = [], roots?: DaemonRoots, env: Record<string, string> = {}): { child: ChildProcess; socket: string; dataRoot: string; execRoot: string } {
  const dataRoot = roots?.dataRoot ?? join(host.dir, 'data');
  const execRoot = roots?.execRoot ?? join(host.dir, 'exec');
  const socket = roots?.socket ?? join(host.dir, 'tether.sock');
  const args = [
    `--net=${host.nsPath}`, '--', TETHERD,
    '-H', `unix://${socket}`, '--data-root', dataRoot, '--exec-root', execRoot,
    '--config-file', join(host.dir, 'no-daemon.json'),
    // Containers' cgroups under a parent of this test host's own, removed with it.
    ...(extraArgs.includes('--cgroup-parent') ? [] : ['--cgroup-parent', host.name]),
    // Names the containers cannot resolve must fail here, never query the machine's resolvers.
    ...(extraArgs.includes('--dns') ? [] : ['--dns', '127.0.0.1']),
    ...extraArgs,
  ];
  const child = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  return { child, socket, dataRoot, execRoot };
}

export async function startDaemon(
  host: TestHost,
  extraArgs: string[] = [],
  reuse?: DaemonRoots,
  env: Record<string, string> = {},
): Promise<TestDaemon> {
  const { child, socket, dataRoot, execRoot } = spawnDaemon(host, extraArgs, reuse, env);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopping = false;
  // A daemon that dies on its own fails every later call with a bare EOF: say why, once.
  child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`\ntetherd (${socket}) exited unexpectedly (${code ?? signal}); its log ends:\n${output.split('\n').slice(-40).join('\n')}\n`);
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tetherd exited ${child.exitCode}: ${output}`);
    if (existsSync(socket)) {
      try {
        const r = await apiCall(socket, 'GET', '/_ping');
        if (r.status === 200) break;
      } catch {
        /* not listening yet */
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tetherd did not become ready: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socket,
    waitForLog: async (re: RegExp, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      while (!re.test(output)) {
        if (Date.now() > until) throw new Error(`log never matched ${re}: ${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    dataRoot,
    execRoot,
    process: child,
    log: () => output,
    api: (method, path, body, headers) => apiCall(socket, method, path, body, headers),
    heldNamespaces: () => heldNamespaces(child.pid!),
    async kill9() {
      stopping = true;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      stopping = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** nsenter execs tetherd in place, so the child's pid is the daemon's. */
function heldNamespaces(pid: number): string[] {
  const held: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith('net:')) held.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return held;
}

/**
 * Network namespaces that the daemon or any process it started (the owner mark) holds open,
 * other than the one each runs in: namespaces are judged by who holds them, since their inode
 * numbers are reused as soon as they are freed.
 */
export function namespacesHeldBy(d: TestDaemon): Set<string> {
  const held = new Set<string>();
  for (const pid of [d.process.pid!, ...ownedProcesses(d.execRoot).map((p) => p.pid)]) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('net:')) held.add(target);
      }
    } catch {
      // gone meanwhile
    }
  }
  return held;
}

/** The namespace a process is in, in the form heldNamespaces() lists. */
export function namespaceOf(pid: number): string {
  return readlinkSync(`/proc/${pid}/ns/net`);
}

/**
 * Processes the daemon with this exec root started and left running, other than containers and
 * their monitors (conmon, and what runs in a container's cgroup below cgroupParent, outlive
 * tetherd on purpose; a container created but not started waits there for its start): once that
 * daemon is dead, each must notice and leave. Judged by the owner mark (kernel/owner.ts), so
 * only this test's daemon is looked at, never another test's or another run's.
 */
export function helpersOf(execRoot: string, cgroupParent: string): string[] {
  const underMonitor = (pid: number): boolean => {
    for (let p = pid; p > 1; ) {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'conmon') return true;
      p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    }
    return false;
  };
  const inContainer = (pid: number): boolean => readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/${cgroupParent}/`);
  return ownedProcesses(execRoot)
    .filter((p) => {
      try {
        return !underMonitor(p.pid) && !inContainer(p.pid);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map((p) => `${p.pid} ${p.cmdline}`);
}

/** Polls until cond() holds (it may ask asynchronously); fails with what() after timeoutMs. */
export async function waitFor(what: () => string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
