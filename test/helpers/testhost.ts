// A "test host": a network namespace the test creates, so the daemon under test and everything it
// builds (bridges, veths, nft tables) live there and vanish with it. Names carry a per-run prefix
// so two runs never collide and a leftover from a killed run is recognisable and removable.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_VAR } from '../../src/kernel/owner.js';

// tt<pid in decimal><kind letters><seq>: decimal pid so a later run can parse it back.
export const RUN_PREFIX = `tt${process.pid}`;
let seq = 0;

export interface TestHost {
  name: string;
  nsPath: string;
  /** Temporary directory for this host's state (data root, exec root, sockets). */
  dir: string;
  /** Runs argv inside the host namespace, returns stdout; throws on non-zero exit. */
  sh(argv: string[], input?: string): string;
  /** Runs argv inside the host namespace, never throws. */
  try(argv: string[], input?: string): { code: number; stdout: string; stderr: string };
  dispose(): void;
}

export function uniqueName(kind: string): string {
  seq += 1;
  return `${RUN_PREFIX}${kind}${seq}`.slice(0, 15);
}

/** Creates `/run/netns/<name>` with loopback up. */
export function createTestHost(kind = 'h'): TestHost {
  removeStaleHosts();
  const name = uniqueName(kind);
  execFileSync('ip', ['netns', 'add', name]);
  const nsPath = `/run/netns/${name}`;
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const tryRun = (argv: string[], input?: string) => {
    const r = spawnSync('nsenter', [`--net=${nsPath}`, '--', ...argv], { input, encoding: 'utf8' });
    return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  tryRun(['ip', 'link', 'set', 'lo', 'up']);
  return {
    name,
    nsPath,
    dir,
    sh(argv, input) {
      const r = tryRun(argv, input);
      if (r.code !== 0) throw new Error(`${argv.join(' ')} (in ${name}): exit ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    try: tryRun,
    dispose() {
      killContainersUnder(dir);
      unmountUnder(dir);
      spawnSync('ip', ['netns', 'del', name]);
      removeCgroupTree(name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Containers outlive their daemon (conmon keeps them, as in Docker's live restore), and a killed
 * daemon's helpers may still be on their way out: a test that stopped its daemon must kill them.
 * `<runtime> delete --force` for every container state directory below dir, then every process
 * naming dir or carrying the owner mark of an exec root below it (kernel/owner.ts).
 */
export function killContainersUnder(dir: string): void {
  for (const rt of ['crun', 'runc']) {
    const root = join(dir, 'exec', 'runtime', rt);
    if (!existsSync(root)) continue;
    for (const id of readdirSync(root)) spawnSync(rt, ['--root', root, 'delete', '--force', id]);
  }
  killProcesses((cmdline, owner) => cmdline.includes(dir) || owner.startsWith(`${dir}/`));
}

/** SIGKILLs every process that matches (by command line or owner mark), and its children. */
function killProcesses(match: (cmdline: string, owner: string) => boolean): void {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number);
  const parentOf = new Map<number, number>();
  const victims = new Set<number>();
  for (const pid of procs) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parentOf.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const owner = env.find((v) => v.startsWith(`${OWNER_VAR}=`))?.slice(OWNER_VAR.length + 1) ?? '';
      if (pid !== process.pid && match(cmdline, owner)) victims.add(pid);
    } catch {
      /* gone meanwhile */
    }
  }
  for (const [pid, ppid] of parentOf) if (victims.has(ppid)) victims.add(pid);
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

const CGROUPS = '/sys/fs/cgroup';

/** The cgroup2 root and every v1 hierarchy (hybrid hosts have both). */
function cgroupHierarchies(): string[] {
  return [CGROUPS, ...readdirSync(CGROUPS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(CGROUPS, e.name))];
}

/**
 * Removes the cgroup parent a test host's daemon used (`--cgroup-parent <host name>`) from every
 * hierarchy, its leftover container cgroups first. A killed process leaves its cgroup a moment
 * later, so an EBUSY is retried until a deadline.
 */
function removeCgroupTree(parent: string): void {
  const hierarchies = cgroupHierarchies().map((h) => join(h, parent)).filter((d) => existsSync(d));
  const removeBelow = (d: string): boolean => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory() && !removeBelow(join(d, e.name))) return false;
    try {
      rmdirSync(d);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT';
    }
  };
  const until = Date.now() + 5000;
  for (const d of hierarchies) {
    while (existsSync(d) && !removeBelow(d) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** Mount points at or below dir in our mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything mounted below dir (netns bind mounts). */
export function unmountUnder(dir: string): void {
  for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m]);
}

/**
 * A killed run leaves namespaces named tt<pid>…; remove those whose pid no longer exists, so a
 * leftover is harmless to the next run.
 */
function removeStaleHosts(): void {
  // Helpers, monitors and containers of dead runs, even when their directory is already gone.
  const ofDeadRun = (text: string): boolean => {
    const m = /\/tt(\d+)[a-z]+\d+-/.exec(text);
    return m !== null && !text.includes(`/${RUN_PREFIX}`) && !processAlive(Number(m[1]));
  };
  killProcesses((cmdline, owner) => ofDeadRun(cmdline) || ofDeadRun(owner));
  // Their state directories: containers, mounts, files.
  for (const entry of readdirSync(tmpdir())) {
    const m = /^tt(\d+)[a-z]+\d+-/.exec(entry);
    if (!m || entry.startsWith(`${RUN_PREFIX}`) || processAlive(Number(m[1]))) continue;
    const dir = join(tmpdir(), entry);
    killContainersUnder(dir);
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  // Test hosts' names, and the runtime unit tests' own cgroup parents (tether-test-<pid>).
  const deadRunName = (name: string): boolean => {
    const m = /^tt(\d+)[a-z]+\d+$/.exec(name) ?? /^tether-test-(\d+)$/.exec(name);
    return m !== null && !name.startsWith(RUN_PREFIX) && !processAlive(Number(m[1]));
  };
  for (const h of cgroupHierarchies()) for (const name of readdirSync(h).filter(deadRunName)) removeCgroupTree(name);
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^tt(\d+)[a-z]+\d+$/.exec(name);
    if (!m || name.startsWith(RUN_PREFIX)) continue;
    const pid = Number(m[1]);
    if (Number.isFinite(pid) && !processAlive(pid)) spawnSync('ip', ['netns', 'del', name]);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
