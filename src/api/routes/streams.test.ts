import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogTime, parseTail } from './streams.js';

test('since/until as the CLI sends them become the log time form', () => {
  assert.equal(parseLogTime('1795432433', 'since'), '2026-11-23T11:13:53.000000000Z');
  assert.equal(parseLogTime('1795432433.123456789', 'since'), '2026-11-23T11:13:53.123456789Z');
  assert.equal(parseLogTime('0', 'since'), undefined);
  assert.equal(parseLogTime(null, 'since'), undefined);
  assert.throws(() => parseLogTime('10m', 'since'), /invalid value for since/);
});

test('tail: a count, or everything', () => {
  assert.equal(parseTail('1'), 1);
  assert.equal(parseTail('all'), undefined);
  assert.equal(parseTail('-1'), undefined);
  assert.equal(parseTail(null), undefined);
});
