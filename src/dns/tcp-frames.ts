// DNS over TCP frames every message with a 2-byte length (RFC 1035 §4.2.2). This splits a byte
// stream into messages, with a cap on how much an unfinished frame may hold, so a client that
// announces 64 KiB and trickles bytes cannot make us buffer more than one message.

export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** @param maxFrame largest message accepted; a bigger announced length is a protocol error. */
  constructor(private readonly maxFrame: number) {}

  /** Feeds bytes; returns complete messages, or undefined when the stream must be dropped. */
  push(chunk: Buffer): Buffer[] | undefined {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Buffer[] = [];
    while (this.pendingBytes >= 2) {
      const head = this.peek(2);
      const len = head.readUInt16BE(0);
      if (len === 0 || len > this.maxFrame) return undefined;
      if (this.pendingBytes < 2 + len) break;
      const frame = this.take(2 + len);
      out.push(frame.subarray(2));
    }
    return out;
  }

  private peek(n: number): Buffer {
    const first = this.pending[0];
    if (first && first.length >= n) return first;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const all = this.peek(n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes -= n;
    return all.subarray(0, n);
  }
}

/** A message with its 2-byte length prefix, ready to write to a TCP stream. */
export function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
}
