import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { containerPaths, waitForExitFile } from './monitor.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Which settles first: the wait, or a deadline far below the 30 s backstop poll. */
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'late'> => Promise.race([p, sleep(ms).then(() => 'late' as const)]);

describe('exit waits', () => {
  it('learn of an exit from the watch, not from the slow backstop poll', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tether-exit-'));
    try {
      const p = containerPaths(root, 'c1');
      mkdirSync(p.exitDir, { recursive: true });
      const waiting = waitForExitFile(p, 'c1');
      await sleep(100);
      writeFileSync(join(p.exitDir, 'c1'), '137');
      assert.equal(await within(waiting, 3000), 137);

      writeFileSync(join(p.exitDir, 'c1'), '0'); // already exited: at once
      assert.equal(await within(waitForExitFile(p, 'c1'), 3000), 0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('poll when the directory cannot be watched, and stop on abort', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tether-exit-'));
    try {
      const p = containerPaths(root, 'c2'); // no exit directory yet: the watch is refused
      const waiting = waitForExitFile(p, 'c2');
      await sleep(100);
      mkdirSync(p.exitDir, { recursive: true });
      writeFileSync(join(p.exitDir, 'c2'), '3');
      assert.equal(await within(waiting, 3000), 3);

      const ac = new AbortController();
      const aborted = waitForExitFile(containerPaths(root, 'c3'), 'c3', ac.signal);
      ac.abort(new Error('gone'));
      await assert.rejects(aborted, /gone/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
