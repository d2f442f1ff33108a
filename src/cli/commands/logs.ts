// `tether logs` (docker CLI 28 logs.go): inspect the container first (its TTY setting decides
// whether the stream is raw or stdcopy-multiplexed), then GET /containers/{id}/logs.

import type { Readable } from 'node:stream';
import { esc } from '../client.js';
import type { Command } from '../command.js';
import { copyOutput } from '../streams.js';

export const logsCommand: Command = {
  use: 'logs [OPTIONS] CONTAINER',
  aliasPaths: ['container logs', 'logs'],
  short: 'Fetch the logs of a container',
  args: { exact: 1 },
  flags: [
    { name: 'follow', short: 'f', kind: 'bool', usage: 'Follow log output' },
    {
      name: 'since',
      kind: 'string',
      usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    {
      name: 'until',
      kind: 'string',
      usage: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    { name: 'timestamps', short: 't', kind: 'bool', usage: 'Show timestamps' },
    { name: 'details', kind: 'bool', usage: 'Show extra details provided to logs' },
    { name: 'tail', short: 'n', kind: 'string', default: 'all', usage: 'Number of lines to show from the end of the logs' },
  ],
  async run(ctx) {
    const client = ctx.client();
    const c = await client.json<{ Id: string; Config: { Tty: boolean } }>('GET', `/containers/${esc(ctx.args[0] as string)}/json`);
    const on = (name: string): string | undefined => (ctx.flags.bool(name) ? '1' : undefined);
    const res = await client.stream('GET', `/containers/${esc(c.Id)}/logs`, {
      // url.Values.Encode order (sorted keys), as docker sends them
      query: {
        details: on('details'),
        follow: on('follow'),
        since: ctx.flags.string('since') || undefined,
        stderr: '1',
        stdout: '1',
        tail: ctx.flags.string('tail'),
        timestamps: on('timestamps'),
        until: ctx.flags.string('until') || undefined,
      },
    });
    await copyOutput(res as Readable, c.Config.Tty, ctx.io.stdout, ctx.io.stderr);
  },
};
