// Which daemon a process belongs to, and leaving when that daemon is gone.
//
// Every process the kernel layer starts (process helper, IPC broker, resolver socket children,
// watchers, monitors) inherits the daemon's exec root in its environment. Once its daemon is
// dead its parent link is gone (it is re-parented to init), but this mark still says whose it
// was: `tetherd uninstall` and the tests reap leftovers of one daemon by it, never by a pattern
// that could match another daemon's processes.
import { readdirSync, readFileSync } from 'node:fs';

export const OWNER_VAR = 'TETHER_EXEC_ROOT';
/** The pid a Node helper must keep as its parent; set by whoever starts it. */
export const PARENT_VAR = 'TETHER_PARENT_PID';

/** Marks every process this daemon starts from now on as its own. */
export function markOwner(execRoot: string): void {
  process.env[OWNER_VAR] = execRoot;
}

/** The environment a Node helper started by this process needs: the owner mark and our pid. */
export function helperEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const owner = process.env[OWNER_VAR];
  return { ...env, ...(owner ? { [OWNER_VAR]: owner } : {}), [PARENT_VAR]: String(process.pid) };
}

/**
 * For a Node helper: exit as soon as the process that started it is gone. The pid is given, not
 * read from process.ppid at start, because the parent may already be dead by then (the helper
 * would record init's pid and never notice). 'disconnect' alone is not enough either: Node holds
 * it back while a handle it sent waits for an acknowledgement that a dead parent never gives.
 */
export function exitWithParent(intervalMs = 250): void {
  const parent = Number(process.env[PARENT_VAR]);
  const check = (): void => {
    if (!Number.isInteger(parent) || process.ppid !== parent) process.exit(0);
  };
  check();
  setInterval(check, intervalMs).unref();
}

export interface OwnedProcess {
  pid: number;
  ppid: number;
  /** The executable's name (/proc/PID/comm). */
  comm: string;
  cmdline: string;
}

/** Live processes carrying the mark of the daemon whose exec root is execRoot (or is below dir). */
export function ownedProcesses(execRoot: string, opts: { below?: boolean } = {}): OwnedProcess[] {
  const found: OwnedProcess[] = [];
  const prefix = `${OWNER_VAR}=${execRoot}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const mine = env.some((v) => v === prefix || (opts.below === true && v.startsWith(`${prefix}/`)));
      if (!mine) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      found.push({
        pid: Number(entry),
        ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim(),
      });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** SIGKILLs every process left with the mark of execRoot (the daemon must be stopped). */
export function killOwned(execRoot: string): number {
  let killed = 0;
  for (const p of ownedProcesses(execRoot)) {
    try {
      process.kill(p.pid, 'SIGKILL');
      killed += 1;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
