import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageSummary } from '../../runtime/images.js';
import { selectImages } from './image-filters.js';

const img = (id: string, repoTags: string[], created: number, labels: Record<string, string> | null = null): ImageSummary => ({ id, repoTags, repoDigests: [], created, size: 1, labels });
const images = [
  img('sha256:a', ['busybox:latest', 'example.com/team/bb:v1'], 100, { tier: 'base' }),
  img('sha256:b', ['alpine:3'], 200),
  img('sha256:c', [], 300),
];
const ctx = { created: (ref: string) => images.find((i) => i.repoTags.includes(ref))?.created ?? 0 };
const ids = (f: Record<string, string[]>) => selectImages(images, f, ctx).map((i) => `${i.id}=${i.repoTags.join(',')}`);

test('reference lists only the matching names of an image, globs stay in a path segment', () => {
  assert.deepEqual(ids({ reference: ['example.com/team/bb'] }), ['sha256:a=example.com/team/bb:v1']);
  assert.deepEqual(ids({ reference: ['busybox:latest'] }), ['sha256:a=busybox:latest']);
  assert.deepEqual(ids({ reference: ['*:3'] }), ['sha256:b=alpine:3']);
  assert.deepEqual(ids({ reference: ['*'] }), ['sha256:a=busybox:latest', 'sha256:b=alpine:3']);
});

test('dangling, label, before, since; unknown keys and bad values are 400s', () => {
  assert.deepEqual(ids({ dangling: ['true'] }), ['sha256:c=']);
  assert.deepEqual(ids({ dangling: ['false'] }).length, 2);
  assert.deepEqual(ids({ label: ['tier=base'] }), ['sha256:a=busybox:latest,example.com/team/bb:v1']);
  assert.deepEqual(ids({ before: ['alpine:3'] }), ['sha256:a=busybox:latest,example.com/team/bb:v1']);
  assert.deepEqual(ids({ since: ['alpine:3'] }), ['sha256:c=']);
  assert.throws(() => ids({ nope: ['x'] }), /Invalid filter 'nope'/);
  assert.throws(() => ids({ dangling: ['maybe'] }), /Invalid filter 'dangling=maybe'/);
});
