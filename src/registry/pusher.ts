// `docker push`: for each tag of the image, every layer blob the registry lacks is uploaded
// (HEAD first: "Layer already exists"), then the config, then a Docker schema2 manifest naming
// them (an OCI manifest when a layer is zstd, as pulled: Docker's schema2 has no zstd type);
// its digest is recorded as a RepoDigest. Uploads are monolithic (POST for a location,
// PUT ?digest= with the bytes), which every distribution registry accepts.
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { notFound } from '../errors.js';
import type { ImageStore, PushableImage } from '../runtime/images.js';
import { sha256 } from './blobs.js';
import type { Credentials, RegistryClient } from './client.js';
import { MEDIA } from './manifest.js';
import { DOCKER_HUB, familiarName, parseRegistryRef } from './reference.js';
import { RegistrySession } from './session.js';
import { asTetherError, readBody, RegistryHttpError } from './wire.js';

const GZIP_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const CONFIG = 'application/vnd.docker.container.image.v1+json';
const OCI = { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', config: 'application/vnd.oci.image.config.v1+json' } as const;
const PROGRESS_EVERY_MS = 100;

export type PushPhase = 'preparing' | 'pushing' | 'pushed' | 'exists';

export type PushEvent =
  | { kind: 'start'; repository: string }
  | { kind: 'layer'; id: string; phase: PushPhase; current?: number; total?: number }
  | { kind: 'done'; tag: string; digest: string; size: number };

export class Pusher {
  constructor(
    private readonly client: RegistryClient,
    private readonly store: ImageStore,
  ) {}

  /** Pushes name:tag, or every tag of name when tag is empty. Errors are thrown in dockerd's words. */
  async push(name: string, tag: string, creds: Credentials | undefined, emit: (e: PushEvent) => void): Promise<void> {
    const ref = parseRegistryRef(tag ? `${name}:${tag}` : name);
    const familiar = familiarName(ref);
    emit({ kind: 'start', repository: ref.domain === DOCKER_HUB ? `docker.io/${ref.path}` : `${ref.domain}/${ref.path}` });
    const tags = tag ? [tag] : this.store.tagsOfRepo(familiar);
    if (tags.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiar}`, 'image.notFound');
    const images = await Promise.all(tags.map(async (t) => ({ tag: t, image: await this.store.pushable(`${familiar}:${t}`) })));
    try {
      const session = await RegistrySession.open(this.client, ref.domain, ref.path, creds, 'pull,push');
      for (const { tag: t, image } of images) {
        const { digest, size } = await this.pushOne(session, t, image, emit);
        await this.store.addRepoDigest(`${familiar}@${digest}`, image.id);
        emit({ kind: 'done', tag: t, digest, size });
      }
    } catch (e) {
      throw asTetherError(e);
    }
  }

  private async pushOne(session: RegistrySession, tag: string, image: PushableImage, emit: (e: PushEvent) => void): Promise<{ digest: string; size: number }> {
    const short = (diffId: string): string => diffId.slice('sha256:'.length, 'sha256:'.length + 12);
    for (const l of [...image.layers].reverse()) emit({ kind: 'layer', id: short(l.diffId), phase: 'preparing' });
    // One after another: a few layers on loopback gain nothing from parallel uploads, and the
    // registry then sees a layer shared by two tags once.
    for (const l of [...image.layers].reverse()) {
      const id = short(l.diffId);
      if (await blobExists(session, l.digest)) {
        emit({ kind: 'layer', id, phase: 'exists' });
        continue;
      }
      let last = 0;
      await upload(session, l.digest, l.size, createReadStream(l.path), (current) => {
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS && current < l.size) return;
        last = now;
        emit({ kind: 'layer', id, phase: 'pushing', current, total: l.size });
      });
      emit({ kind: 'layer', id, phase: 'pushed' });
    }
    const oci = image.layers.some((l) => l.compression === 'zstd');
    const config = { mediaType: oci ? OCI.config : CONFIG, size: image.configBytes.length, digest: image.id };
    if (!(await blobExists(session, config.digest))) await upload(session, config.digest, config.size, Readable.from([image.configBytes]), () => undefined);
    const layerType = (l: PushableImage['layers'][number]): string => (oci ? OCI[l.compression ?? 'gzip'] : GZIP_LAYER);
    const mediaType = oci ? MEDIA.ociManifest : MEDIA.dockerManifest;
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType, config, layers: image.layers.map((l) => ({ mediaType: layerType(l), size: l.size, digest: l.digest })) }, null, 3),
    );
    const res = await session.request('PUT', session.url('manifests', tag), { 'Content-Type': mediaType }, manifest);
    const body = await readBody(res, 1 << 16);
    if (res.statusCode !== 201) throw RegistryHttpError.from(res.statusCode ?? 0, body);
    return { digest: sha256(manifest), size: manifest.length };
  }
}

async function blobExists(session: RegistrySession, digest: string): Promise<boolean> {
  const res = await session.request('HEAD', session.url('blobs', digest));
  res.resume();
  if (res.statusCode === 200) return true;
  if (res.statusCode === 404) return false;
  throw RegistryHttpError.from(res.statusCode ?? 0, Buffer.alloc(0));
}

async function upload(session: RegistrySession, digest: string, size: number, data: Readable, progress: (current: number) => void): Promise<void> {
  const start = await session.request('POST', `/v2/${session.path}/blobs/uploads/`);
  const startBody = await readBody(start, 1 << 16);
  const location = start.headers.location;
  if (start.statusCode !== 202 || !location) throw RegistryHttpError.from(start.statusCode ?? 0, startBody);
  const url = new URL(location, session.endpoint.base);
  url.searchParams.set('digest', digest);
  let sent = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      progress(sent);
      done(null, chunk);
    },
  });
  const res = await session.request('PUT', url.toString(), { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, data.pipe(meter));
  const body = await readBody(res, 1 << 16);
  if (res.statusCode !== 201) throw RegistryHttpError.from(res.statusCode ?? 0, body);
}

