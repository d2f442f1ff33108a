import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { copyOutput, frame, FrameDecoder } from './streams.js';

describe('stream framing', () => {
  it('matches the bytes dockerd sent for `echo hi` and for stderr', () => {
    assert.deepEqual(frame('stdout', Buffer.from('hi\n')), Buffer.from('\x01\x00\x00\x00\x00\x00\x00\x03hi\n', 'latin1'));
    assert.deepEqual(frame('stderr', Buffer.from('err\n')), Buffer.from('\x02\x00\x00\x00\x00\x00\x00\x04err\n', 'latin1'));
  });

  it('uses a big-endian 32-bit length', () => {
    const f = frame('stdout', Buffer.alloc(0x1be));
    assert.deepEqual([...f.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 1, 0xbe]);
  });

  it('decodes frames split at any byte', () => {
    const wire = Buffer.concat([frame('stdout', Buffer.from('o\n')), frame('stderr', Buffer.from('e\n'))]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new FrameDecoder();
      const got = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      assert.deepEqual(got.map((f) => [f.stream, f.payload.toString()]), [['stdout', 'o\n'], ['stderr', 'e\n']]);
      assert.equal(d.buffered, 0);
    }
  });

  it('copies a child’s output framed without a TTY and raw with one', async () => {
    for (const tty of [false, true]) {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (d: Buffer) => chunks.push(d));
      const done = copyOutput({ stdout, stderr } as never, out, tty);
      stdout.end('a');
      stderr.end('b');
      await done;
      const all = Buffer.concat(chunks);
      if (tty) assert.equal(all.toString().split('').sort().join(''), 'ab');
      else assert.deepEqual(new FrameDecoder().push(all).map((f) => f.stream).sort(), ['stderr', 'stdout']);
    }
  });
});
