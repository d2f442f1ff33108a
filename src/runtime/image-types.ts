// The image store's public shapes (images.ts): what list, inspect, rmi, push and pull exchange.
import type { ImageRuntimeConfig } from './image-config.js';
import type { KeptBlob } from './layers.js';

export interface ImageSummary {
  id: string;
  repoTags: string[];
  /** name@digest of the manifests this image was pulled by. */
  repoDigests: string[];
  /** Unix seconds, as GET /images/json reports Created. */
  created: number;
  size: number;
  labels: Record<string, string> | null;
}

export interface ImageDetails {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** RFC 3339 as in the config (GET /images/{name}/json). */
  created: string;
  size: number;
  architecture: string;
  os: string;
  author: string;
  comment: string;
  dockerVersion: string;
  config: ImageRuntimeConfig;
  /** Diff ids, base layer first (RootFS.Layers). */
  layers: string[];
}

/** One line of DELETE /images/{name}: {Untagged} or {Deleted}. */
export type RemovedItem = { untagged: string } | { deleted: string };

/** What a push sends: the config bytes and, per layer base first, its kept blob (gzip, or zstd as pulled). */
export interface PushableImage {
  id: string;
  configBytes: Buffer;
  layers: ({ diffId: string; path: string } & KeptBlob)[];
}

/** A pulled image whose layers are in: its config bytes and names. */
export interface PulledImage {
  configBytes: Buffer;
  /** name:tag to point at the image, if pulled by tag. */
  tag?: string;
  /** name@digest of the manifest it was pulled by. */
  repoDigest: string;
}
