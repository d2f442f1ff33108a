// /images routes on the local image store: `docker load` (docker-archive/OCI tars), `docker
// import` (rootfs tars) and `docker pull` from registries (registry/puller.ts).
// Archives are streamed to a temporary file under the data root (bounded in size) and handed to
// the store, which unpacks them; nothing of the upload is held in memory.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '../../engine/engine.js';
import { invalid } from '../../errors.js';
import type { RegistryClient } from '../../registry/client.js';
import { Puller } from '../../registry/puller.js';
import { Pusher } from '../../registry/pusher.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import { parseFilters } from '../docker/filters.js';
import { selectImages } from '../docker/image-filters.js';
import { jsonMessage, loadedMessages, toDeleteResponse, toImageInspect, toImageSummary, toPruneResponse } from '../docker/image-json.js';
import { decodeRegistryAuth, errorMessage, pullMessages } from '../docker/pull-json.js';
import { pushMessages } from '../docker/push-json.js';
import { toHttpError } from '../errors.js';
import { baseHeaders } from '../http.js';
import type { Route, RouteContext } from '../router.js';
import { queryBool } from './containers.js';

/** Largest archive accepted by load/import. dockerd has no limit; a daemon must not fill its disk on one request. */
export const MAX_IMAGE_ARCHIVE = 8 * 1024 ** 3;

/** Streams the request body to a new file in dir; over the limit → 400 (and the upload is cut). */
export async function receiveArchive(req: IncomingMessage, dir: string, limit = MAX_IMAGE_ARCHIVE): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw invalid(`image archive too large: ${declared} bytes, at most ${limit}`, 'image.archiveTooLarge');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `upload-${randomBytes(8).toString('hex')}.tar`);
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limit) done(invalid(`image archive too large: more than ${limit} bytes`, 'image.archiveTooLarge'));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(req, cap, createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    await rm(path, { force: true });
    throw e;
  }
  return path;
}

/** Answers a JSON message stream the way dockerd does for load/import (CLI decodes it as such). */
function sendMessages(ctx: RouteContext, body: string): 'handled' {
  ctx.res.writeHead(200, { ...baseHeaders(), 'Content-Type': 'application/json' });
  ctx.res.end(body);
  return 'handled';
}

/** `repo` and `tag` query parameters as one reference (the CLI may also put the tag into repo). */
function refOf(repo: string, tag: string): string {
  return tag ? `${repo}:${tag}` : repo;
}

/** fromImage and tag as dockerd joins them: a tag that parses as a digest makes name@digest. */
function pullRefOf(fromImage: string, tag: string): string {
  return /^sha256:[a-f0-9]{64}$/.test(tag) ? `${fromImage}@${tag}` : refOf(fromImage, tag);
}

/**
 * A pull: the manifest is resolved before any byte is sent, so "not found" and "unauthorized"
 * are HTTP errors the CLI prints as such; after that, progress lines and a failure as an error
 * message in the stream, as dockerd does.
 */
async function pullImage(ctx: RouteContext, puller: Puller, ref: string): Promise<'handled'> {
  const { query, req, res } = ctx;
  req.resume();
  const platform = query.get('platform') ?? '';
  const creds = decodeRegistryAuth(req.headers['x-registry-auth']);
  const resolved = await puller.resolve({ ref, ...(platform ? { platform } : {}), ...(creds ? { creds } : {}) });
  res.writeHead(200, { ...baseHeaders(), 'Content-Type': 'application/json' });
  try {
    await puller.pull(resolved, (e) => res.write(pullMessages(e)));
  } catch (e) {
    res.write(errorMessage(toHttpError(e).message));
  }
  res.end();
  return 'handled';
}

