// A streaming zstd decompressor: Node 20's zlib has none, so the `zstd` tool (Debian package
// zstd) does the work as a child, compressed bytes in on stdin, the tar out on stdout.
// Started by the daemon itself (spawnChild), not through the process helper: the helper relays
// stdio as hex lines, which would double a layer's bytes twice over; a pull starts one of these
// per zstd layer, so the fork cost spawner.ts avoids does not add up here.
import type { ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { internal } from '../errors.js';
import { writeToChild } from './child-stdin.js';
import { spawnChild } from './exec.js';

/**
 * A Duplex: write the compressed stream, read the decompressed one. It ends only after zstd
 * exited 0; a corrupt or truncated input is an 'error' carrying zstd's own message.
 */
export function zstdDecoder(): Duplex {
  return new ZstdDecoder();
}

class ZstdDecoder extends Duplex {
  private readonly child: ChildProcess;
  private stderr = '';
  private exited = false;

  constructor() {
    super();
    // --memory: windows up to 2 GiB (zstd --long=31 archives), which the CLI refuses by default above 128 MiB.
    const child = spawnChild(['zstd', '-d', '-c', '-q', '--memory=2048MB'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdin!.on('error', () => undefined); // EPIPE when zstd gave up: its exit status says why
    child.stdout!.on('data', (d: Buffer) => {
      if (!this.push(d)) child.stdout!.pause();
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (this.stderr.length < 4096) this.stderr += s;
    });
    child.on('error', (e) => this.destroy(internal(`cannot run zstd: ${e.message}`, e)));
    // 'close': stdout fully read and the exit status known.
    child.on('close', (code, signal) => {
      this.exited = true;
      if (code === 0) this.push(null);
      else this.destroy(internal(`zstd: ${this.stderr.trim().replace(/^zstd: /, '') || (signal ? `killed by ${signal}` : `exit ${code}`)}`));
    });
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    writeToChild(this.child.stdin!, this.exited, chunk, done);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.child.stdin!.end(() => done());
  }

  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    if (!this.exited) this.child.kill('SIGKILL');
    done(e);
  }
}
