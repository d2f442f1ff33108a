// start, stop, restart, kill, rm, wait, rename: docker CLI 28's per-container commands. Like
// docker, stop/kill/rm run their requests in parallel but report in argument order, and several
// failures are reported together (errors.Join: one per line, exit 1).

import { compareVersions, DaemonError, esc } from '../client.js';
import type { Command, RunContext } from '../command.js';
import { waitExitOrRemoved } from '../container-wait.js';
import { StatusError } from '../status.js';
import { streamHijacked } from '../streams.js';
import { monitorTtySize } from './run.js';

/** Run `op` for every argument at once; print successes (the argument) and join failures. */
async function forEachContainer(
  ctx: RunContext,
  op: (name: string) => Promise<unknown>,
  opts: { parallel?: boolean; ignore?: (e: unknown) => boolean } = {},
): Promise<void> {
  const results: Array<unknown> = [];
  if (opts.parallel === false) {
    for (const name of ctx.args) results.push(await op(name).then(() => undefined, (e: unknown) => e ?? new Error()));
  } else {
    results.push(...(await Promise.all(ctx.args.map((n) => op(n).then(() => undefined, (e: unknown) => e ?? new Error())))));
  }
  const errors: string[] = [];
  ctx.args.forEach((name, i) => {
    const e = results[i];
    if (e === undefined) ctx.out(`${name}\n`);
    else if (opts.ignore?.(e)) ctx.err(`${(e as Error).message}\n`);
    else if (e instanceof StatusError) errors.push(e.message);
    else throw e;
  });
  if (errors.length) throw new StatusError(errors.join('\n'), 1);
}

const STOP_FLAGS = [
  { name: 'signal', short: 's', kind: 'string' as const, usage: 'Signal to send to the container' },
  { name: 'timeout', short: 't', kind: 'int' as const, usage: 'Seconds to wait before killing the container' },
  {
    name: 'time',
    kind: 'int' as const,
    usage: 'Seconds to wait before killing the container (deprecated: use --timeout)',
    hidden: true,
  },
];

/**
 * The stop/restart query: `signal` (sent only from API 1.42 on, as the Go client does), then `t`
 * only when a timeout was given.
 */
async function stopQuery(ctx: RunContext): Promise<Record<string, string | undefined>> {
  const { flags } = ctx;
  if (flags.changed('time') && flags.changed('timeout')) {
    throw new StatusError('conflicting options: cannot specify both --timeout and --time', 1);
  }
  const t = flags.changed('timeout') ? flags.int('timeout') : flags.changed('time') ? flags.int('time') : undefined;
  const signalSupported = compareVersions(await ctx.client().apiVersion(), '1.42') >= 0;
  return { signal: (signalSupported && flags.string('signal')) || undefined, t: t === undefined ? undefined : String(t) };
}

const stopCommand: Command = {
  use: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  aliasPaths: ['container stop', 'stop'],
  short: 'Stop one or more running containers',
  args: { min: 1 },
  flags: STOP_FLAGS,
  async run(ctx) {
    const query = await stopQuery(ctx);
    await forEachContainer(ctx, (c) => ctx.client().request('POST', `/containers/${esc(c)}/stop`, { query }));
  },
};

const restartCommand: Command = {
  use: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
  aliasPaths: ['container restart', 'restart'],
  short: 'Restart one or more containers',
  args: { min: 1 },
  flags: STOP_FLAGS,
  async run(ctx) {
    const query = await stopQuery(ctx);
    const op = (c: string): Promise<unknown> => ctx.client().request('POST', `/containers/${esc(c)}/restart`, { query });
    await forEachContainer(ctx, op, { parallel: false });
  },
};

const killCommand: Command = {
  use: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  aliasPaths: ['container kill', 'kill'],
  short: 'Kill one or more running containers',
  args: { min: 1 },
  flags: [{ name: 'signal', short: 's', kind: 'string', usage: 'Signal to send to the container' }],
  async run(ctx) {
    const query = { signal: ctx.flags.string('signal') || undefined };
    await forEachContainer(ctx, (c) => ctx.client().request('POST', `/containers/${esc(c)}/kill`, { query }));
  },
};

export const rmCommand: Command = {
  use: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  aliasPaths: ['container rm', 'container remove', 'rm'],
  short: 'Remove one or more containers',
  aliases: ['remove'],
  args: { min: 1 },
  flags: [
    { name: 'volumes', short: 'v', kind: 'bool', usage: 'Remove anonymous volumes associated with the container' },
    { name: 'link', short: 'l', kind: 'bool', usage: 'Remove the specified link' },
    { name: 'force', short: 'f', kind: 'bool', usage: 'Force the removal of a running container (uses SIGKILL)' },
  ],
  async run(ctx) {
    const on = (name: string): string | undefined => (ctx.flags.bool(name) ? '1' : undefined);
    const query = { force: on('force'), link: on('link'), v: on('volumes') };
    const force = ctx.flags.bool('force');
    await forEachContainer(
      ctx,
      async (c) => {
        const id = c.replace(/^\/+|\/+$/g, '');
        if (id === '') throw new StatusError('container name cannot be empty', 1);
        return ctx.client().request('DELETE', `/containers/${esc(id)}`, { query });
      },
      // With -f a missing container is reported but is not a failure.
      { ignore: (e) => force && e instanceof DaemonError && e.notFound },
    );
  },
};

