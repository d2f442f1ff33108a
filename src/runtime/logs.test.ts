import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dockerTime, logPayload, readLogs } from './logs.js';

async function all<T>(g: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

describe('k8s-file logs', () => {
  it('converts conmon timestamps to Docker’s UTC nanosecond form', () => {
    assert.equal(dockerTime('2026-11-23T03:33:45.54068048+00:00'), '2026-11-23T03:33:45.540680480Z');
    assert.equal(dockerTime('2026-11-23T05:33:45.000000001+02:00'), '2026-11-23T03:33:45.000000001Z');
  });

  it('merges partial entries, keeps streams, honours tail and timestamps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-logs-'));
    try {
      const log = join(dir, 'ctr.log');
      writeFileSync(log, [
        '2026-11-23T03:33:45.1+00:00 stdout F out1',
        '2026-11-23T03:33:45.2+00:00 stderr P er',
        '2026-11-23T03:33:45.3+00:00 stderr F r1',
        '2026-11-23T03:33:45.4+00:00 stdout F out2',
        '',
      ].join('\n'));
      const entries = await all(readLogs(log));
      assert.deepEqual(entries.map((e) => [e.stream, e.data.toString()]), [['stdout', 'out1\n'], ['stderr', 'err1\n'], ['stdout', 'out2\n']]);
      const [last] = await all(readLogs(log, { tail: 1 }));
      assert.equal(logPayload(last!, true).toString(), '2026-11-23T03:33:45.400000000Z out2\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows appended lines until told the container exited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-logs-'));
    try {
      const log = join(dir, 'ctr.log');
      writeFileSync(log, '2026-11-23T03:33:45.1+00:00 stdout F a\n');
      let exited!: () => void;
      const until = new Promise<void>((r) => (exited = r));
      const reading = readLogs(log, { follow: true, until });
      const first = await reading.next(); // read what was there: now it follows
      appendFileSync(log, '2026-11-23T03:33:45.2+00:00 stdout F b\n');
      exited();
      assert.deepEqual([first.value, ...(await all(reading))].map((e) => e.data.toString()), ['a\n', 'b\n']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
