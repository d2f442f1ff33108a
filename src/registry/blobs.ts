// Blobs and manifests fetched with their digests checked while the bytes stream: a blob is
// written to the pull's temp directory and hashed on the way, and a mismatch (or a size other
// than the descriptor's) deletes the file and fails the pull with dockerd's words.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalid } from '../errors.js';
import type { Descriptor } from './manifest.js';
import type { RegistrySession } from './session.js';
import { isTransportError, readBody, RegistryHttpError } from './wire.js';

const ATTEMPTS = 3;

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** GET, expecting 200; other answers become the registry's error. */
async function get(session: RegistrySession, url: string, headers: Record<string, string> = {}) {
  const res = await session.request('GET', url, headers);
  if (res.statusCode !== 200) throw RegistryHttpError.from(res.statusCode ?? 0, await readBody(res, 1 << 16));
  return res;
}

/** A manifest by tag or digest: its bytes, media type and the digest of those bytes. */
export async function fetchManifest(session: RegistrySession, ref: string, accept: string): Promise<{ bytes: Buffer; contentType: string | undefined; digest: string }> {
  const res = await get(session, session.url('manifests', ref), { Accept: accept });
  const bytes = await readBody(res, 4 << 20);
  const digest = sha256(bytes);
  if (ref.startsWith('sha256:') && digest !== ref) throw invalid(`manifest verification failed for digest ${ref}`, 'registry.digest');
  return { bytes, contentType: res.headers['content-type'], digest };
}

/** A small blob (the image config) held in memory, verified. */
export async function fetchConfig(session: RegistrySession, desc: Descriptor): Promise<Buffer> {
  if (desc.size > 8 << 20) throw invalid(`image config of ${desc.size} bytes is too large`, 'registry.config');
  const bytes = await readBody(await get(session, session.url('blobs', desc.digest)), desc.size);
  if (bytes.length !== desc.size || sha256(bytes) !== desc.digest) throw invalid(`image config verification failed for digest ${desc.digest}`, 'registry.digest');
  return bytes;
}

/**
 * Downloads a layer blob to dest, hashing as it streams, and hashing its uncompressed content
 * too; returns that, the layer's diff id. progress(bytesSoFar) on the way. A connection lost
 * mid-way starts the blob again (up to three tries); a wrong digest does not.
 */
export async function fetchLayer(session: RegistrySession, desc: Descriptor, gzip: boolean, dest: string, progress: (current: number) => void): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchLayerOnce(session, desc, gzip, dest, progress);
    } catch (e) {
      await rm(dest, { force: true });
      const retriable = isTransportError(e) || (e instanceof Error && /aborted|ECONNRESET|socket hang up/.test(e.message));
      if (!retriable || attempt >= ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function fetchLayerOnce(session: RegistrySession, desc: Descriptor, gzip: boolean, dest: string, progress: (current: number) => void): Promise<string> {
  const res = await get(session, session.url('blobs', desc.digest));
  const hash = createHash('sha256');
  const content = createHash('sha256');
  // The content is hashed beside the download, with backpressure, so the layer is read once.
  const gunzip = gzip ? createGunzip() : undefined;
  let gunzipFailed = false;
  gunzip?.on('data', (d: Buffer) => content.update(d));
  const gunzipped = gunzip
    ? new Promise<void>((resolve, reject) => {
        gunzip.on('end', resolve).on('error', (e) => {
          // Not gzip (a tampered blob, say): stop feeding it; the digest check decides first.
          gunzipFailed = true;
          reject(e);
        });
      })
    : Promise.resolve();
  gunzipped.catch(() => undefined);
  let seen = 0;
  const verify = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > desc.size) return done(invalid(`filesystem layer verification failed for digest ${desc.digest}`, 'registry.digest'));
      hash.update(chunk);
      progress(seen);
      if (!gunzip) content.update(chunk);
      if (!gunzip || gunzipFailed || gunzip.write(chunk)) return done(null, chunk);
      const go = (): void => {
        gunzip.off('drain', go).off('error', go);
        done(null, chunk);
      };
      gunzip.once('drain', go).once('error', go);
    },
    flush(done) {
      if (!gunzipFailed) gunzip?.end();
      done();
    },
  });
  try {
    await pipeline(res, verify, createWriteStream(dest, { mode: 0o600 }));
  } catch (e) {
    gunzip?.destroy();
    throw e;
  }
  if (seen !== desc.size || `sha256:${hash.digest('hex')}` !== desc.digest) {
    gunzip?.destroy();
    throw invalid(`filesystem layer verification failed for digest ${desc.digest}`, 'registry.digest');
  }
  await gunzipped.catch((e: Error) => {
    throw invalid(`layer ${desc.digest} is not valid gzip: ${e.message}`, 'registry.layer');
  });
  return `sha256:${content.digest('hex')}`;
}
