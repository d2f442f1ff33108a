import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeRef } from './image-ref.js';

describe('image references', () => {
  it('normalises to Docker’s familiar name:tag', () => {
    assert.equal(normalizeRef('busybox'), 'busybox:latest');
    assert.equal(normalizeRef('docker.io/library/busybox:1.36'), 'busybox:1.36');
    assert.equal(normalizeRef('library/busybox'), 'busybox:latest');
    assert.equal(normalizeRef('team/app:v1'), 'team/app:v1');
    assert.equal(normalizeRef('localhost:5000/app'), 'localhost:5000/app:latest');
  });

  it('refuses bad references', () => {
    for (const bad of ['Busybox', 'a b', 'x:', 'x@sha256:00', '']) assert.throws(() => normalizeRef(bad), /reference/, bad);
  });
});
