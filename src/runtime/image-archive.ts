// Reads the images held in an unpacked `docker save` archive (manifest.json, legacy or the
// OCI-layout variant Docker 25+ writes) or an OCI image layout (index.json + blobs/sha256/…).
// Everything read here is untrusted input: parsed with zod, paths kept inside the archive.
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { invalid } from '../errors.js';
import { goArch } from './image-config.js';
import { digestHex } from './layers.js';
import { normalizeRef } from './image-ref.js';

export interface ArchiveImage {
  /** Normalised name:tag references the archive gives this image (may be empty). */
  tags: string[];
  /** Path of the image config JSON inside the unpacked archive. */
  configPath: string;
  /** Layer tar paths inside the unpacked archive, base layer first. */
  layerPaths: string[];
}

const dockerManifest = z.array(
  z.object({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  annotations: z.record(z.string()).nullish(),
  platform: z.object({ architecture: z.string(), os: z.string() }).partial().optional(),
});
const ociIndex = z.object({ manifests: z.array(descriptor) });
const ociManifest = z.object({ config: descriptor, layers: z.array(descriptor) });

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

/** Finds the images in the archive unpacked at root. */
export async function readArchive(root: string): Promise<ArchiveImage[]> {
  const manifest = await readJsonIfPresent(root, 'manifest.json');
  if (manifest !== undefined) return fromDockerManifest(root, manifest);
  const index = await readJsonIfPresent(root, 'index.json');
  if (index !== undefined) return fromOciIndex(root, index);
  throw invalid('not an image archive: neither manifest.json nor index.json found', 'image.archive');
}

function fromDockerManifest(root: string, raw: unknown): ArchiveImage[] {
  const parsed = parse(dockerManifest, raw, 'manifest.json');
  return parsed.map((m) => ({
    tags: (m.RepoTags ?? []).map(normalizeRef),
    configPath: inside(root, m.Config),
    layerPaths: m.Layers.map((l) => inside(root, l)),
  }));
}

async function fromOciIndex(root: string, raw: unknown): Promise<ArchiveImage[]> {
  const images: ArchiveImage[] = [];
  for (const desc of parse(ociIndex, raw, 'index.json').manifests) {
    const manifest = await resolveManifest(root, desc);
    if (!manifest) continue;
    images.push({
      tags: tagsOf(desc.annotations ?? {}),
      configPath: blobPath(root, manifest.config.digest),
      layerPaths: manifest.layers.map((l) => blobPath(root, l.digest)),
    });
  }
  return images;
}

/** Follows a nested index (multi-platform image) down to the manifest for this machine. */
async function resolveManifest(root: string, desc: z.infer<typeof descriptor>): Promise<z.infer<typeof ociManifest> | undefined> {
  const blob: unknown = JSON.parse(await readFile(blobPath(root, desc.digest), 'utf8'));
  const nested = ociIndex.safeParse(blob);
  if (!nested.success) return parse(ociManifest, blob, desc.digest);
  const arch = goArch();
  const mine = nested.data.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
  return mine ? resolveManifest(root, mine) : undefined;
}

/** Docker writes the full name in containerd's annotation; ref.name may be only a tag. */
function tagsOf(annotations: Record<string, string>): string[] {
  const name = annotations[CONTAINERD_NAME] ?? annotations[REF_NAME];
  if (!name || !/[/:]/.test(name)) return [];
  return [normalizeRef(name)];
}

function blobPath(root: string, digest: string): string {
  return join(root, 'blobs', 'sha256', digestHex(digest));
}

function inside(root: string, rel: string): string {
  const abs = resolve(root, rel);
  if (!abs.startsWith(`${resolve(root)}${sep}`)) throw invalid(`archive path escapes the archive: ${rel}`, 'image.archive');
  return abs;
}

async function readJsonIfPresent(root: string, name: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(root, name), 'utf8')) as unknown;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(`bad ${name} in image archive: ${(e as Error).message}`, 'image.archive');
  }
}

function parse<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid(`bad ${what} in image archive: ${r.error.issues[0]?.message ?? ''}`, 'image.archive');
  return r.data;
}
