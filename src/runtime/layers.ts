// Content-addressed layer store: each layer is unpacked ONCE into layers/<diff id hex>/ and used
// read-only as an overlayfs lower directory by every container of every image that has it.
// A layer counts as present only when its <hex>.json marker exists: the marker is written after
// the unpack and the rename, so a crash mid-unpack leaves a partial directory we redo.
// Beside it, <hex>.blob keeps the layer as a registry holds it (gzip, or zstd as pulled; the
// registry's own bytes for a pulled layer), as containerd's content store does: `docker push` must send bytes whose
// digests match, and an unpacked directory cannot be turned back into the same tar.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { invalid } from '../errors.js';
import { extractTar, extractTarStream, makeWhiteout } from '../kernel/tar.js';
import { setOpaque } from './opaque-dir.js';

const DIGEST = /^sha256:([a-f0-9]{64})$/;
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export interface LayerMeta {
  diffId: string;
  /** Bytes of file content in the layer (hard links counted once), as Docker reports Size. */
  size: number;
  /** The blob kept as <hex>.blob (absent for layers stored before blobs were kept); gzip unless compression says zstd. */
  blob?: KeptBlob;
}

export interface KeptBlob {
  digest: string;
  size: number;
  /** Absent: gzip. */
  compression?: 'zstd';
}

/** A layer being unpacked as it downloads (LayerStore.unpackStreaming). */
export interface StreamingLayer {
  /** The layer's uncompressed tar, in order. */
  readonly input: Writable;
  /** Once the whole tar went in and was verified: the layer is in, with the downloaded blob kept beside it. */
  install(blob: { path: string; digest: string; size: number }): Promise<LayerMeta>;
  /** Stops the unpack and removes what it wrote. */
  discard(): Promise<void>;
}

export function digestHex(digest: string): string {
  const m = DIGEST.exec(digest);
  if (!m?.[1]) throw invalid(`invalid digest ${JSON.stringify(digest)}`, 'image.digest');
  return m[1];
}

/** sha256 of the uncompressed tar stream: the layer's diff id. */
export async function diffIdOf(tarPath: string): Promise<string> {
  const hash = createHash('sha256');
  const gzip = await isGzip(tarPath);
  const source = createReadStream(tarPath);
  if (gzip) await pipeline(source, createGunzip(), hash);
  else await pipeline(source, hash);
  return `sha256:${hash.digest('hex')}`;
}

async function isGzip(path: string): Promise<boolean> {
  return (await compressionOf(path)) === 'gzip';
}

