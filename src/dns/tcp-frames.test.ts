import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, frame } from './tcp-frames.js';

test('frames split across and packed into chunks come out whole', () => {
  const a = Buffer.from('hello');
  const b = Buffer.from('world!!');
  const stream = Buffer.concat([frame(a), frame(b), frame(a)]);
  const r = new FrameReader(100);
  const got: string[] = [];
  for (let i = 0; i < stream.length; i += 3) got.push(...(r.push(stream.subarray(i, i + 3)) ?? []).map(String));
  assert.deepEqual(got, ['hello', 'world!!', 'hello']);
  assert.deepEqual((new FrameReader(100).push(stream) ?? []).map(String), ['hello', 'world!!', 'hello']);
});

test('an announced length over the limit, or zero, ends the stream', () => {
  assert.equal(new FrameReader(10).push(Buffer.from([0, 11, 1])), undefined);
  assert.equal(new FrameReader(10).push(Buffer.from([0, 0])), undefined);
  assert.deepEqual(new FrameReader(10).push(Buffer.from([0])), []);
});
