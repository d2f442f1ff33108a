// The `tether` root command: global flags (-H/--host, --version, --help), command dispatch and
// the final error → stderr/exit-code mapping (docker's main: print the error, exit with its
// status; 125 for flag errors, 1 otherwise, silently 0 when a prompt was declined).
//
// Adding a command: write src/cli/commands/<name>.ts exporting a `Command` (see command.ts and
// commands/network.ts), then list it in COMMANDS below.

import { flagUsages, FlagError, parseFlags, type FlagSpec } from './args.js';
import { CLI_VERSION, resolveHost } from './client.js';
import { nameOf, runCommand, type Command, type IO } from './command.js';
import { lifecycleCommands } from './commands/container-lifecycle.js';
import { execCommand } from './commands/exec.js';
import { imagesCommand, importCommand, loadCommand, rmiCommand } from './commands/images.js';
import { pullCommand, pushCommand } from './commands/registry.js';
import { inspectCommand } from './commands/inspect.js';
import { logsCommand } from './commands/logs.js';
import { containerCommand, imageCommand } from './commands/management.js';
import { networkCommand } from './commands/network.js';
import { portCommand } from './commands/port.js';
import { psCommand } from './commands/ps.js';
import { createCommand, runCommand as containerRunCommand } from './commands/run.js';
import { systemCommands } from './commands/system.js';
import { StatusError } from './status.js';

const PROGRAM = 'tether';

/** Management commands (groups) and plain commands, as listed in the root help. */
const MANAGEMENT: Command[] = [containerCommand, imageCommand, networkCommand];
const COMMANDS: Command[] = [
  ...systemCommands,
  containerRunCommand,
  createCommand,
  ...lifecycleCommands,
  psCommand,
  inspectCommand,
  logsCommand,
  execCommand,
  portCommand,
  imagesCommand,
  loadCommand,
  importCommand,
  rmiCommand,
  pullCommand,
  pushCommand,
];

const ROOT_FLAGS: FlagSpec[] = [
  { name: 'host', short: 'H', kind: 'string', usage: 'Daemon socket to connect to' },
  { name: 'version', short: 'v', kind: 'bool', usage: 'Print version information and quit' },
  { name: 'help', short: 'h', kind: 'bool', usage: 'Print usage', hidden: true },
];

function rootHelp(): string {
  const list = (cmds: Command[]): string =>
    [...cmds]
      .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1))
      .map((c) => `  ${nameOf(c).padEnd(11)} ${c.short}\n`)
      .join('');
  return (
    `Usage:  ${PROGRAM} [OPTIONS] COMMAND\n\n` +
    'A Docker-compatible container networking engine\n\n' +
    `Management Commands:\n${list(MANAGEMENT)}\n` +
    `Commands:\n${list(COMMANDS)}\n` +
    `Global Options:\n${flagUsages(ROOT_FLAGS, 79)}\n` +
    `Run '${PROGRAM} COMMAND --help' for more information on a command.\n`
  );
}

/** Index of the command word: root flags stop at the first positional (non-interspersed). */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    if (a === '-H' || a === '--host') i++; // its value follows
  }
  return argv.length;
}

async function dispatch(argv: string[], io: IO): Promise<void> {
  const idx = commandIndex(argv);
  let parsed;
  try {
    parsed = parseFlags(argv.slice(0, idx), ROOT_FLAGS);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    throw new StatusError(
      `${e.message}\n\nUsage:  ${PROGRAM} [OPTIONS] COMMAND [ARG...]\n\nRun '${PROGRAM} --help' for more information`,
      125,
    );
  }
  const { flags } = parsed;
  const rest = argv.slice(idx);
  if (flags.bool('version')) {
    io.stdout.write(`Tether version ${CLI_VERSION}\n`);
    return;
  }
  if (rest.length === 0) {
    // Like docker: explicit --help goes to stdout, a bare `tether` prints help on stderr.
    (flags.bool('help') ? io.stdout : io.stderr).write(rootHelp());
    return;
  }
  const name = rest[0] as string;
  const cmd = [...MANAGEMENT, ...COMMANDS].find((c) => nameOf(c) === name || c.aliases?.includes(name));
  if (!cmd) {
    throw new StatusError(`${PROGRAM}: unknown command: ${PROGRAM} ${name}\n\nRun '${PROGRAM} --help' for more information`, 1);
  }
  const host = resolveHost(flags.string('host') || undefined, io.env);
  await runCommand(cmd, PROGRAM, flags.bool('help') ? [...rest.slice(1), '--help'] : rest.slice(1), {
    io,
    program: PROGRAM,
    host,
  });
}

/** Run the CLI; resolves to the process exit code. Never throws. */
export async function main(argv: string[], io: IO): Promise<number> {
  try {
    await dispatch(argv, io);
    return 0;
  } catch (e) {
    if (e instanceof StatusError) {
      if (e.message !== '') io.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
