// The image store under <data-root>/images, without a registry:
//   layers/<hex>/ + <hex>.json   unpacked layers (see layers.ts), shared between images
//   configs/<hex>.json           image config bytes; <hex> is the image id
//   repositories.json            name:tag and name@digest → image id (TagIndex)
//   tmp/                         archives being unpacked, blobs being pulled
// Images come from `docker save` / OCI layout tars (load), plain rootfs tars (import) or a
// registry (addPulled, with blobs the puller has already verified).
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, invalid, notFound } from '../errors.js';
import { extractTar } from '../kernel/tar.js';
import { readArchive, type ArchiveImage } from './image-archive.js';
import { imageIdOf, importedImageConfig, parseImageConfig, type ImageConfigFile } from './image-config.js';
import { looksLikeId, normalizeDigestRef, normalizeRef, refKey, safeNormalize } from './image-ref.js';
import type { ImageDetails, ImageSummary, PulledImage, PushableImage, RemovedItem } from './image-types.js';
import { diffIdOf, digestHex, LayerStore, type StreamingLayer } from './layers.js';
import { JsonTagIndex, type TagIndex } from './tag-index.js';

export type { ImageDetails, ImageSummary, PulledImage, PushableImage, RemovedItem } from './image-types.js';

export interface ImageStoreOptions {
  root: string;
  tags?: TagIndex;
  /** The id of a container using the image, if any: such images are not deleted. */
  containerUsing?: (imageId: string) => Promise<string | undefined>;
}

interface StoredImage {
  config: ImageConfigFile;
  size: number;
}

export class ImageStore {
  private readonly images = new Map<string, StoredImage>();
  private readonly layers: LayerStore;
  /** Commits and deletions one at a time, so a prune never removes a layer a commit just added. */
  private serial: Promise<unknown> = Promise.resolve();
  /** Layers pulls are adding (with how many pulls): every prune keeps them. */
  private readonly pending = new Map<string, number>();

  private constructor(
    private readonly root: string,
    private readonly tags: TagIndex,
    private readonly containerUsing: (imageId: string) => Promise<string | undefined>,
  ) {
    this.layers = new LayerStore(join(root, 'layers'));
  }

  static async open(opts: ImageStoreOptions): Promise<ImageStore> {
    await rm(join(opts.root, 'tmp'), { recursive: true, force: true }); // leftovers of a crash
    for (const sub of ['layers', 'configs', 'tmp']) await mkdir(join(opts.root, sub), { recursive: true });
    const tags = opts.tags ?? new JsonTagIndex(join(opts.root, 'repositories.json'));
    const store = new ImageStore(opts.root, tags, opts.containerUsing ?? (async () => undefined));
    for (const name of await readdir(join(opts.root, 'configs'))) {
      if (!name.endsWith('.json')) continue;
      const bytes = await readFile(join(opts.root, 'configs', name));
      await store.remember(imageIdOf(bytes), parseImageConfig(bytes));
    }
    // Layers of a pull or load that a crash cut short before its config was written.
    await store.layers.prune(store.layersInUse(), { leftovers: true });
    return store;
  }

  /** `docker load`: every image in a docker-archive or OCI layout tar (gzip allowed). */
  async load(archivePath: string): Promise<{ id: string; tags: string[] }[]> {
    return this.withTemp(async (tmp) => {
      await extractTar(archivePath, tmp);
      const loaded: { id: string; tags: string[] }[] = [];
      for (const image of await readArchive(tmp)) loaded.push(await this.serially(() => this.addFromArchive(image)));
      return loaded;
    });
  }

  /** `docker import`: a plain rootfs tar becomes a one-layer image with an empty config. */
  async import(tarPath: string, opts: { ref?: string; comment?: string; now?: Date } = {}): Promise<string> {
    const diffId = await diffIdOf(tarPath);
    const bytes = importedImageConfig(diffId, opts.now ?? new Date(), opts.comment ?? 'Imported from -');
    const id = await this.serially(async () => {
      await this.layers.add(diffId, tarPath);
      return this.addConfig(bytes);
    });
    if (opts.ref) await this.tag(id, opts.ref);
    return id;
  }

