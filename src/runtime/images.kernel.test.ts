// Root-only (tar keeps owners, mknod, overlay mount): the image store against real archives —
// the busybox docker-archive from scripts/, an OCI layout with a gzip layer built here, a plain
// rootfs import, and a two-layer image whose whiteouts must hide lower files in an overlay.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createTestHost, type TestHost } from '../../test/helpers/testhost.js';
import { inRootfsMountNs } from '../kernel/mount.js';
import { ImageStore } from './images.js';

const PROJECT = process.cwd();
let host: TestHost;
let busyboxTar: string;
let busyboxId: string;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Writes a deterministic tar of dir's contents to out and returns out. */
function tarOf(dir: string, out: string): string {
  execFileSync('tar', ['-c', '-f', out, '-C', dir, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '.']);
  return out;
}

before(() => {
  host = createTestHost('img');
  busyboxTar = join(host.dir, 'busybox.tar');
  busyboxId = execFileSync(join(PROJECT, 'scripts', 'build-busybox-image.sh'), [busyboxTar], { encoding: 'utf8' }).trim();
});

after(() => host?.dispose());

describe('image store', () => {
  it('builds busybox deterministically', () => {
    const again = join(host.dir, 'busybox-again.tar');
    execFileSync(join(PROJECT, 'scripts', 'build-busybox-image.sh'), [again]);
    assert.equal(sha(readFileSync(again)), sha(readFileSync(busyboxTar)));
  });

  it('loads a docker-archive once and answers list/inspect like Docker', async () => {
    const root = join(host.dir, 'store1');
    const store = await ImageStore.open({ root });
    assert.deepEqual(await store.load(busyboxTar), [{ id: busyboxId, tags: ['busybox:latest'] }]);
    const [layerDir] = store.layerDirs(busyboxId);
    assert.ok(layerDir && existsSync(join(layerDir, 'bin', 'busybox')));
    const inode = statSync(join(layerDir, 'bin', 'sh')).ino;
    await store.load(busyboxTar); // second load: the layer is not unpacked again
    assert.equal(statSync(join(layerDir, 'bin', 'sh')).ino, inode);

    const [summary] = store.list();
    assert.equal(summary?.id, busyboxId);
    assert.deepEqual(summary?.repoTags, ['busybox:latest']);
    const binary = statSync('/bin/busybox').size;
    assert.ok(summary && summary.size > binary && summary.size < binary + 4096, `size ${summary?.size}`);
    const details = store.inspect('docker.io/library/busybox');
    assert.deepEqual(details.config, {});
    assert.equal(details.os, 'linux');
    assert.equal(details.layers.length, 1);
    assert.equal(store.resolve(busyboxId.slice(7, 19)), busyboxId);

    const reopened = await ImageStore.open({ root });
    assert.equal(reopened.inspect('busybox:latest').id, busyboxId);
    assert.throws(() => reopened.inspect('nosuch'), /No such image: nosuch:latest/);
  });

  it('loads an OCI layout with a gzip layer', async () => {
    const work = join(host.dir, 'oci');
    const rootfs = join(work, 'rootfs');
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(join(rootfs, 'etc', 'motd'), 'hello oci\n');
    const layer = readFileSync(tarOf(rootfs, join(work, 'layer.tar')));
    const gz = gzipSync(layer);
    const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', config: { Cmd: ['sh'], Env: ['A=1'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] } }));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha(config)}`, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${sha(gz)}`, size: gz.length }],
    }));
    const layout = join(work, 'layout');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    for (const blob of [gz, config, manifest]) writeFileSync(join(layout, 'blobs', 'sha256', sha(blob)), blob);
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(layout, 'index.json'), JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(manifest)}`, size: manifest.length, annotations: { 'io.containerd.image.name': 'docker.io/library/motd:1', 'org.opencontainers.image.ref.name': '1' } }],
    }));
    const store = await ImageStore.open({ root: join(host.dir, 'store2') });
    const [loaded] = await store.load(tarOf(layout, join(work, 'oci.tar')));
    assert.ok(loaded);
    assert.deepEqual(loaded, { id: `sha256:${sha(config)}`, tags: ['motd:1'] });
    assert.deepEqual(store.inspect('motd:1').config.Cmd, ['sh']);
    const [dir] = store.layerDirs(loaded.id);
    assert.equal(readFileSync(join(dir ?? '', 'etc', 'motd'), 'utf8'), 'hello oci\n');
  });

  it('imports a gzipped rootfs tar as a one-layer image with an empty config', async () => {
    const work = join(host.dir, 'imp');
    mkdirSync(join(work, 'rootfs', 'bin'), { recursive: true });
    writeFileSync(join(work, 'rootfs', 'bin', 'tool'), 'x');
    const gzPath = join(work, 'rootfs.tar.gz');
    writeFileSync(gzPath, gzipSync(readFileSync(tarOf(join(work, 'rootfs'), join(work, 'rootfs.tar')))));
    const store = await ImageStore.open({ root: join(host.dir, 'store3') });
    const id = await store.import(gzPath, { ref: 'imported:v1' });
    const d = store.inspect('imported:v1');
    assert.equal(d.id, id);
    assert.deepEqual(d.config, {});
    assert.equal(d.comment, 'Imported from -');
    assert.equal(d.size, 1);
  });

  it('refuses a layer whose content does not match its diff id', async () => {
    const work = join(host.dir, 'bad');
    mkdirSync(work, { recursive: true });
    execFileSync('tar', ['-x', '-f', busyboxTar, '-C', work]);
    const [m] = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    writeFileSync(join(work, m?.Layers[0] ?? ''), readFileSync(tarOf(join(PROJECT, 'scripts'), join(host.dir, 'other.tar'))));
    const store = await ImageStore.open({ root: join(host.dir, 'store4') });
    await assert.rejects(store.load(tarOf(work, join(host.dir, 'bad.tar'))), /layer digest mismatch/);
    assert.deepEqual(store.list(), []);
  });

  it('unpacks a pulled layer as it streams: two pulls of it install it once; a dropped or broken one leaves nothing', async () => {
    const root = join(host.dir, 'store-stream');
    const store = await ImageStore.open({ root });
    const src = join(host.dir, 'stream-src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'f'), 'streamed\n');
    const tar = readFileSync(tarOf(src, join(host.dir, 'stream.tar')));
    const diffId = `sha256:${sha(tar)}`;
    const gz = gzipSync(tar);
    const layers = join(root, 'layers');
    const dropped = await store.unpackPulledLayer(diffId);
    dropped.input.write(tar.subarray(0, 1024));
    await dropped.discard();
    const broken = await store.unpackPulledLayer(diffId);
    broken.input.end(Buffer.alloc(4096, 'x'));
    await assert.rejects(broken.install({ path: join(host.dir, 'none.gz'), digest: `sha256:${sha(gz)}`, size: gz.length }), /tar -x: /);
    assert.deepEqual(readdirSync(layers), []);

    const pulls = await Promise.all([0, 1].map(() => store.unpackPulledLayer(diffId)));
    const metas = await Promise.all(
      pulls.map((p, i) => {
        const blob = join(host.dir, `stream${i}.gz`);
        writeFileSync(blob, gz);
        p.input.end(tar);
        return p.install({ path: blob, digest: `sha256:${sha(gz)}`, size: gz.length });
      }),
    );
    assert.deepEqual(metas[0], metas[1]);
    const hex = sha(tar);
    assert.deepEqual(readdirSync(layers).sort(), [hex, `${hex}.blob`, `${hex}.json`]);
    assert.equal(readFileSync(join(layers, hex, 'f'), 'utf8'), 'streamed\n');
    assert.ok(readFileSync(join(layers, `${hex}.blob`)).equals(gz));
  });

  it('turns whiteouts and opaque markers into overlayfs ones', async () => {
    const work = join(host.dir, 'wh');
    const lower = join(work, 'l1');
    const upper = join(work, 'l2');
    mkdirSync(join(lower, 'etc'), { recursive: true });
    mkdirSync(join(lower, 'data'), { recursive: true });
    writeFileSync(join(lower, 'etc', 'gone'), 'old');
    writeFileSync(join(lower, 'etc', 'kept'), 'kept');
    writeFileSync(join(lower, 'data', 'hidden'), 'old');
    mkdirSync(join(upper, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'data'), { recursive: true });
    writeFileSync(join(upper, 'etc', '.wh.gone'), '');
    writeFileSync(join(upper, 'data', '.wh..wh..opq'), '');
    writeFileSync(join(upper, 'data', 'new'), 'new');
    const archive = join(work, 'archive');
    const diffIds: string[] = [];
    for (const [i, dir] of [lower, upper].entries()) {
      mkdirSync(join(archive, `l${i}`), { recursive: true });
      diffIds.push(`sha256:${sha(readFileSync(tarOf(dir, join(archive, `l${i}`, 'layer.tar'))))}`);
    }
    const config = Buffer.from(JSON.stringify({ os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }));
    writeFileSync(join(archive, 'config.json'), config);
    writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['wh:latest'], Layers: ['l0/layer.tar', 'l1/layer.tar'] }]));
    const store = await ImageStore.open({ root: join(host.dir, 'store5') });
    const [img] = await store.load(tarOf(archive, join(work, 'wh.tar')));
    const target = join(work, 'merged');
    for (const d of ['merged', 'up', 'wk']) mkdirSync(join(work, d));
    const overlay = { lowerDirs: store.layerDirs(img?.id ?? '').reverse(), upperDir: join(work, 'up'), workDir: join(work, 'wk'), target };
    const [cmd, ...args] = inRootfsMountNs(overlay, undefined, ['ls', join(target, 'etc'), join(target, 'data')]);
    // A deadline of its own: a sync call that hangs would stall the whole file until the runner's 300 s.
    const seen = execFileSync(cmd!, args, { encoding: 'utf8', timeout: 30_000 });
    assert.equal(seen, `${join(target, 'data')}:\nnew\n\n${join(target, 'etc')}:\nkept\n`);
  });

  it('removes by name: untags, deletes the image and prunes its layers', async () => {
    const root = join(host.dir, 'store6');
    const store = await ImageStore.open({ root });
    await store.load(busyboxTar);
    await store.tag(busyboxId, 'mybox:1');
    assert.deepEqual(await store.remove('busybox'), [{ untagged: 'busybox:latest' }]);
    assert.deepEqual(await store.remove(busyboxId.slice(7, 19)), [{ untagged: 'mybox:1' }, { deleted: busyboxId }]);
    await assert.rejects(store.remove('nosuch'), /No such image/);
    assert.deepEqual(store.list(), []);
    assert.deepEqual(readdirSync(join(root, 'layers')), []);
  });

  it('refuses to delete an image a container uses', async () => {
    const store = await ImageStore.open({ root: join(host.dir, 'store7'), containerUsing: async () => 'c'.repeat(64) });
    await store.load(busyboxTar);
    await assert.rejects(store.remove('busybox'), /container cccccccccccc is using its referenced image/);
    assert.deepEqual(await store.remove('busybox', { force: true }), [{ untagged: 'busybox:latest' }]);
    assert.equal(store.list().length, 1);
  });
});
