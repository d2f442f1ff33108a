// A long-running `ip -batch` or `bridge -batch` inside one network namespace, for callers that
// change many small things there at a high rate (an overlay's neighbour and FDB entries: 10,000
// remote endpoints arrive within seconds). A process per change would cost ~1.5 ms of spawn each;
// one child per namespace and tool costs a pipe write. Calls made within one turn of the event
// loop are coalesced into one write with one completion marker, and each caller gets back the
// failures of its own lines.
import { netnsArgv } from './exec.js';
import { IpBatch, MARKERS, renderLine, type IpLine } from './ip-batch.js';

export type BatchTool = keyof typeof MARKERS;

export interface NetnsBatch {
  /** Runs the lines (after those of earlier calls); the failed ones by index into `lines`. */
  exec(lines: readonly IpLine[]): Promise<Map<number, string>>;
  /** Ends the child; a later exec starts another. */
  close(): void;
}

interface Queued {
  lines: readonly IpLine[];
  resolve: (errors: Map<number, string>) => void;
  reject: (e: unknown) => void;
}

export class CoalescingBatch implements NetnsBatch {
  private readonly batch: IpBatch;
  private queued: Queued[] = [];

  constructor(netnsPath: string, tool: BatchTool) {
    this.batch = new IpBatch(netnsArgv(netnsPath, [tool, '-force', '-batch', '-']), MARKERS[tool]);
  }

  exec(lines: readonly IpLine[]): Promise<Map<number, string>> {
    if (lines.length === 0) return Promise.resolve(new Map());
    lines.forEach(renderLine); // a bad value fails its own caller, not the batch it would join
    return new Promise((resolve, reject) => {
      this.queued.push({ lines, resolve, reject });
      if (this.queued.length === 1) setImmediate(() => this.flush());
    });
  }

  close(): void {
    this.batch.close();
  }

  private flush(): void {
    const calls = this.queued;
    this.queued = [];
    this.batch.exec(calls.flatMap((c) => c.lines)).then(
      (errors) => {
        let first = 0;
        for (const c of calls) {
          const own = new Map<number, string>();
          for (let i = 0; i < c.lines.length; i++) {
            const why = errors.get(first + i);
            if (why !== undefined) own.set(i, why);
          }
          first += c.lines.length;
          c.resolve(own);
        }
      },
      (e: unknown) => calls.forEach((c) => c.reject(e)),
    );
  }
}
