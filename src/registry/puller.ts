// `docker pull`: resolve the reference to one image manifest (following an index to the wanted
// platform), then fetch the config and the layers this store lacks (three at a time, as dockerd's
// max-concurrent-downloads), each verified and unpacked while it streams (the blob itself kept in
// a temp directory), installed once both its digests checked out, then commit the image. A failure or a crash before the commit leaves
// nothing: the temp directory goes, and the store drops the layers no image uses (at once after
// a failure, when it opens after a crash).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { invalid, notFound, type TetherError } from '../errors.js';
import { parseImageConfig } from '../runtime/image-config.js';
import type { ImageStore } from '../runtime/images.js';
import { fetchConfig, fetchManifest } from './blobs.js';
import { fetchLayer, GZIP, PLAIN, type LayerCodec } from './layer-download.js';
import type { Credentials, RegistryClient } from './client.js';
import { hostPlatform, layerCompression, MANIFEST_ACCEPT, parseManifest, parsePlatform, selectPlatform, type Descriptor } from './manifest.js';
import { familiarName, familiarString, parseRegistryRef, tagOrDigest, type RegistryRef } from './reference.js';
import { RegistrySession } from './session.js';
import { asTetherError, RegistryHttpError } from './wire.js';

const CONCURRENT_DOWNLOADS = 3;
const PROGRESS_EVERY_MS = 100;

export type LayerPhase = 'pulling' | 'exists' | 'waiting' | 'downloading' | 'verifying' | 'downloaded' | 'extracting' | 'complete';

export type PullEvent =
  | { kind: 'start'; repository: string; tagOrDigest: string }
  | { kind: 'layer'; id: string; phase: LayerPhase; current?: number; total?: number }
  | { kind: 'done'; digest: string; ref: string; upToDate: boolean };

export interface PullRequest {
  ref: string;
  /** os/arch[/variant]; the host's when absent. */
  platform?: string;
  creds?: Credentials;
}

/** A reference resolved to one image manifest; nothing downloaded yet beyond manifests. */
export interface ResolvedPull {
  ref: RegistryRef;
  session: RegistrySession;
  /** The digest of the manifest the reference names (an index's, for a multi-platform image). */
  digest: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** Decompressors Node lacks, from the kernel layer (Kernel.zstdDecoder). */
export interface PullDecoders {
  zstd?: () => Duplex;
}

export class Puller {
  constructor(
    private readonly client: RegistryClient,
    private readonly store: ImageStore,
    private readonly decoders: PullDecoders = {},
  ) {}

  /** The codec for a layer's media type; zstd needs the kernel's decoder. */
  private codec(mediaType: string | undefined): LayerCodec {
    const kind = layerCompression(mediaType);
    if (kind === 'gzip') return GZIP;
    if (kind === 'none') return PLAIN;
    const zstd = this.decoders.zstd;
    if (!zstd) throw invalid(`zstd-compressed layers (${mediaType}) cannot be read: no zstd decoder`, 'registry.zstd');
    return { name: 'zstd', decoder: zstd };
  }

  /** Finds the image manifest; registry errors come back in dockerd's words. */
  async resolve(req: PullRequest): Promise<ResolvedPull> {
    const ref = parseRegistryRef(req.ref);
    const platform = req.platform ? parsePlatform(req.platform) : hostPlatform();
    try {
      const session = await RegistrySession.open(this.client, ref.domain, ref.path, req.creds);
      const top = await fetchManifest(session, tagOrDigest(ref), MANIFEST_ACCEPT);
      let manifest = parseManifest(top.bytes, top.contentType);
      if (manifest.kind === 'index') {
        const chosen = selectPlatform(manifest.manifests, platform);
        const inner = await fetchManifest(session, chosen.digest, MANIFEST_ACCEPT);
        manifest = parseManifest(inner.bytes, inner.contentType);
        if (manifest.kind !== 'image') throw invalid(`manifest ${chosen.digest} is an index inside an index`, 'registry.manifest');
      }
      for (const l of manifest.layers) this.codec(l.mediaType);
      return { ref, session, digest: top.digest, config: manifest.config, layers: manifest.layers };
    } catch (e) {
      throw translate(e, ref);
    }
  }

