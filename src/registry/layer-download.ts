// A layer blob downloaded into the pull's temp directory with both its digests checked as the
// bytes stream: the blob's (sha256 of what the registry sent) and the layer's diff id (sha256 of
// the decompressed content: gunzip here, zstd through the kernel's decoder), while that content
// is unpacked as it comes, so the layer is read and decompressed once. A connection lost mid-way resumes with a Range request where the registry allows it
// (the part on disk is hashed again first), else the blob starts over; three tries. A wrong
// digest fails the pull at once, in dockerd's words.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type Duplex, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalid } from '../errors.js';
import { get } from './blobs.js';
import type { Descriptor } from './manifest.js';
import type { RegistrySession } from './session.js';
import { isTransportError } from './wire.js';

const ATTEMPTS = 3;

/** How a layer's blob is compressed, and a new decompressor for it (none: the blob is the tar). */
export interface LayerCodec {
  name: 'gzip' | 'zstd' | 'none';
  decoder?: () => Duplex;
}

// 256 KiB out per zlib call, not 16: far fewer callbacks, buffers and writes into tar on the main thread.
export const GZIP: LayerCodec = { name: 'gzip', decoder: () => createGunzip({ chunkSize: 1 << 18 }) };
export const PLAIN: LayerCodec = { name: 'none' };

/** Where a layer's uncompressed tar goes as it downloads (the image store's unpacker). */
export interface LayerSink {
  readonly input: Writable;
  /** Drops what went in: the download failed or starts over. */
  discard(): Promise<void>;
}

/** Both digests of a layer, fed the blob's bytes in order; the decompressed bytes go on to the sink. */
class LayerHasher {
  readonly blob: Hash = createHash('sha256');
  private readonly content: Hash = createHash('sha256');
  private readonly decoder: Duplex | undefined;
  private readonly ended: Promise<void>;
  private failed = false;
  size = 0;

  constructor(
    private readonly codec: LayerCodec,
    private readonly sink: Writable,
  ) {
    this.decoder = codec.decoder?.();
    const g = this.decoder;
    // The sink's backpressure reaches the download: a paused decoder stops taking chunks.
    g?.on('data', (d: Buffer) => {
      this.content.update(d);
      if (!sink.write(d)) g.pause();
    });
    if (g) sink.on('drain', () => g.resume());
    this.ended = g
      ? new Promise<void>((resolve, reject) => {
          g.on('end', resolve).on('error', (e) => {
            // Not gzip/zstd (a tampered blob, say): stop feeding it; the digest check decides first.
            this.failed = true;
            reject(e);
          });
        })
      : Promise.resolve();
    this.ended.catch(() => undefined);
  }

  /** Resolves when the chunk is taken, with backpressure from the decompressor or the sink. */
  update(chunk: Buffer): Promise<void> {
    this.size += chunk.length;
    this.blob.update(chunk);
    const g = this.decoder;
    if (!g) {
      this.content.update(chunk);
      return this.sink.write(chunk) ? Promise.resolve() : drained(this.sink);
    }
    if (this.failed || g.write(chunk)) return Promise.resolve();
    return drained(g);
  }

  /** The diff id, once the whole blob went through; a blob its codec cannot read fails here. */
  async diffId(what: string): Promise<string> {
    if (!this.failed) this.decoder?.end();
    await this.ended.catch((e: Error) => {
      throw invalid(`layer ${what} is not valid ${this.codec.name}: ${e.message}`, 'registry.layer');
    });
    return `sha256:${this.content.digest('hex')}`;
  }

  destroy(): void {
    this.decoder?.destroy();
  }
}

/** Resolves once s takes writes again, or can take none any more. */
function drained(s: Writable | Duplex): Promise<void> {
  return new Promise((resolve) => {
    const go = (): void => {
      s.off('drain', go).off('error', go).off('close', go);
      resolve();
    };
    s.once('drain', go).once('error', go).once('close', go);
  });
}

/**
 * Downloads desc to dest while open()'s sink unpacks it; returns the layer's diff id and that
 * sink, for the caller to compare the diff id and install. progress(bytesSoFar) on the way.
 * On a failure nothing stays: the sink is discarded, dest removed.
 */
export async function fetchLayer<S extends LayerSink>(session: RegistrySession, desc: Descriptor, codec: LayerCodec, dest: string, progress: (current: number) => void, open: () => Promise<S>): Promise<{ diffId: string; sink: S }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchLayerOnce(session, desc, codec, dest, progress, open, attempt > 1);
    } catch (e) {
      const retriable = isTransportError(e) || (e instanceof Error && /aborted|ECONNRESET|socket hang up/.test(e.message));
      if (!retriable || attempt >= ATTEMPTS) {
        await rm(dest, { force: true });
        throw e;
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** One try: a fresh sink and hasher, fed the part on disk first when resuming. */
async function fetchLayerOnce<S extends LayerSink>(session: RegistrySession, desc: Descriptor, codec: LayerCodec, dest: string, progress: (current: number) => void, open: () => Promise<S>, resume: boolean): Promise<{ diffId: string; sink: S }> {
  const mismatch = (): Error => invalid(`filesystem layer verification failed for digest ${desc.digest}`, 'registry.digest');
  let sink = await open();
  let hasher = new LayerHasher(codec, sink.input);
  // Any failure ends the decompressor and the unpack too (a zstd or tar child would otherwise wait for more input).
  try {
    const have = resume ? await stat(dest).then((s) => s.size, () => 0) : 0;
    if (have > 0 && have < desc.size) for await (const chunk of createReadStream(dest) as AsyncIterable<Buffer>) await hasher.update(chunk);
    const offset = hasher.size;
    const res = await get(session, session.url('blobs', desc.digest), offset > 0 ? { Range: `bytes=${offset}-` } : {});
    if (offset > 0 && res.statusCode !== 206) {
      // The registry sent the whole blob after all: start over.
      hasher.destroy();
      await sink.discard();
      sink = await open();
      hasher = new LayerHasher(codec, sink.input);
    }
    const append = offset > 0 && res.statusCode === 206;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (hasher.size + chunk.length > desc.size) return done(mismatch());
        hasher.update(chunk).then(() => {
          progress(hasher.size);
          done(null, chunk);
        }, done);
      },
    });
    await pipeline(res, meter, createWriteStream(dest, { mode: 0o600, flags: append ? 'a' : 'w' }));
    if (hasher.size !== desc.size || `sha256:${hasher.blob.digest('hex')}` !== desc.digest) throw mismatch();
    return { diffId: await hasher.diffId(desc.digest), sink };
  } catch (e) {
    hasher.destroy();
    await sink.discard();
    throw e;
  }
}