const waitCommand: Command = {
  use: 'wait CONTAINER [CONTAINER...]',
  aliasPaths: ['container wait', 'wait'],
  short: 'Block until one or more containers stop, then print their exit codes',
  args: { min: 1 },
  async run(ctx) {
    const errors: string[] = [];
    for (const c of ctx.args) {
      try {
        const r = await ctx.client().json<{ StatusCode: number }>('POST', `/containers/${esc(c)}/wait`);
        ctx.out(`${r.StatusCode}\n`);
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        errors.push(e.message);
      }
    }
    if (errors.length) throw new StatusError(errors.join('\n'), 1);
  },
};

const renameCommand: Command = {
  use: 'rename CONTAINER NEW_NAME',
  aliasPaths: ['container rename', 'rename'],
  short: 'Rename a container',
  args: { exact: 2 },
  async run(ctx) {
    const [oldName, newName] = ctx.args.map((a) => a.trim()) as [string, string];
    if (oldName === '' || newName === '') throw new StatusError('Error: Neither old nor new names may be empty', 1);
    try {
      await ctx.client().request('POST', `/containers/${esc(oldName)}/rename`, { query: { name: newName } });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      ctx.err(`${e.message}\n`);
      throw new StatusError(`Error: failed to rename container named ${oldName}`, 1);
    }
  },
};

interface InspectedContainer {
  Id: string;
  Config: { Tty: boolean; OpenStdin: boolean };
  HostConfig: { AutoRemove: boolean };
}

/** `start -a/-i`: attach first, then wait, then start, and exit with the container's status. */
async function startAttached(ctx: RunContext): Promise<void> {
  if (ctx.args.length > 1) throw new StatusError('you cannot start and attach multiple containers at once', 1);
  const client = ctx.client();
  const c = await client.json<InspectedContainer>('GET', `/containers/${esc(ctx.args[0] as string)}/json`);
  const stdin = ctx.flags.bool('interactive') && c.Config.OpenStdin;
  const conn = await client.hijack('POST', `/containers/${esc(c.Id)}/attach`, {
    query: {
      detachKeys: ctx.flags.string('detach-keys') || undefined,
      stderr: '1',
      stdin: stdin ? '1' : undefined,
      stdout: '1',
      stream: '1',
    },
    headers: { 'Content-Type': 'text/plain' },
  });
  const streaming = streamHijacked({
    ...conn,
    tty: c.Config.Tty,
    stdin: stdin ? ctx.io.stdin : undefined,
    stdout: ctx.io.stdout,
    stderr: ctx.io.stderr,
  });
  const wait = await waitExitOrRemoved(client, c.Id, c.HostConfig.AutoRemove, ctx.io.stderr);
  try {
    await client.request('POST', `/containers/${esc(c.Id)}/start`);
  } catch (e) {
    conn.socket.destroy();
    await streaming.catch(() => undefined);
    if (c.HostConfig.AutoRemove) await wait.status;
    wait.cancel();
    throw e;
  }
  const stop = c.Config.Tty && ctx.io.stdout.isTTY ? monitorTtySize(ctx, `/containers/${esc(c.Id)}/resize`) : () => {};
  try {
    await streaming;
  } finally {
    stop();
  }
  const status = await wait.status;
  if (status !== 0) throw new StatusError('', status);
}

const startCommand: Command = {
  use: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  aliasPaths: ['container start', 'start'],
  short: 'Start one or more stopped containers',
  args: { min: 1 },
  flags: [
    { name: 'attach', short: 'a', kind: 'bool', usage: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'interactive', short: 'i', kind: 'bool', usage: "Attach container's STDIN" },
    { name: 'detach-keys', kind: 'string', usage: 'Override the key sequence for detaching a container' },
  ],
  async run(ctx) {
    if (ctx.flags.bool('attach') || ctx.flags.bool('interactive')) return startAttached(ctx);
    const failed: string[] = [];
    for (const c of ctx.args) {
      try {
        await ctx.client().request('POST', `/containers/${esc(c)}/start`);
        ctx.out(`${c}\n`);
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        ctx.err(`${e.message}\n`);
        failed.push(c);
      }
    }
    if (failed.length) throw new StatusError(`Error: failed to start containers: ${failed.join(', ')}`, 1);
  },
};

export const lifecycleCommands: Command[] = [
  startCommand,
  stopCommand,
  restartCommand,
  killCommand,
  rmCommand,
  waitCommand,
  renameCommand,
];
