// `tether run` and `tether create` (docker CLI 28's run.go/create.go). run's flow follows the
// trace byte for byte: create → attach (hijacked, unless -d) → wait?condition=next-exit|removed
// (headers awaited) → start; -d prints the id; the exit status is the container's.

import type { ParsedFlags } from '../args.js';
import { esc, type EngineClient } from '../client.js';
import type { Command, RunContext } from '../command.js';
import { buildCreateRequest, ConfigError, type CreateRequest } from '../container-config.js';
import { createContainer, validatePull } from '../container-create.js';
import { CONTAINER_FLAGS, CREATE_ONLY_FLAGS, RUN_ONLY_FLAGS } from '../container-flags.js';
import { waitExitOrRemoved } from '../container-wait.js';
import { StatusError } from '../status.js';
import { streamHijacked } from '../streams.js';

/** docker's withHelp: `tether: <err>` plus the --help hint (docker always names `run`/`create`). */
function withHelp(ctx: RunContext, message: string, command: string, code: number): StatusError {
  const program = ctx.path.split(' ')[0] as string;
  return new StatusError(`${program}: ${message}\n\nRun '${program} ${command} --help' for more information`, code);
}

/** Parse the container flags; errors exit 125 with the --help hint. */
function parseRequest(ctx: RunContext, command: string): CreateRequest {
  try {
    validatePull(ctx.flags.string('pull'));
    return buildCreateRequest(ctx.flags, ctx.args);
  } catch (e) {
    if (e instanceof ConfigError || !(e instanceof StatusError)) throw withHelp(ctx, (e as Error).message, command, 125);
    throw e;
  }
}

/** toStatusError: 127 for a missing executable, 126 for a permission problem, else 125. */
function toStatusError(ctx: RunContext, e: unknown): StatusError {
  if (!(e instanceof Error)) throw e;
  const m = e.message;
  let code = 125;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(m)) code = 127;
  else if (/permission denied|is a directory/.test(m)) code = 126;
  return withHelp(ctx, m, 'run', code);
}

const createOpts = (flags: ParsedFlags): { name: string; pull: string; quiet: boolean } => ({
  name: flags.string('name'),
  pull: flags.string('pull'),
  quiet: flags.bool('quiet'),
});

/** ForwardAllSignals: signals the CLI receives are sent to the container by name. */
function proxySignals(client: EngineClient, id: string): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
  const handlers = signals
    .filter((s) => s !== 'SIGWINCH')
    .map((s) => {
      const h = (): void => {
        client.request('POST', `/containers/${esc(id)}/kill`, { query: { signal: s.slice(3) } }).catch(() => undefined);
      };
      process.on(s, h);
      return [s, h] as const;
    });
  return () => handlers.forEach(([s, h]) => process.removeListener(s, h));
}

/** MonitorTtySize: size the container's TTY now and on every terminal resize. */
export function monitorTtySize(ctx: RunContext, path: string): () => void {
  const out = ctx.io.stdout as NodeJS.WriteStream;
  const resize = (): void => {
    if (!out.rows && !out.columns) return;
    ctx
      .client()
      .request('POST', path, { query: { h: String(out.rows ?? 0), w: String(out.columns ?? 0) } })
      .catch(() => undefined);
  };
  resize();
  out.on?.('resize', resize);
  return () => out.removeListener?.('resize', resize);
}

async function runContainer(ctx: RunContext): Promise<void> {
  const req = parseRequest(ctx, 'run');
  const client = ctx.client();
  const detach = ctx.flags.bool('detach');
  const stdinTTY = (ctx.io.stdin as { isTTY?: boolean }).isTTY === true;
  if (!detach) {
    if (req.attachStdin && req.tty && !stdinTTY) throw new StatusError('the input device is not a TTY', 1);
  } else {
    if (ctx.flags.list('attach').length) throw new StatusError('conflicting options: cannot specify both --attach and --detach', 1);
    Object.assign(req.body, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false });
    Object.assign(req, { attachStdin: false, attachStdout: false, attachStderr: false });
  }

  let id: string;
  try {
    id = await createContainer(ctx, req, createOpts(ctx.flags));
  } catch (e) {
    throw toStatusError(ctx, e);
  }
  const unproxy = ctx.flags.bool('sig-proxy') ? proxySignals(client, id) : () => {};
  try {
    await startAndAttach(ctx, client, req, id);
  } finally {
    unproxy();
  }
}

async function startAndAttach(ctx: RunContext, client: EngineClient, req: CreateRequest, id: string): Promise<void> {
  const attach = req.attachStdin || req.attachStdout || req.attachStderr;
  if (!attach) ctx.out(`${id}\n`);
  let streaming: Promise<void> | undefined;
  let hijacked: { socket: { destroy(): void } } | undefined;
  if (attach) {
    const on = (b: boolean): string | undefined => (b ? '1' : undefined);
    const conn = await client.hijack('POST', `/containers/${esc(id)}/attach`, {
      query: {
        detachKeys: ctx.flags.string('detach-keys') || undefined,
        stderr: on(req.attachStderr),
        stdin: on(req.attachStdin),
        stdout: on(req.attachStdout),
        stream: '1',
      },
      headers: { 'Content-Type': 'text/plain' },
    });
    hijacked = conn;
    streaming = streamHijacked({
      ...conn,
      tty: req.tty,
      stdin: req.attachStdin ? ctx.io.stdin : undefined,
      stdout: req.attachStdout ? ctx.io.stdout : undefined,
      // With a TTY the container's stderr arrives on the same stream as stdout.
      stderr: req.attachStderr ? (req.tty ? ctx.io.stdout : ctx.io.stderr) : undefined,
    });
  }
  const wait = await waitExitOrRemoved(client, id, req.autoRemove, ctx.io.stderr);
  try {
    await client.request('POST', `/containers/${esc(id)}/start`);
  } catch (e) {
    if (hijacked) {
      hijacked.socket.destroy();
      await streaming?.catch(() => undefined);
    }
    if (req.autoRemove) await wait.status;
    wait.cancel();
    throw toStatusError(ctx, e);
  }
  if (!attach) {
    wait.cancel();
    return;
  }
  const stopResize = req.tty && ctx.io.stdout.isTTY ? monitorTtySize(ctx, `/containers/${esc(id)}/resize`) : () => {};
  try {
    await streaming;
  } finally {
    stopResize();
  }
  const status = await wait.status;
  if (status !== 0) throw new StatusError('', status);
}

export const runCommand: Command = {
  use: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  aliasPaths: ['container run', 'run'],
  short: 'Create and run a new container from an image',
  args: { min: 1 },
  interspersed: false,
  flags: [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS],
  run: runContainer,
};

export const createCommand: Command = {
  use: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  aliasPaths: ['container create', 'create'],
  short: 'Create a new container',
  args: { min: 1 },
  interspersed: false,
  flags: [...CREATE_ONLY_FLAGS, ...CONTAINER_FLAGS],
  async run(ctx) {
    const req = parseRequest(ctx, 'create');
    const id = await createContainer(ctx, req, createOpts(ctx.flags));
    ctx.out(`${id}\n`);
  },
};
