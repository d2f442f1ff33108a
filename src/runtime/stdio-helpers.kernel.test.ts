// scripts/exec-tty.py without a container: its own-terminal mode (the one used with runc) around
// a plain shell shows the size from argv, a resize over fd 3, input, output and the exit code.
// The container paths (crun's console socket, attach-stdin.py on conmon's socket) are covered by
// test/docker-run.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { execTtyArgv, resizeExecTty } from './stdio-helpers.js';

test('exec-tty.py: size, resize, input, raw output and exit code', async () => {
  // The outer terminal is raw (the runtime's job is to copy), so no \r\n and no echo here.
  // The resize and the input travel on different pipes: the shell waits (5 s at most) for the size.
  const script = 'stty size; read line; i=0; while [ "$(stty size)" != "21 77" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; stty size; echo "got $line"; exit 3';
  const [cmd, ...args] = execTtyArgv({ rows: 10, cols: 20 }, ['sh', '-c', script]);
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  let out = '';
  const firstLine = new Promise<void>((resolve) => {
    (child.stdout as Readable).setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('\n')) resolve();
    });
  });
  const code = new Promise<number | null>((resolve) => child.on('close', resolve));
  await firstLine;
  resizeExecTty(child, { rows: 21, cols: 77 });
  (child.stdin as Writable).write('hello\n');
  assert.equal(await code, 3);
  assert.equal(out, '10 20\n21 77\ngot hello\n');
});

test('resizeExecTty ignores sizes out of range and exited processes', async () => {
  const [cmd, ...args] = execTtyArgv(undefined, ['true']);
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  child.stdout?.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  resizeExecTty(child, { rows: 0, cols: 80 });
  resizeExecTty(child, { rows: 24, cols: 80 }); // must not throw after the exit
  assert.deepEqual(execTtyArgv({ rows: 70000, cols: -1 }, ['x']).slice(-4), ['0', '0', '--', 'x']);
});