  /** Downloads what is missing and commits the image; emits dockerd's progress as it goes. */
  async pull(r: ResolvedPull, emit: (e: PullEvent) => void): Promise<string> {
    const { ref } = r;
    const imageId = r.config.digest;
    // By digest, dockerd records only the digest, even if a tag was written too.
    const tagKey = ref.tag && !ref.digest ? `${familiarName(ref)}:${ref.tag}` : undefined;
    const digestKey = `${familiarName(ref)}@${r.digest}`;
    emit({ kind: 'start', repository: ref.path, tagOrDigest: tagOrDigest(ref) });
    const done = (upToDate: boolean): string => {
      emit({ kind: 'done', digest: r.digest, ref: familiarString(ref), upToDate });
      return imageId;
    };
    const named = (key: string | undefined): boolean => key === undefined || this.store.lookup(key) === imageId;
    if (this.store.has(imageId) && named(tagKey) && named(digestKey)) return done(true);

    const tmp = await this.store.tempDir();
    try {
      const configBytes = await fetchConfig(r.session, r.config).catch((e: unknown) => {
        throw translate(e, ref);
      });
      const diffIds = parseImageConfig(configBytes).rootfs.diff_ids;
      if (diffIds.length !== r.layers.length) throw invalid(`the image config lists ${diffIds.length} layers, the manifest ${r.layers.length}`, 'registry.manifest');
      const short = (d: Descriptor): string => d.digest.slice('sha256:'.length, 'sha256:'.length + 12);
      // Held from before the presence check: a layer found here must stay until the commit.
      await this.store.withPendingLayers(diffIds, async () => {
        const present = await Promise.all(diffIds.map((d) => this.store.hasLayer(d)));
        const todo: number[] = [];
        r.layers.forEach((l, i) => {
          emit({ kind: 'layer', id: short(l), phase: present[i] ? 'exists' : 'pulling' });
          if (!present[i]) todo.push(i);
        });
        for (const i of todo.slice(CONCURRENT_DOWNLOADS)) emit({ kind: 'layer', id: short(r.layers[i]!), phase: 'waiting' });
        // Each layer unpacks as it downloads, beside the others; it counts only once verified.
        const fetchAndUnpack = async (i: number): Promise<void> => {
          const desc = r.layers[i]!;
          const id = short(desc);
          const dest = join(tmp, `${i}.tar`);
          let last = 0;
          const progress = (current: number): void => {
            const now = Date.now();
            if (now - last < PROGRESS_EVERY_MS && current < desc.size) return;
            last = now;
            emit({ kind: 'layer', id, phase: 'downloading', current, total: desc.size });
          };
          const { diffId, sink } = await fetchLayer(r.session, desc, this.codec(desc.mediaType), dest, progress, () => this.store.unpackPulledLayer(diffIds[i]!)).catch((e: unknown) => {
            throw translate(e, ref);
          });
          emit({ kind: 'layer', id, phase: 'verifying' });
          if (diffId !== diffIds[i]) {
            await sink.discard();
            throw invalid(`layer ${desc.digest} holds content ${diffId}, the image config says ${diffIds[i]}`, 'registry.diffId');
          }
          emit({ kind: 'layer', id, phase: 'downloaded' });
          emit({ kind: 'layer', id, phase: 'extracting', current: desc.size, total: desc.size });
          await sink.install({ path: dest, digest: desc.digest, size: desc.size });
          emit({ kind: 'layer', id, phase: 'complete' });
        };
        await inParallel(todo, CONCURRENT_DOWNLOADS, fetchAndUnpack);
        await this.store.commitPulled({ configBytes, repoDigest: digestKey, ...(tagKey ? { tag: tagKey } : {}) });
      });
      return done(false);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}

/** Runs fn over items with at most n at once; the first failure fails the whole (others finish). */
async function inParallel<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(n, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  });
  const results = await Promise.allSettled(workers);
  const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
}

/** dockerd's texts for registry answers (moby distribution/errors.go), as scripts match them. */
function translate(e: unknown, ref: RegistryRef): TetherError {
  if (e instanceof RegistryHttpError) {
    switch (e.code) {
      case 'MANIFEST_UNKNOWN':
        return notFound(`manifest for ${familiarString(ref)} not found: ${e.message}`, 'registry.manifestUnknown');
      case 'NAME_UNKNOWN':
        return notFound(`repository ${familiarName(ref)} not found: ${e.message}`, 'registry.nameUnknown');
      case 'DENIED':
        return notFound(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${e.message}`, 'registry.denied');
      case 'NOT_FOUND':
        return notFound(`manifest for ${familiarString(ref)} not found: manifest unknown: ${e.message}`, 'registry.manifestUnknown');
    }
  }
  return asTetherError(e);
}
