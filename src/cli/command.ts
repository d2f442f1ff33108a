// The command tree and its plumbing, after docker's cobra setup: subcommand lookup, flag parsing,
// positional-argument checks with docker's messages, and `--help` / usage texts rendered from the
// same declarations (so help stays in sync with the flags). A command is a plain object; see
// commands/network.ts for examples and main.ts for the root.

import { flagUsages, FlagError, parseFlags, type FlagSpec, type ParsedFlags } from './args.js';
import { EngineClient } from './client.js';
import { StatusError } from './status.js';

export interface Output {
  /** Text, or raw bytes from a container's streams (process.stdout accepts both). */
  write(s: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** The process surroundings, injectable so tests can run commands in-process. */
export interface IO {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export interface RunContext {
  flags: ParsedFlags;
  args: string[];
  io: IO;
  /** The full command path, e.g. `tether network create` (used in messages). */
  path: string;
  /** The daemon client; created on first use so `--help` and usage errors never connect. */
  client(): EngineClient;
  out(s: string): void;
  err(s: string): void;
}

export type ArgRule = { exact: number } | { min: number; max?: number } | 'none';

export interface Command {
  /** cobra's Use: the name, then the argument synopsis: `create [OPTIONS] NETWORK`. */
  use: string;
  short: string;
  aliases?: string[];
  /**
   * The "Aliases:" help line when it lists paths across the tree (docker's `aliases`
   * annotation), e.g. ['container stop', 'stop'] — rendered after the program name.
   */
  aliasPaths?: string[];
  flags?: FlagSpec[];
  args?: ArgRule;
  /** false: flags stop at the first positional (pflag SetInterspersed(false), e.g. `run`). */
  interspersed?: boolean;
  run?: (ctx: RunContext) => Promise<void>;
  subcommands?: Command[];
}

/** What a command needs from the invocation that is not in its own argv. */
export interface Invocation {
  io: IO;
  program: string; // `tether`
  host: string;
}

export const nameOf = (c: Command): string => c.use.split(' ')[0] as string;

const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', kind: 'bool', usage: 'Print usage', hidden: true };

function useLine(cmd: Command, parentPath: string): string {
  return `${parentPath} ${cmd.use}`;
}

/** Terminal width - 1 like docker (80 when not a terminal). */
function helpColumns(io: IO): number {
  return (io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : 80) - 1;
}

/** docker's usage template for a subcommand. */
export function helpText(cmd: Command, parentPath: string, io: IO): string {
  const path = `${parentPath} ${nameOf(cmd)}`;
  const flags = (cmd.flags ?? []).filter((f) => !f.hidden);
  let s = 'Usage:';
  s += cmd.subcommands ? `  ${path}${flags.length ? ' [OPTIONS]' : ''} COMMAND` : `  ${useLine(cmd, parentPath)}`;
  s += `\n\n${cmd.short}`;
  const program = parentPath.split(' ')[0] as string;
  if (cmd.aliasPaths?.length) {
    s += `\n\nAliases:\n  ${cmd.aliasPaths.map((a) => `${program} ${a}`).join(', ')}`;
  } else if (cmd.aliases?.length) {
    s += `\n\nAliases:\n  ${[nameOf(cmd), ...cmd.aliases].map((a) => `${parentPath} ${a}`).join(', ')}`;
  }
  if (flags.length) s += `\n\nOptions:\n${flagUsages(flags, helpColumns(io)).trimEnd()}`;
  if (cmd.subcommands) {
    const subs = [...cmd.subcommands].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
    const pad = Math.max(11, ...subs.map((c) => nameOf(c).length));
    s += '\n\nCommands:';
    for (const c of subs) s += `\n  ${nameOf(c).padEnd(pad)} ${c.short}`;
    s += `\n\nRun '${path} COMMAND --help' for more information on a command.`;
  }
  return s + '\n';
}

function checkArgs(cmd: Command, args: string[], parentPath: string, program: string): void {
  const path = `${parentPath} ${nameOf(cmd)}`;
  const usage = `\n\nUsage:  ${useLine(cmd, parentPath)}\n\n`;
  const rule = cmd.args ?? 'none';
  const plural = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  if (rule === 'none' && args.length > 0) {
    throw new StatusError(`${program}: '${path}' accepts no arguments${usage}Run '${path} --help' for more information`, 1);
  }
  if (rule !== 'none' && 'exact' in rule && args.length !== rule.exact) {
    throw new StatusError(
      `${program}: '${path}' requires ${rule.exact} ${plural(rule.exact)}${usage}Run '${path} --help' for more information`,
      1,
    );
  }
  if (rule !== 'none' && 'min' in rule && rule.max !== undefined && (args.length < rule.min || args.length > rule.max)) {
    throw new StatusError(
      `${program}: '${path}' requires at least ${rule.min} and at most ${rule.max} ${plural(rule.max)}${usage}Run '${path} --help' for more information`,
      1,
    );
  }
  if (rule !== 'none' && 'min' in rule && args.length < rule.min) {
    throw new StatusError(
      `${program}: '${path}' requires at least ${rule.min} ${plural(rule.min)}${usage}See '${path} --help' for more information`,
      1,
    );
  }
}

/** Resolve `argv` against `cmd` (recursing into subcommands) and run the leaf. */
export async function runCommand(cmd: Command, parentPath: string, argv: string[], inv: Invocation): Promise<void> {
  const path = `${parentPath} ${nameOf(cmd)}`;
  const { io } = inv;
  if (cmd.subcommands) {
    const first = argv.findIndex((a) => !a.startsWith('-'));
    const before = first < 0 ? argv : argv.slice(0, first);
    if (before.includes('--help') || before.includes('-h')) {
      io.stdout.write(helpText(cmd, parentPath, io));
      return;
    }
    if (first < 0) {
      // `tether network` alone: help on stderr, exit 0 (docker's ShowHelp).
      io.stderr.write(helpText(cmd, parentPath, io));
      return;
    }
    const name = argv[first] as string;
    const sub = cmd.subcommands.find((c) => nameOf(c) === name || c.aliases?.includes(name));
    if (!sub) {
      throw new StatusError(
        `${inv.program}: unknown command: ${path} ${name}\n\nUsage:  ${path}\n\nRun '${path} --help' for more information`,
        1,
      );
    }
    return runCommand(sub, path, [...before, ...argv.slice(first + 1)], inv);
  }

  // `run`/`create` use -h for --hostname; their --help has no shorthand, like docker's.
  const flags = cmd.flags ?? [];
  const help = flags.some((f) => f.short === 'h') ? { ...HELP_FLAG, short: undefined } : HELP_FLAG;
  let parsed;
  try {
    parsed = parseFlags(argv, [...flags, help], { interspersed: cmd.interspersed });
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    throw new StatusError(
      `${e.message}\n\nUsage:  ${useLine(cmd, parentPath)}\n\nRun '${path} --help' for more information`,
      125,
    );
  }
  if (parsed.flags.bool('help')) {
    if (help.short && argv.includes('-h')) io.stdout.write('Flag shorthand -h has been deprecated, use --help\n');
    io.stdout.write(helpText(cmd, parentPath, io));
    return;
  }
  checkArgs(cmd, parsed.args, parentPath, inv.program);
  if (!cmd.run) throw new Error(`BUG: ${path} has neither run nor subcommands`);
  let client: EngineClient | undefined;
  await cmd.run({
    flags: parsed.flags,
    args: parsed.args,
    io,
    path,
    client: () => (client ??= new EngineClient(inv.host)),
    out: (s) => io.stdout.write(s),
    err: (s) => io.stderr.write(s),
  });
}
