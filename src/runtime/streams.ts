// Docker's multiplexed stream framing, used for attach, logs and exec when there is no TTY:
// every chunk is preceded by an 8-byte header [stream, 0, 0, 0, size as uint32 big-endian],
// stream 1 = stdout, 2 = stderr (0 = stdin, never sent by the daemon). With a TTY the bytes go
// raw. Recorded: b'\x01\x00\x00\x00\x00\x00\x00\x03hi\n' (10-api-trace/03-run.log).
import type { Readable, Writable } from 'node:stream';

export type StreamName = 'stdin' | 'stdout' | 'stderr';
const STREAM_BYTE: Record<StreamName, number> = { stdin: 0, stdout: 1, stderr: 2 };
const BYTE_STREAM: readonly StreamName[] = ['stdin', 'stdout', 'stderr'];
const HEADER = 8;
const MAX_FRAME = 0xffff_ffff;

/** One frame: header + payload. */
export function frame(stream: StreamName, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME) throw new RangeError('frame payload too large');
  const header = Buffer.alloc(HEADER);
  header[0] = STREAM_BYTE[stream];
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Splits a multiplexed byte stream back into frames (for clients and tests); keeps partial input. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: StreamName; payload: Buffer }[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: { stream: StreamName; payload: Buffer }[] = [];
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) break;
      const stream = BYTE_STREAM[this.pending[0] ?? 1] ?? 'stdout';
      frames.push({ stream, payload: this.pending.subarray(HEADER, HEADER + size) });
      this.pending = this.pending.subarray(HEADER + size);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get buffered(): number {
    return this.pending.length;
  }
}

/**
 * Copies a process's stdout and stderr to out: framed without a TTY, raw with one (a TTY merges
 * both into stdout anyway). Resolves when both have ended; does not end out.
 */
export async function copyOutput(child: { stdout: Readable | null; stderr: Readable | null }, out: Writable, tty: boolean): Promise<void> {
  const copy = (src: Readable | null, stream: StreamName): Promise<void> =>
    new Promise((resolve, reject) => {
      if (!src) return resolve();
      src.on('data', (d: Buffer) => out.write(tty ? d : frame(stream, d)));
      src.on('end', resolve);
      src.on('error', reject);
    });
  await Promise.all([copy(child.stdout, 'stdout'), copy(child.stderr, 'stderr')]);
}
