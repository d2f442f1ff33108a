import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExecCreate, parseExecStart, toExecInspect } from './exec-json.js';

// Verbatim from 10-api-trace/04-exec-lifecycle.log: the CLI's exec create body and dockerd's answer.
const CREATE = '{"User":"","Privileged":false,"Tty":false,"AttachStdin":false,"AttachStderr":true,"AttachStdout":true,"Detach":false,"DetachKeys":"","Env":null,"WorkingDir":"","Cmd":["sh","-c","echo o; echo e >&2; exit 7"]}';
const INSPECT = '{"ID":"f0297b9a18575b6b4914392adc3694bad2e9887dcbc039cea7602f50e34cdde2","Running":false,"ExitCode":7,"ProcessConfig":{"tty":false,"entrypoint":"sh","arguments":["-c","echo o; echo e >&2; exit 7"],"privileged":false},"OpenStdin":false,"OpenStderr":true,"OpenStdout":true,"CanRemove":false,"ContainerID":"6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c","DetachKeys":"","Pid":12792}';

test('the CLI body parses and the inspect answer matches dockerd byte for byte', () => {
  const spec = parseExecCreate(JSON.parse(CREATE));
  const json = toExecInspect({
    id: 'f0297b9a18575b6b4914392adc3694bad2e9887dcbc039cea7602f50e34cdde2',
    containerId: '6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c',
    spec, running: false, exitCode: 7, pid: 12792,
  });
  assert.equal(JSON.stringify(json), INSPECT);
  assert.equal(toExecInspect({ id: 'x', containerId: 'y', spec: { ...spec, user: 'nobody' }, running: true, exitCode: null, pid: 1 })['ExitCode'], null);
});

test('bad exec bodies are 400s with dockerd messages', () => {
  assert.throws(() => parseExecCreate({ Cmd: [] }), /No exec command specified/);
  assert.throws(() => parseExecCreate({ Cmd: ['ls'], WorkingDir: 'rel' }), /needs to be an absolute path/);
  assert.throws(() => parseExecCreate({ Cmd: 'ls' }), /invalid exec config: Cmd/);
  assert.deepEqual(parseExecStart({ Detach: true, Tty: false }), { detach: true, consoleSize: undefined });
  assert.deepEqual(parseExecStart(undefined), { detach: false, consoleSize: undefined });
});

test('ConsoleSize [height, width] is kept; [0, 0] and odd shapes mean none', () => {
  assert.deepEqual(parseExecCreate({ Cmd: ['sh'], Tty: true, ConsoleSize: [40, 120] }).consoleSize, [40, 120]);
  assert.equal(parseExecCreate({ Cmd: ['sh'], Tty: true, ConsoleSize: [0, 0] }).consoleSize, undefined);
  assert.equal(parseExecCreate({ Cmd: ['sh'], ConsoleSize: [40] }).consoleSize, undefined);
  assert.deepEqual(parseExecStart({ Detach: false, Tty: true, ConsoleSize: [24, 80] }).consoleSize, [24, 80]);
});
