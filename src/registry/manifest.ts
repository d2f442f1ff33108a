// Manifests as registries serve them: Docker schema2 and OCI image manifests, Docker manifest
// lists and OCI indexes (multi-platform), parsed with zod at the edge, and the platform choice
// dockerd makes (the host's os/architecture/variant unless --platform names another).
import { z } from 'zod';
import { invalid, notFound } from '../errors.js';
import { goArch } from '../runtime/image-config.js';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** What we ask for: every form we can read, multi-platform first as dockerd asks. */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

const platform = z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() });
const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(DIGEST, 'unsupported digest (sha256 only)'),
  size: z.number().int().nonnegative(),
  platform: platform.optional(),
  urls: z.array(z.string()).optional(),
});
export type Descriptor = z.infer<typeof descriptor>;
export type Platform = z.infer<typeof platform>;

const indexSchema = z.object({ schemaVersion: z.literal(2), mediaType: z.string().optional(), manifests: z.array(descriptor) });
const imageSchema = z.object({ schemaVersion: z.literal(2), mediaType: z.string().optional(), config: descriptor, layers: z.array(descriptor) });

export type Manifest = ({ kind: 'index' } & z.infer<typeof indexSchema>) | ({ kind: 'image' } & z.infer<typeof imageSchema>);

/** Parses manifest bytes; the media type comes from the body or else the Content-Type header. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('the registry sent a manifest that is not JSON', 'registry.manifest');
  }
  const declared = (raw as { mediaType?: unknown }).mediaType;
  const type = typeof declared === 'string' ? declared : (contentType ?? '').split(';')[0]?.trim();
  if ((raw as { schemaVersion?: unknown }).schemaVersion === 1) {
    throw invalid('Docker Image manifest version 2, schema 1 is not supported: push the image again with a recent client', 'registry.schema1');
  }
  const isIndex = type === MEDIA.ociIndex || type === MEDIA.dockerList || (!type && Array.isArray((raw as { manifests?: unknown }).manifests));
  const r = isIndex ? indexSchema.safeParse(raw) : imageSchema.safeParse(raw);
  if (!r.success) throw invalid(`the registry sent an invalid manifest: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`, 'registry.manifest');
  return isIndex ? { kind: 'index', ...(r.data as z.infer<typeof indexSchema>) } : { kind: 'image', ...(r.data as z.infer<typeof imageSchema>) };
}

/** `linux/arm64/v8` → platform; os and architecture are required, as dockerd's platforms.Parse. */
export function parsePlatform(spec: string): Platform {
  const [os, architecture, variant, ...rest] = spec.toLowerCase().split('/');
  if (!os || !architecture || rest.length > 0 || ![os, architecture, variant ?? 'x'].every((p) => /^[a-z0-9_]+$/.test(p))) {
    throw invalid(`"${spec}": unknown operating system or architecture: invalid argument`, 'registry.platform');
  }
  return { os, architecture: architecture === 'x86_64' ? 'amd64' : architecture === 'aarch64' ? 'arm64' : architecture, ...(variant ? { variant } : {}) };
}

export function hostPlatform(): Platform {
  const architecture = goArch();
  return { os: 'linux', architecture, ...(architecture === 'arm64' ? { variant: 'v8' } : {}) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/');
}

/** The index entry for the platform; arm64 without a variant counts as v8, as containerd's matcher. */
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor {
  const variantOf = (p: Platform): string | undefined => p.variant ?? (p.architecture === 'arm64' ? 'v8' : undefined);
  const match = manifests.find(
    (m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture && (!want.variant || variantOf(m.platform) === variantOf(want)),
  );
  if (!match) throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`, 'registry.platform');
  return match;
}

/** How a layer blob is compressed, from its media type; foreign layers are refused. */
export function layerCompression(mediaType: string | undefined): 'gzip' | 'zstd' | 'none' {
  const t = mediaType ?? 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  if (t.includes('foreign')) throw invalid(`foreign (non-distributable) layers are not supported: ${t}`, 'registry.foreign');
  if (t.endsWith('tar.gzip') || t.endsWith('tar+gzip')) return 'gzip';
  if (t.endsWith('tar+zstd') || t.endsWith('tar.zstd')) return 'zstd';
  if (t.endsWith('.tar') || t.endsWith('diff.tar')) return 'none';
  throw invalid(`unsupported layer media type ${t}`, 'registry.layerType');
}
