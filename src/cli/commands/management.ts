// The `container` and `image` management commands (docker's `docker container …` /
// `docker image …` trees) over the same command objects as the top-level shortcuts, plus
// `container prune`.

import type { Command } from '../command.js';
import { filtersQuery } from '../filters.js';
import { confirm } from '../prompt.js';
import { CancelledError } from '../status.js';
import { humanSize } from '../units.js';
import { lifecycleCommands } from './container-lifecycle.js';
import { execCommand } from './exec.js';
import { imageLsCommand, imageRmCommand, importCommand, loadCommand } from './images.js';
import { pullCommand, pushCommand } from './registry.js';
import { containerInspectCommand, imageInspectCommand } from './inspect.js';
import { logsCommand } from './logs.js';
import { portCommand } from './port.js';
import { containerLsCommand } from './ps.js';
import { createCommand, runCommand } from './run.js';

const PRUNE_WARNING = `WARNING! This will remove all stopped containers.
Are you sure you want to continue?`;

const containerPruneCommand: Command = {
  use: 'prune [OPTIONS]',
  short: 'Remove all stopped containers',
  flags: [
    { name: 'force', short: 'f', kind: 'bool', usage: 'Do not prompt for confirmation' },
    { name: 'filter', kind: 'filter', usage: 'Provide filter values (e.g. "until=<timestamp>")' },
  ],
  async run(ctx) {
    if (!ctx.flags.bool('force') && !(await confirm(ctx.io, PRUNE_WARNING))) throw new CancelledError();
    const report = await ctx.client().json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>(
      'POST',
      '/containers/prune',
      { query: { filters: filtersQuery(ctx.flags.list('filter')) } },
    );
    const deleted = report.ContainersDeleted ?? [];
    // docker reports the reclaimed space only when something was deleted.
    if (deleted.length) ctx.out(`Deleted Containers:\n${deleted.map((id) => `${id}\n`).join('')}\n`);
    ctx.out(`Total reclaimed space: ${humanSize(deleted.length ? report.SpaceReclaimed : 0)}\n`);
  },
};

export const containerCommand: Command = {
  use: 'container',
  short: 'Manage containers',
  subcommands: [
    createCommand,
    execCommand,
    containerInspectCommand,
    logsCommand,
    containerLsCommand,
    portCommand,
    containerPruneCommand,
    runCommand,
    ...lifecycleCommands,
  ],
};

export const imageCommand: Command = {
  use: 'image',
  short: 'Manage images',
  subcommands: [importCommand, imageInspectCommand, loadCommand, imageLsCommand, pullCommand, pushCommand, imageRmCommand],
};