export function imageRoutes(engine: Engine, runtime: ContainerRuntime, registry: RegistryClient): Route[] {
  const images = runtime.images;
  const puller = new Puller(registry, images, { zstd: () => runtime.kernel.zstdDecoder() });
  const pusher = new Pusher(registry, images);
  const uploads = join(engine.config.dataRoot, 'tmp', 'uploads');
  // Uploads cut short by a daemon crash are left behind; drop them before the first new one.
  const leftoversGone = rm(uploads, { recursive: true, force: true }).catch(() => undefined);
  /** Runs fn on the uploaded archive and removes the file whatever happens. */
  const withUpload = async <T>(req: IncomingMessage, fn: (path: string) => Promise<T>): Promise<T> => {
    await leftoversGone;
    const path = await receiveArchive(req, uploads);
    try {
      return await fn(path);
    } finally {
      await rm(path, { force: true });
    }
  };

  return [
    {
      method: 'POST',
      path: '/images/load',
      // quiet only drops progress bars in dockerd; we send none, so it changes nothing.
      handler: async (ctx) => sendMessages(ctx, loadedMessages(await withUpload(ctx.req, (path) => images.load(path)))),
    },
    {
      method: 'POST',
      path: '/images/create',
      handler: async (ctx) => {
        const { query, req } = ctx;
        const fromImage = query.get('fromImage');
        if (fromImage) return pullImage(ctx, puller, pullRefOf(fromImage, query.get('tag') ?? ''));
        const fromSrc = query.get('fromSrc');
        if (fromSrc !== '-') {
          req.resume();
          throw invalid(fromSrc ? 'importing from a URL is not supported: tether has no network access for images; pipe the archive in with -' : 'fromImage or fromSrc is required', 'image.source');
        }
        if (query.getAll('changes').some((c) => c.trim() !== '')) {
          req.resume();
          throw invalid('docker import --change is not supported', 'image.importChanges');
        }
        const repo = query.get('repo') ?? '';
        const ref = repo ? refOf(repo, query.get('tag') ?? '') : undefined;
        const message = query.get('message') ?? '';
        const id = await withUpload(req, (path) => images.import(path, { ...(ref ? { ref } : {}), ...(message ? { comment: message } : {}) }));
        return sendMessages(ctx, jsonMessage({ status: id }));
      },
    },
    {
      method: 'POST',
      path: '/images/:name*/push',
      // As dockerd: everything, failures included, goes into the stream after a 200.
      handler: async ({ params, query, req, res }) => {
        req.resume();
        const creds = decodeRegistryAuth(req.headers['x-registry-auth']);
        res.writeHead(200, { ...baseHeaders(), 'Content-Type': 'application/json' });
        try {
          await pusher.push(params['name']!, query.get('tag') ?? '', creds, (e) => res.write(pushMessages(e)));
        } catch (e) {
          res.write(errorMessage(toHttpError(e).message));
        }
        res.end();
        return 'handled';
      },
    },
    {
      method: 'POST',
      path: '/images/prune',
      handler: async ({ query }) => {
        const filters = parseFilters(query.get('filters'));
        const unknown = Object.keys(filters).find((k) => k !== 'dangling' && k !== 'label');
        if (unknown) throw invalid(`invalid filter '${unknown}'`, 'filter.key');
        // Untagged images only, unless dangling=false (`docker image prune -a`): then all unused.
        const all = (filters['dangling'] ?? []).some((v) => v === 'false' || v === '0');
        const { label } = filters;
        const selected = selectImages(images.list(), { ...(label ? { label } : {}), ...(all ? {} : { dangling: ['true'] }) }, { created: () => 0 });
        const { removed, reclaimed } = await images.prune(selected.map((i) => i.id));
        return { status: 200, body: toPruneResponse(removed, reclaimed) };
      },
    },
    {
      method: 'GET',
      path: '/images/json',
      handler: async ({ query, apiVersion }) => {
        const filters = parseFilters(query.get('filters'));
        // Older clients send ?filter=<reference> instead of a reference filter.
        const legacy = query.get('filter');
        if (legacy) filters['reference'] = [...(filters['reference'] ?? []), legacy];
        const list = selectImages(images.list(), filters, { created: (ref) => Math.floor(Date.parse(images.inspect(ref).created) / 1000) || 0 });
        list.sort((a, b) => b.created - a.created);
        return { status: 200, body: list.map((s) => toImageSummary(s, apiVersion)) };
      },
    },
    {
      method: 'GET',
      path: '/images/:name*/json',
      handler: async ({ params, apiVersion }) => ({ status: 200, body: toImageInspect(images.inspect(params['name']!), apiVersion) }),
    },
    {
      method: 'POST',
      path: '/images/:name*/tag',
      handler: async ({ params, query }) => {
        const repo = query.get('repo') ?? '';
        if (!repo) throw invalid('repository name must have at least one component', 'image.ref');
        await images.tag(images.resolve(params['name']!), refOf(repo, query.get('tag') ?? ''));
        return { status: 201 };
      },
    },
    {
      method: 'DELETE',
      path: '/images/:name*',
      handler: async ({ params, query }) => ({
        status: 200,
        body: toDeleteResponse(await images.remove(params['name']!, { force: queryBool(query, 'force') })),
      }),
    },
  ];
}
