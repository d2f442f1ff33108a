// Reads the k8s-file log conmon writes: one line per chunk of output,
//   2026-11-23T10:28:43.123456789+00:00 stdout F hello
// where P marks a partial line continued by the next entry and F a full one. Entries come back
// merged into whole lines, with Docker's timestamp form (UTC, nine fraction digits, "Z").
import { watch } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds in UTC, as `docker logs -t` prints it. */
  time: string;
  /** The line, with its newline when the container wrote one. */
  data: Buffer;
}

export interface LogReadOptions {
  /** Only the last n entries of what is already written (Docker's tail; undefined = all). */
  tail?: number;
  /** Keep reading new entries until `until` settles or signal aborts. */
  follow?: boolean;
  /** Settles when the container exits: follow drains the file once more, then ends. */
  until?: Promise<unknown>;
  signal?: AbortSignal;
}

const LINE = /^(\S+) (stdout|stderr) ([PF]) (.*)$/s;

/** The payload Docker sends for an entry: "<time> <line>" with timestamps, the line without. */
export function logPayload(entry: LogEntry, timestamps: boolean): Buffer {
  return timestamps ? Buffer.concat([Buffer.from(`${entry.time} `), entry.data]) : entry.data;
}

/** Converts conmon's local-offset timestamp to Docker's UTC form, keeping nanoseconds. */
export function dockerTime(stamp: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  if (!m?.[1]) return stamp;
  const seconds = new Date(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`).toISOString().slice(0, 19);
  return `${seconds}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}Z`;
}

/** Merges k8s-file lines into entries; an unfinished line or P entry waits for the next push. */
class EntryParser {
  private partial: { stream: LogEntry['stream']; time: string; parts: Buffer[] } | undefined;
  private carry = '';

  push(text: string): LogEntry[] {
    const lines = (this.carry + text).split('\n');
    this.carry = lines.pop() ?? '';
    const out: LogEntry[] = [];
    for (const line of lines) {
      const m = LINE.exec(line);
      if (!m) continue;
      const [, stamp = '', stream, kind, body = ''] = m;
      const s = stream as LogEntry['stream'];
      const p = this.partial ?? { stream: s, time: dockerTime(stamp), parts: [] };
      p.parts.push(Buffer.from(body));
      if (kind === 'P') {
        this.partial = p;
        continue;
      }
      this.partial = undefined;
      out.push({ stream: p.stream, time: p.time, data: Buffer.concat([...p.parts, Buffer.from('\n')]) });
    }
    return out;
  }
}

export async function* readLogs(path: string, opts: LogReadOptions = {}): AsyncGenerator<LogEntry> {
  const parser = new EntryParser();
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch {
    content = Buffer.alloc(0);
  }
  let offset = content.length;
  const first = parser.push(content.toString('utf8'));
  yield* opts.tail === undefined ? first : first.slice(Math.max(0, first.length - opts.tail));
  if (!opts.follow) return;

  let wake: (() => void) | undefined;
  let finished = false;
  const nudge = (): void => wake?.();
  const watcher = watchQuietly(path, nudge);
  void opts.until?.finally(() => {
    finished = true;
    nudge();
  });
  const onAbort = (): void => {
    finished = true;
    nudge();
  };
  opts.signal?.addEventListener('abort', onAbort);
  const poll = setInterval(nudge, 250); // backstop for a log file that did not exist yet
  try {
    for (;;) {
      const wasFinished = finished;
      const chunk = await readFrom(path, offset);
      offset += chunk.length;
      yield* parser.push(chunk.toString('utf8'));
      if (wasFinished || opts.signal?.aborted) return;
      if (chunk.length === 0) await new Promise<void>((r) => (wake = r));
    }
  } finally {
    watcher?.close();
    clearInterval(poll);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function readFrom(path: string, offset: number): Promise<Buffer> {
  try {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      if (size <= offset) return Buffer.alloc(0);
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return Buffer.alloc(0);
  }
}

function watchQuietly(path: string, onChange: () => void): ReturnType<typeof watch> | undefined {
  try {
    const w = watch(path, onChange);
    w.on('error', () => undefined);
    return w;
  } catch {
    return undefined;
  }
}
