// Manifests and configs fetched with their digests checked (layers: layer-download.ts), in
// dockerd's words when they do not match.
import { createHash } from 'node:crypto';
import { invalid } from '../errors.js';
import type { Descriptor } from './manifest.js';
import type { RegistrySession } from './session.js';
import { readBody, RegistryHttpError } from './wire.js';

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** GET, expecting 200 (or 206 for a range); other answers become the registry's error. */
export async function get(session: RegistrySession, url: string, headers: Record<string, string> = {}) {
  const res = await session.request('GET', url, headers);
  if (res.statusCode !== 200 && !(headers['Range'] && res.statusCode === 206)) throw RegistryHttpError.from(res.statusCode ?? 0, await readBody(res, 1 << 16));
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
