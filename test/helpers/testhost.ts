// A "test host": a network namespace the test creates, so the daemon under test and everything it
// builds (bridges, veths, nft tables) live there and vanish with it. Names carry a per-run prefix
// so two runs never collide and a leftover from a killed run is recognisable and removable.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Containers outlive their daemon (conmon keeps them, as in Docker's live restore): a test that
 * stopped its daemon with containers still running must kill them. `<runtime> delete --force`
 * for every container state directory below dir, then any monitor still naming dir.
 */
export function killContainersUnder(dir: string): void {
  for (const rt of ['crun', 'runc']) {
    const root = join(dir, 'exec', 'runtime', rt);
    if (!existsSync(root)) continue;
    for (const id of readdirSync(root)) spawnSync(rt, ['--root', root, 'delete', '--force', id]);
  }
  killProcesses((cmdline) => cmdline.includes(dir));
}

/** SIGKILLs every process whose command line matches, and its children (a monitor's container). */
function killProcesses(match: (cmdline: string) => boolean): void {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number);
  const parentOf = new Map<number, number>();
  const victims = new Set<number>();
  for (const pid of procs) {
    try {
      parentOf.set(pid, Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]));
      if (pid !== process.pid && match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) victims.add(pid);
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
  // Monitors and containers of dead runs, even when their directory is already gone.
  killProcesses((cmdline) => {
    const m = /\/tt(\d+)[a-z]+\d+-/.exec(cmdline);
    return m !== null && !cmdline.includes(`/${RUN_PREFIX}`) && !processAlive(Number(m[1]));
  });
  // Their state directories: containers, mounts, files.
  for (const entry of readdirSync(tmpdir())) {
    const m = /^tt(\d+)[a-z]+\d+-/.exec(entry);
    if (!m || entry.startsWith(`${RUN_PREFIX}`) || processAlive(Number(m[1]))) continue;
    const dir = join(tmpdir(), entry);
    killContainersUnder(dir);
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
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
