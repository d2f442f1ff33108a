// `tether exec` (docker CLI 28 exec.go): inspect the container, POST /containers/{id}/exec, then
// either start detached or hijack POST /exec/{id}/start, stream, and exit with the exec's code
// from GET /exec/{id}/json.

import { compareVersions, esc } from '../client.js';
import type { Command } from '../command.js';
import { StatusError } from '../status.js';
import { streamHijacked } from '../streams.js';
import { readEnvFiles, validateEnv } from '../validators.js';
import { monitorTtySize } from './run.js';

export const execCommand: Command = {
  use: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  aliasPaths: ['container exec', 'exec'],
  short: 'Execute a command in a running container',
  args: { min: 2 },
  interspersed: false,
  flags: [
    { name: 'detach-keys', kind: 'string', usage: 'Override the key sequence for detaching a container' },
    { name: 'interactive', short: 'i', kind: 'bool', usage: 'Keep STDIN open even if not attached' },
    { name: 'tty', short: 't', kind: 'bool', usage: 'Allocate a pseudo-TTY' },
    { name: 'detach', short: 'd', kind: 'bool', usage: 'Detached mode: run command in the background' },
    { name: 'user', short: 'u', kind: 'string', usage: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { name: 'privileged', kind: 'bool', usage: 'Give extended privileges to the command' },
    { name: 'env', short: 'e', kind: 'list', usage: 'Set environment variables', validate: validateEnv },
    { name: 'env-file', kind: 'list', usage: 'Read in a file of environment variables' },
    { name: 'workdir', short: 'w', kind: 'string', usage: 'Working directory inside the container' },
  ],
  async run(ctx) {
    const { flags } = ctx;
    const [container, ...cmd] = ctx.args as [string, ...string[]];
    const detach = flags.bool('detach');
    const tty = flags.bool('tty');
    const attachStdin = !detach && flags.bool('interactive');
    let env: string[];
    try {
      env = readEnvFiles(flags.list('env-file'), flags.list('env'));
    } catch (e) {
      throw new StatusError((e as Error).message, 1);
    }
    const client = ctx.client();
    await client.request('GET', `/containers/${esc(container)}/json`);
    const stdinTTY = (ctx.io.stdin as { isTTY?: boolean }).isTTY === true;
    if (!detach && attachStdin && tty && !stdinTTY) throw new StatusError('the input device is not a TTY', 1);
    // ConsoleSize is only sent from API 1.42 on (the Go client drops it below).
    const out = ctx.io.stdout;
    const sized = tty && compareVersions(await client.apiVersion(), '1.42') >= 0;
    const consoleSize = sized ? [out.isTTY ? (out.rows ?? 0) : 0, out.isTTY ? (out.columns ?? 0) : 0] : undefined;
    const { Id: execId } = await client.json<{ Id: string }>('POST', `/containers/${esc(container)}/exec`, {
      json: {
        User: flags.string('user'),
        Privileged: flags.bool('privileged'),
        Tty: tty,
        ConsoleSize: consoleSize,
        AttachStdin: attachStdin,
        AttachStderr: !detach,
        AttachStdout: !detach,
        Detach: detach,
        DetachKeys: flags.string('detach-keys'),
        Env: env.length ? env : null,
        WorkingDir: flags.string('workdir'),
        Cmd: cmd,
      },
    });
    if (!execId) throw new StatusError('exec ID empty', 1);
    const startBody = { Detach: detach, Tty: tty, ConsoleSize: consoleSize };
    if (detach) {
      await client.request('POST', `/exec/${esc(execId)}/start`, { json: startBody });
      return;
    }
    const conn = await client.hijack('POST', `/exec/${esc(execId)}/start`, { json: startBody });
    const stopResize = tty && stdinTTY ? monitorTtySize(ctx, `/exec/${esc(execId)}/resize`) : () => {};
    try {
      await streamHijacked({
        ...conn,
        tty,
        stdin: attachStdin ? ctx.io.stdin : undefined,
        stdout: ctx.io.stdout,
        stderr: tty ? ctx.io.stdout : ctx.io.stderr,
      });
    } finally {
      stopResize();
    }
    const inspect = await client.json<{ ExitCode: number }>('GET', `/exec/${esc(execId)}/json`);
    if (inspect.ExitCode !== 0) throw new StatusError('', inspect.ExitCode);
  },
};
