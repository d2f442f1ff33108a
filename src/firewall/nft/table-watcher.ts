// Notices when someone else changes our table: a long-lived `nft monitor` child (through the
// kernel layer) reports every ruleset change in the namespace. Lines about our chains, sets or
// the table itself — a `flush ruleset`, `delete table`, a rule added to or deleted from one of
// our chains — schedule one check; element events (our own per-port changes, thousands of them)
// and rules in the user chain are ignored, so normal operation costs nothing. Measured: a
// structure check (`nft -t list table`) costs ~4 ms; polling it every 500 ms would burn CPU
// forever, the monitor idles at zero.
import { createInterface } from 'node:readline';
import type { Logger } from '../../model/logger.js';
import type { Kernel, SpawnedProcess } from '../../kernel/kernel.js';
import { USER_CHAIN } from './ruleset.js';

export interface TableWatcherOptions {
  kernel: Pick<Kernel, 'launch'>;
  table: string;
  netnsPath?: string;
  log: Logger;
  /** Called (debounced) when our table may have been changed behind our back. */
  onSuspectChange: () => void;
  debounceMs?: number;
  /** Delay before restarting a monitor that died. */
  restartMs?: number;
}

/** True when a monitor line could mean our table's structure changed. */
export function isSuspectLine(line: string, table: string): boolean {
  const m = /^(add|delete|flush|replace|insert) (\S+) inet (\S+)(?: (\S+))?/.exec(line);
  if (m === null || m[3] !== table) return false;
  const [, , object, , name] = m;
  if (object === 'element') return false;
  if (object === 'rule' && name === USER_CHAIN) return false;
  return true;
}

/**
 * One `nft monitor <kind>` per kind rather than one for everything: nft 1.0.6 segfaults (in
 * libgmp) formatting some set-element events, which our own port changes produce all the time.
 * Table and rule events are what a flush or an edit of our chains shows up as.
 */
const KINDS = ['tables', 'chains', 'rules'] as const;

export class TableWatcher {
  private readonly children = new Map<string, SpawnedProcess>();
  private timer: NodeJS.Timeout | undefined;
  private readonly restarts = new Set<NodeJS.Timeout>();
  private stopped = true;

  constructor(private readonly opts: TableWatcherOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const kind of KINDS) this.spawn(kind);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const t of this.restarts) clearTimeout(t);
    this.restarts.clear();
    for (const child of this.children.values()) if (child.exitCode === null) child.kill();
    this.children.clear();
  }

  private spawn(kind: (typeof KINDS)[number]): void {
    const { kernel, netnsPath, table, log } = this.opts;
    // Blocked on netlink, a monitor would notice a dead daemon only at its next write.
    const child = kernel.launch(['nft', 'monitor', kind], { netnsPath, stdio: ['ignore', 'pipe', 'pipe'], dieWithDaemon: true });
    this.children.set(kind, child);
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (isSuspectLine(line, table)) this.schedule();
      });
    }
    child.stderr?.resume();
    child.on('error', (e) => log.warn('firewall monitor failed', { error: e.message }));
    child.on('exit', (code, signal) => {
      if (this.stopped || this.children.get(kind) !== child) return;
      log.warn('firewall monitor exited; restarting', { kind, code, signal });
      const t = setTimeout(() => {
        this.restarts.delete(t);
        this.spawn(kind);
      }, this.opts.restartMs ?? 500);
      this.restarts.add(t);
    });
    // Changes made before the monitor subscribed would go unseen: check once it is up.
    this.schedule(100);
  }

  private schedule(delayMs = this.opts.debounceMs ?? 30): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.opts.onSuspectChange();
    }, delayMs);
  }
}
