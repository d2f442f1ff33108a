// One long-running `ip -force -batch -` child for the daemon's own namespace. Spawning `ip` per
// command costs ~1.4 ms and grows with the number of namespaces; one child keeps the host side of
// an attach flat (~1.5 ms, measured). Completion and error attribution: after each batch we send
// a line that must fail (`link show dev <missing>`); iproute2 prints `Command failed -:<n>` for
// every failing line, so when the marker's line number arrives every earlier line is done, and the
// text printed before each `Command failed` belongs to that line.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { internal } from '../errors.js';
import { startLineChild } from './line-child.js';
import { token } from './names.js';

export type IpLine = readonly (string | number)[];

interface Pending {
  first: number;
  marker: number;
  errors: Map<number, string>;
  resolve: (errors: Map<number, string>) => void;
  reject: (e: Error) => void;
}

const MARKER_DEV = 'tether-nodev'; // never created by anyone: its absence is the point

/** The line that must fail, per tool: `ip` and `bridge` batches report failures alike. */
export const MARKERS = { ip: `link show dev ${MARKER_DEV}`, bridge: `fdb show dev ${MARKER_DEV}` } as const;

/** Renders one batch line, refusing any value that could split into two commands. */
export function renderLine(line: IpLine): string {
  if (line.length === 0) throw internal('empty ip batch line');
  return line.map((v) => token(v)).join(' ');
}

/** Throws the error of the first failed line, naming the line (ip() of every Kernel). */
export function throwFirst(lines: readonly IpLine[], errors: Map<number, string>): void {
  for (const [i, msg] of [...errors].sort((a, b) => a[0] - b[0])) {
    throw internal(`ip ${lines[i]?.join(' ') ?? '?'}: ${msg}`);
  }
}

/** Parses `ip -batch` stderr into per-line error texts (used by the one-shot netns batches too). */
export function parseBatchErrors(stderr: string, lineOffset = 0): Map<number, string> {
  const errors = new Map<number, string>();
  let text: string[] = [];
  for (const l of stderr.split('\n')) {
    const m = /^Command failed .*:(\d+)$/.exec(l);
    if (m) {
      errors.set(Number(m[1]) - lineOffset, text.join('\n').trim() || 'failed');
      text = [];
    } else if (l.trim() !== '') {
      text.push(l);
    }
  }
  return errors;
}

export class IpBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private line = 0;
  private lineErrors: string[] = [];
  private pending: Pending[] = [];

  constructor(
    private readonly argv: readonly string[] = ['ip', '-force', '-batch', '-'],
    private readonly marker: string = MARKERS.ip,
  ) {}

  /** Sends lines; resolves with a map of (0-based index in `lines`) → error text for failed lines. */
  exec(lines: readonly IpLine[]): Promise<Map<number, string>> {
    if (lines.length === 0) return Promise.resolve(new Map());
    const text = lines.map(renderLine); // validate everything before writing anything
    const child = this.ensureChild();
    const first = this.line + 1;
    this.line += text.length + 1;
    const marker = this.line;
    return new Promise((resolve, reject) => {
      this.pending.push({ first, marker, errors: new Map(), resolve, reject });
      child.stdin.write(`${text.join('\n')}\n${this.marker}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child && this.child.exitCode === null) return this.child;
    this.line = 0;
    this.lineErrors = [];
    const child = startLineChild(this.argv, (l) => this.onLine(l), (why) => {
      if (this.child === child) this.child = undefined;
      const waiting = this.pending;
      this.pending = [];
      for (const p of waiting) p.reject(internal(`ip batch ended: ${why}: ${this.lineErrors.join(' ').trim()}`));
    });
    this.child = child;
    return child;
  }

  private onLine(l: string): void {
    const m = /^Command failed -:(\d+)$/.exec(l);
    if (!m) {
      if (l.trim() !== '') this.lineErrors.push(l);
      return;
    }
    const n = Number(m[1]);
    const msg = this.lineErrors.join('\n').trim() || 'failed';
    this.lineErrors = [];
    const p = this.pending[0];
    if (!p) return;
    if (n === p.marker) {
      this.pending.shift();
      p.resolve(p.errors);
    } else if (n >= p.first) {
      p.errors.set(n - p.first, msg);
    }
  }
}
