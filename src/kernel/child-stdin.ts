// Writing a stream's chunks into a child's stdin (zstd -d, tar -x) with backpressure, where the
// child may give up early: its exit status tells why, so a closed stdin only drops the chunk.
import type { Writable } from 'node:stream';

/** Writes chunk to stdin; done() once it is taken or stdin is gone. */
export function writeToChild(stdin: Writable, gone: boolean, chunk: Buffer, done: (e?: Error | null) => void): void {
  if (gone || stdin.destroyed) return done();
  if (stdin.write(chunk)) return done();
  const go = (): void => {
    stdin.off('drain', go).off('close', go);
    done();
  };
  stdin.once('drain', go).once('close', go);
}
