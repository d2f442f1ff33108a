// Container I/O over the Engine API: docker's stdcopy framing (8-byte headers multiplexing
// stdout/stderr on non-TTY attach, exec and logs streams) and the hijacked-connection pump of
// `run`/`start -a`/`exec` (cli/command/container/hijack.go): stdin is copied to the connection
// and then half-closed (CloseWrite), output is copied — raw for a TTY, demultiplexed otherwise —
// until the daemon closes its side.

import type { Duplex, Readable } from 'node:stream';
import type { Output } from './command.js';
import { StatusError } from './status.js';

const STDOUT = 1;
const STDERR = 2;
const SYSTEMERR = 3;

/** stdcopy.StdCopy as a push parser: feed chunks, frames are written as they complete. */
export class StdDemux {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly stdout: Output | undefined,
    private readonly stderr: Output | undefined,
  ) {}

  write(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) return;
      const kind = this.pending[0];
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      if (kind === 0 || kind === STDOUT) this.stdout?.write(payload);
      else if (kind === STDERR) this.stderr?.write(payload);
      else if (kind === SYSTEMERR) throw new StatusError(`Error from daemon in stream: ${payload.toString()}`, 1);
      else throw new StatusError(`Unrecognized input header: ${kind ?? ''}`, 1);
    }
  }
}

/** Copy a response body to stdout/stderr: raw when the container has a TTY, else demultiplexed. */
export function copyOutput(
  source: Readable,
  tty: boolean,
  stdout: Output | undefined,
  stderr: Output | undefined,
  head?: Buffer,
): Promise<void> {
  const demux = tty ? undefined : new StdDemux(stdout, stderr);
  const sink = (chunk: Buffer): void => {
    if (demux) demux.write(chunk);
    else stdout?.write(chunk);
  };
  return new Promise((resolve, reject) => {
    try {
      if (head?.length) sink(head);
    } catch (e) {
      reject(e);
      return;
    }
    source.on('data', (chunk: Buffer) => {
      try {
        sink(chunk);
      } catch (e) {
        source.destroy();
        reject(e);
      }
    });
    source.on('end', resolve);
    source.on('close', resolve);
    source.on('error', (e) => (e.message.includes('ECONNRESET') ? resolve() : reject(e)));
  });
}

export interface HijackStreams {
  socket: Duplex;
  head: Buffer;
  tty: boolean;
  stdin?: NodeJS.ReadableStream;
  stdout?: Output;
  stderr?: Output;
}

/** Put a terminal stdin into raw mode for a TTY session; returns the restore function. */
function rawInput(stdin: NodeJS.ReadableStream | undefined, tty: boolean): () => void {
  const t = stdin as (NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (b: boolean) => void }) | undefined;
  if (!tty || !t?.isTTY || !t.setRawMode) return () => {};
  t.setRawMode(true);
  return () => t.setRawMode?.(false);
}

/**
 * hijackedIOStreamer.stream: resolves when the output side ends (or, with no output attached,
 * when stdin is exhausted). Stdin is unpiped afterwards so the process can exit.
 */
export async function streamHijacked(h: HijackStreams): Promise<void> {
  const restore = rawInput(h.stdin, h.tty);
  const { socket, stdin } = h;
  let onData: ((c: Buffer | string) => void) | undefined;
  let onEnd: (() => void) | undefined;
  const inputDone = new Promise<void>((resolve) => {
    if (!stdin) {
      socket.end(); // nothing to send: CloseWrite right away, like docker
      resolve();
      return;
    }
    onData = (c) => socket.write(c);
    onEnd = () => {
      restore();
      socket.end();
      resolve();
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
  try {
    if (h.stdout || h.stderr) await copyOutput(socket as unknown as Readable, h.tty, h.stdout, h.stderr, h.head);
    else await inputDone;
  } finally {
    restore();
    if (stdin && onData && onEnd) {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.pause();
    }
    socket.destroy();
  }
}