  /** A directory under tmp/ for a pull's downloads; removed at the next start if left behind. */
  async tempDir(): Promise<string> {
    const dir = join(this.root, 'tmp', randomBytes(6).toString('hex'));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  has(imageId: string): boolean {
    return this.images.has(imageId);
  }

  hasLayer(diffId: string): Promise<boolean> {
    return this.layers.meta(diffId).then((m) => m !== undefined);
  }

  /** What a tag or digest reference points at now, if anything. */
  lookup(ref: string): string | undefined {
    return this.tags.get(ref);
  }

  /**
   * Runs a pull that adds layers one by one as their downloads finish (unpackPulledLayer) and then
   * commits the image (commitPulled): meanwhile no prune removes those layers. If fn fails, the
   * layers it added that no image uses are removed, so a failed pull leaves nothing.
   */
  async withPendingLayers<T>(diffIds: string[], fn: () => Promise<T>): Promise<T> {
    for (const d of diffIds) this.pending.set(d, (this.pending.get(d) ?? 0) + 1);
    let failed = false;
    try {
      return await fn();
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      for (const d of diffIds) {
        const n = (this.pending.get(d) ?? 1) - 1;
        if (n > 0) this.pending.set(d, n);
        else this.pending.delete(d);
      }
      if (failed) await this.serially(() => this.layers.prune(this.layersInUse()));
    }
  }

  /** Unpacks a pulled layer as it downloads; the puller installs it once both its digests checked out. */
  unpackPulledLayer(diffId: string): Promise<StreamingLayer> {
    return this.layers.unpackStreaming(diffId);
  }

  /** Commits a pulled image whose layers are all in: the config (the image exists from here on), then its names. */
  async commitPulled(img: PulledImage): Promise<string> {
    return this.serially(async () => {
      for (const d of parseImageConfig(img.configBytes).rootfs.diff_ids) {
        if (!(await this.layers.meta(d))) throw invalid(`layer ${d} of the pulled image is missing`, 'image.layers');
      }
      const id = await this.addConfig(img.configBytes);
      await this.tags.set(img.repoDigest, id);
      if (img.tag) await this.tags.set(img.tag, id);
      return id;
    });
  }

  /**
   * `docker image prune`: removes the given images (every name, then the image) except those a
   * container uses. Returns what went and the bytes of the layers that went with them.
   */
  async prune(ids: string[]): Promise<{ removed: RemovedItem[]; reclaimed: number }> {
    const removed: RemovedItem[] = [];
    let reclaimed = 0;
    for (const id of ids) {
      if (!this.images.has(id) || (await this.containerUsing(id))) continue;
      const layersBefore = this.layersInUse();
      const sizes = new Map<string, number>();
      for (const d of layersBefore) sizes.set(d, (await this.layers.meta(d))?.size ?? 0);
      removed.push(...(await this.remove(id, { force: true })));
      const after = this.layersInUse();
      for (const d of layersBefore) if (!after.has(d)) reclaimed += sizes.get(d) ?? 0;
    }
    return { removed, reclaimed };
  }

  /** The image a push of ref sends; layers stored before blobs were kept cannot be pushed. */
  async pushable(ref: string): Promise<PushableImage> {
    const id = this.tags.get(normalizeRef(ref));
    if (!id || !this.images.has(id)) throw notFound(`An image does not exist locally with the tag: ${ref.replace(/:latest$/, '')}`, 'image.notFound');
    const layers: PushableImage['layers'] = [];
    for (const diffId of this.stored(id).config.rootfs.diff_ids) {
      const blob = (await this.layers.meta(diffId))?.blob;
      if (!blob) throw invalid(`layer ${diffId} was stored without its blob and cannot be pushed: remove the image and load or pull it again`, 'image.noBlob');
      layers.push({ diffId, path: this.layers.blobPath(diffId), ...blob });
    }
    return { id, configBytes: await readFile(join(this.root, 'configs', `${digestHex(id)}.json`)), layers };
  }

  /** Tags of one repository (familiar name), for a push without a tag. */
  tagsOfRepo(repo: string): string[] {
    return this.tags.entries().flatMap(([ref]) => (!ref.includes('@') && ref.slice(0, ref.lastIndexOf(':')) === repo ? [ref.slice(ref.lastIndexOf(':') + 1)] : []));
  }

  /** Records name@digest after a push, as dockerd shows it in RepoDigests. */
  async addRepoDigest(ref: string, imageId: string): Promise<void> {
    await this.tags.set(normalizeDigestRef(ref), imageId);
  }

  list(): ImageSummary[] {
    return [...this.images].map(([id, img]) => ({
      id,
      repoTags: this.tagsOf(id),
      repoDigests: this.digestsOf(id),
      created: Math.floor(Date.parse(img.config.created ?? '') / 1000) || 0,
      size: img.size,
      labels: img.config.config?.Labels ?? null,
    }));
  }

  inspect(nameOrId: string): ImageDetails {
    const id = this.resolve(nameOrId);
    const img = this.stored(id);
    return {
      id,
      repoTags: this.tagsOf(id),
      repoDigests: this.digestsOf(id),
      created: img.config.created ?? '0001-01-01T00:00:00Z',
      size: img.size,
      architecture: img.config.architecture ?? '',
      os: img.config.os ?? '',
      author: img.config.author ?? '',
      comment: img.config.comment ?? '',
      dockerVersion: img.config.docker_version ?? '',
      config: img.config.config ?? {},
      layers: [...img.config.rootfs.diff_ids],
    };
  }

  /** The image id (sha256:…) for a name[:tag], a full id or a unique id prefix. */
  resolve(nameOrId: string): string {
    if (looksLikeId(nameOrId)) {
      const hex = nameOrId.replace(/^sha256:/, '');
      const matches = [...this.images.keys()].filter((id) => digestHex(id).startsWith(hex));
      if (matches.length === 1 && matches[0]) return matches[0];
      if (matches.length > 1) throw invalid(`multiple images match id prefix ${nameOrId}`, 'image.ambiguous');
    }
    let ref: string;
    try {
      ref = refKey(nameOrId);
    } catch {
      throw notFound(`No such image: ${nameOrId}`, 'image.notFound');
    }
    const id = this.tags.get(ref);
    if (!id || !this.images.has(id)) throw notFound(`No such image: ${ref}`, 'image.notFound');
    return id;
  }

  /** Unpacked layer directories of an image, base layer first (for the container rootfs). */
  layerDirs(imageId: string): string[] {
    return this.stored(imageId).config.rootfs.diff_ids.map((d) => this.layers.dir(d));
  }

  async tag(imageId: string, ref: string): Promise<void> {
    this.stored(imageId);
    await this.tags.set(normalizeRef(ref), imageId);
  }

  /** `docker rmi`: untags a name, deletes an image no name and no container still uses. */
  async remove(nameOrId: string, opts: { force?: boolean } = {}): Promise<RemovedItem[]> {
    const id = this.resolve(nameOrId);
    const byName = !looksLikeId(nameOrId) || this.tagsOf(id).includes(safeNormalize(nameOrId));
    if (nameOrId.includes('@')) {
      // By digest: that name goes; the image stays while a tag still names it.
      await this.tags.delete(refKey(nameOrId));
      if (this.tagsOf(id).length > 0 || this.digestsOf(id).length > 0) return [{ untagged: refKey(nameOrId) }];
    }
    const tags = this.tagsOf(id);
    const user = await this.containerUsing(id);
    const short = digestHex(id).slice(0, 12);
    if (!byName && tags.length > 1 && !opts.force) {
      throw conflict(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`, 'image.multipleRefs');
    }
    const untag = byName ? [normalizeRef(nameOrId)] : tags;
    const left = tags.filter((t) => !untag.includes(t));
    if (user && left.length === 0 && !opts.force) {
      const what = byName ? `repository reference "${nameOrId}"` : short;
      throw conflict(`conflict: unable to remove ${what} (must force) - container ${user.slice(0, 12)} is using its referenced image ${short}`, 'image.inUse');
    }
    const removed: RemovedItem[] = [];
    for (const t of untag) {
      await this.tags.delete(t);
      removed.push({ untagged: t });
    }
    if (left.length > 0 || user) return removed;
    // The name@digest records go with the image, and dockerd lists them as untagged.
    for (const d of this.digestsOf(id)) removed.push({ untagged: d });
    await this.deleteImage(id);
    removed.push({ deleted: id });
    return removed;
  }

  private async addFromArchive(image: ArchiveImage): Promise<{ id: string; tags: string[] }> {
    const bytes = await readFile(image.configPath);
    const diffIds = parseImageConfig(bytes).rootfs.diff_ids;
    if (diffIds.length !== image.layerPaths.length) {
      throw invalid(`image config lists ${diffIds.length} layers, the archive has ${image.layerPaths.length}`, 'image.archive');
    }
    for (const [i, path] of image.layerPaths.entries()) await this.layers.add(diffIds[i] ?? '', path);
    const id = await this.addConfig(bytes);
    for (const t of image.tags) await this.tags.set(t, id);
    return { id, tags: image.tags };
  }

  private async addConfig(bytes: Buffer): Promise<string> {
    const id = imageIdOf(bytes);
    await writeFile(join(this.root, 'configs', `${digestHex(id)}.json`), bytes);
    await this.remember(id, parseImageConfig(bytes));
    return id;
  }

  private async remember(id: string, config: ImageConfigFile): Promise<void> {
    let size = 0;
    for (const d of config.rootfs.diff_ids) size += (await this.layers.meta(d))?.size ?? 0;
    this.images.set(id, { config, size });
  }

  private deleteImage(id: string): Promise<void> {
    return this.serially(async () => {
      this.images.delete(id);
      await rm(join(this.root, 'configs', `${digestHex(id)}.json`), { force: true });
      for (const [ref, v] of this.tags.entries()) if (v === id) await this.tags.delete(ref);
      await this.layers.prune(this.layersInUse());
    });
  }

  private layersInUse(): Set<string> {
    return new Set([...[...this.images.values()].flatMap((img) => img.config.rootfs.diff_ids), ...this.pending.keys()]);
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.serial.then(fn, fn);
    this.serial = next.catch(() => undefined);
    return next;
  }

  private stored(id: string): StoredImage {
    const img = this.images.get(id);
    if (!img) throw notFound(`No such image: ${id}`, 'image.notFound');
    return img;
  }

  private tagsOf(id: string): string[] {
    return this.namesOf(id).filter((ref) => !ref.includes('@'));
  }

  private digestsOf(id: string): string[] {
    return this.namesOf(id).filter((ref) => ref.includes('@'));
  }

  private namesOf(id: string): string[] {
    return this.tags
      .entries()
      .filter(([, v]) => v === id)
      .map(([ref]) => ref)
      .sort();
  }

  private async withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await this.tempDir();
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
