// The image config JSON (Docker image spec v1 / OCI image config): parsed from untrusted archives,
// kept verbatim on disk (its sha256 is the image id), and read back for inspect and run.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { invalid } from '../errors.js';

const stringList = z.array(z.string()).nullish();

/** The part a container is started from. Field names are the image format's own. */
export const imageRuntimeConfig = z
  .object({
    User: z.string().optional(),
    Env: stringList,
    Cmd: stringList,
    Entrypoint: stringList,
    WorkingDir: z.string().optional(),
    ExposedPorts: z.record(z.object({}).passthrough()).nullish(),
    Volumes: z.record(z.object({}).passthrough()).nullish(),
    Labels: z.record(z.string()).nullish(),
    StopSignal: z.string().optional(),
  })
  .passthrough();

export const imageConfigFile = z
  .object({
    architecture: z.string().optional(),
    os: z.string().optional(),
    created: z.string().optional(),
    author: z.string().optional(),
    comment: z.string().optional(),
    docker_version: z.string().optional(),
    config: imageRuntimeConfig.nullish(),
    rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(z.string()) }),
    history: z.array(z.object({}).passthrough()).optional(),
  })
  .passthrough();

export type ImageRuntimeConfig = z.infer<typeof imageRuntimeConfig>;
export type ImageConfigFile = z.infer<typeof imageConfigFile>;

export function parseImageConfig(bytes: Buffer | string): ImageConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString());
  } catch (e) {
    throw invalid(`image config is not JSON: ${(e as Error).message}`, 'image.config');
  }
  const r = imageConfigFile.safeParse(raw);
  if (!r.success) throw invalid(`bad image config: ${r.error.issues[0]?.message ?? ''}`, 'image.config');
  return r.data;
}

/** Docker's image id: the sha256 of the config bytes exactly as stored. */
export function imageIdOf(configBytes: Buffer): string {
  return `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
}

/** The config `docker import` writes: one layer, no runtime settings. */
export function importedImageConfig(diffId: string, created: Date, comment: string): Buffer {
  const at = created.toISOString();
  const config = {
    architecture: goArch(),
    comment,
    config: {},
    created: at,
    history: [{ created: at, comment }],
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
  return Buffer.from(JSON.stringify(config));
}

export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
  return map[process.arch] ?? process.arch;
}
