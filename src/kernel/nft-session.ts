// One long-running `nft -i` child for the daemon's own namespace, so a firewall change costs a
// write to a pipe instead of starting `nft` (7–16 ms measured on a slow machine, issue 19).
// Interactive nft runs each input line as one transaction, so a batch is sent as ONE line (its
// statements joined by `;`, which nft takes wherever it takes a newline): it is applied whole or
// not at all, exactly as `nft -f -` would. Completion and error attribution: after each batch we
// send a command that must fail (`list table inet <missing>`); nft echoes every failing line on
// stderr, so when the marker's echo arrives the batch before it is done, and an error printed
// before the marker's belongs to the batch.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { internal } from '../errors.js';
import { startLineChild } from './line-child.js';

interface Pending {
  marker: string;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Longer batches (a full rebuild with thousands of ports) go through `nft -f -` instead. */
export const MAX_SESSION_BATCH = 64 * 1024;

/** The batch as one line, or undefined when it cannot be one (a comment would swallow the rest). */
export function oneLine(batch: string): string | undefined {
  if (batch.length > MAX_SESSION_BATCH || batch.includes('#')) return undefined;
  const parts = batch.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return parts.length === 0 ? undefined : parts.join(' ; ');
}

export class NftSession {
  private child: ChildProcessWithoutNullStreams | undefined;
  private seq = 0;
  private errorLines: string[] = [];
  private skipCaret = false;
  private pending: Pending[] = [];

  constructor(private readonly argv: readonly string[] = ['nft', '-i']) {}

  /** Applies a batch already made one line by oneLine(); rejects with nft's error text. */
  exec(line: string): Promise<void> {
    const child = this.ensureChild();
    const marker = `list table inet tether-nft-marker-${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.pending.push({ marker, resolve, reject });
      child.stdin.write(`${line}\n${marker}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child && this.child.exitCode === null) return this.child;
    this.errorLines = [];
    this.skipCaret = false;
    const child = startLineChild(this.argv, (l) => this.onLine(l), (why) => {
      if (this.child === child) this.child = undefined;
      const waiting = this.pending;
      this.pending = [];
      for (const p of waiting) p.reject(internal(`nft session ended: ${why}`));
    });
    this.child = child;
    return child;
  }

  private onLine(l: string): void {
    if (this.skipCaret) {
      this.skipCaret = false; // the ^^^ under the marker's echo
      return;
    }
    const p = this.pending[0];
    if (p && l === p.marker) {
      this.pending.shift();
      this.skipCaret = true;
      const text = this.errorLines.slice(0, -1).join('\n').trim(); // the last line is the marker's own "Error: …"
      this.errorLines = [];
      if (text === '') p.resolve();
      else p.reject(internal(`nft: ${text}`));
    } else if (l.trim() !== '') {
      this.errorLines.push(l);
    }
  }
}