/** From the file's magic number: gzip 1f 8b, zstd frame 28 b5 2f fd. */
async function compressionOf(path: string): Promise<'gzip' | 'zstd' | 'none'> {
  const fh = await open(path, 'r');
  try {
    const { buffer: b, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

export class LayerStore {
  /** Adds under way: a second add of the same layer waits for the first instead of racing it. */
  private readonly adding = new Map<string, Promise<LayerMeta>>();

  constructor(private readonly root: string) {}

  dir(diffId: string): string {
    return join(this.root, digestHex(diffId));
  }

  blobPath(diffId: string): string {
    return `${this.dir(diffId)}.blob`;
  }

  async meta(diffId: string): Promise<LayerMeta | undefined> {
    try {
      return JSON.parse(await readFile(`${this.dir(diffId)}.json`, 'utf8')) as LayerMeta;
    } catch {
      return undefined;
    }
  }

  /**
   * Unpacks tarPath as layer diffId unless it is already present. The archive's uncompressed
   * digest must equal diffId: a mislabelled layer would poison every image that shares it.
   */
  add(diffId: string, tarPath: string): Promise<LayerMeta> {
    return this.once(diffId, async () => {
      const actual = await diffIdOf(tarPath);
      if (actual !== diffId) throw invalid(`layer digest mismatch: expected ${diffId}, got ${actual}`, 'image.layerDigest');
      const partial = await this.partialDir(diffId);
      try {
        await extractTar(tarPath, partial);
        return await this.place(diffId, partial, await keepBlob(tarPath, this.blobPath(diffId)));
      } finally {
        await rm(partial, { recursive: true, force: true });
      }
    });
  }

  /**
   * Starts unpacking a pulled layer while it downloads: its tar goes to `input` as the bytes
   * arrive, so the layer is read once. The puller checks both digests as the bytes stream and
   * then installs the layer, keeping the downloaded blob; or discards it, and nothing stays.
   */
  async unpackStreaming(diffId: string): Promise<StreamingLayer> {
    const partial = await this.partialDir(diffId);
    const tar = extractTarStream(partial);
    const discard = async (): Promise<void> => {
      await tar.kill();
      await rm(partial, { recursive: true, force: true });
    };
    return {
      input: tar.input,
      install: async (blob) => {
        try {
          await tar.finish();
          // Another pull of the same layer may have installed it meanwhile: that one stays.
          return await this.once(diffId, async () => this.place(diffId, partial, await keepBlob(blob.path, this.blobPath(diffId), { digest: blob.digest, size: blob.size })));
        } finally {
          await discard();
        }
      },
      discard,
    };
  }

  /** Runs add unless the layer is present; a second add of the same layer waits for the first instead of racing it. */
  private once(diffId: string, add: () => Promise<LayerMeta>): Promise<LayerMeta> {
    const running = this.adding.get(diffId);
    if (running) return running;
    const adding = this.meta(diffId)
      .then((existing) => existing ?? add())
      .finally(() => this.adding.delete(diffId));
    this.adding.set(diffId, adding);
    return adding;
  }

  private async partialDir(diffId: string): Promise<string> {
    const partial = `${this.dir(diffId)}.partial-${randomBytes(4).toString('hex')}`;
    await mkdir(partial, { recursive: true });
    return partial;
  }

  /** Makes an unpacked directory the layer: whiteouts converted, then renamed, then its marker. */
  private async place(diffId: string, partial: string, blob: KeptBlob): Promise<LayerMeta> {
    const size = await convertWhiteouts(partial);
    const final = this.dir(diffId);
    await rm(final, { recursive: true, force: true });
    await rename(partial, final);
    const meta: LayerMeta = { diffId, size, blob };
    await writeFile(`${final}.json`, JSON.stringify(meta));
    return meta;
  }

  /**
   * Removes layers not in keep (after an image is deleted). leftovers: also the half-written
   * files of kept layers, which only a start-up may do (no add can be running then).
   */
  async prune(keep: ReadonlySet<string>, opts: { leftovers?: boolean } = {}): Promise<void> {
    const keepHex = new Set([...keep].map(digestHex));
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      const hex = name.slice(0, 64);
      if (keepHex.has(hex)) {
        if (opts.leftovers && name.includes('.partial-')) await rm(join(this.root, name), { recursive: true, force: true });
        continue;
      }
      // Marker first: a crash in between leaves a directory we treat as absent and redo.
      await rm(join(this.root, `${hex}.json`), { force: true });
      await rm(join(this.root, name), { recursive: true, force: true });
    }
  }
}

/**
 * Writes the layer's blob to dest: a gzip input is kept as it is (a pulled layer keeps the
 * registry's digest, zstd too), a plain tar is compressed. Returns the blob's digest and size.
 */
async function keepBlob(tarPath: string, dest: string, pulled?: { digest: string; size: number }): Promise<KeptBlob> {
  const tmp = `${dest}.partial-${randomBytes(4).toString('hex')}`;
  try {
    // A pull's compressed download is ours to move, its digest known; a loaded archive's file is only read.
    const compression = pulled ? await compressionOf(tarPath) : 'none';
    if (pulled && compression !== 'none') {
      await rename(tarPath, dest);
      return compression === 'zstd' ? { ...pulled, compression } : pulled;
    }
    if (await isGzip(tarPath)) await copyFile(tarPath, tmp);
    else await pipeline(createReadStream(tarPath), createGzip({ level: 1 }), createWriteStream(tmp, { mode: 0o600 }));
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(tmp) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    await rename(tmp, dest);
    return { digest: `sha256:${hash.digest('hex')}`, size };
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Turns OCI whiteouts into overlayfs ones, in place: `.wh.NAME` becomes a 0:0 character device
 * NAME, `.wh..wh..opq` marks its directory opaque. Returns the layer's content size.
 */
async function convertWhiteouts(root: string): Promise<number> {
  let size = 0;
  const seenInodes = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name === OPAQUE_MARKER) {
        await rm(path);
        await setOpaque(dir);
      } else if (entry.name.startsWith(WHITEOUT_PREFIX)) {
        await rm(path);
        await makeWhiteout(join(dir, entry.name.slice(WHITEOUT_PREFIX.length)));
      } else if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        const st = await lstat(path);
        const inode = `${st.dev}:${st.ino}`;
        if (!seenInodes.has(inode)) size += st.size;
        seenInodes.add(inode);
      } else if (entry.isSymbolicLink()) {
        size += (await lstat(path)).size;
      }
    }
  };
  await walk(root);
  return size;
}
