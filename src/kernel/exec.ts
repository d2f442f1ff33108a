// The one place that starts processes. Everything is an argument array: no shell, no string
// concatenation of user text into a command line.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { internal } from '../errors.js';
import { Spawner, type LaunchOptions, type SpawnedProcess } from './spawner.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

/** One helper process starts the short-lived commands and the long-lived children of the kernel
 *  layer (spawner.ts: the daemon's own forks grow slower with every container). */
const spawner = new Spawner();

/** A child started by the helper: stdio pipes or /dev/null only, no IPC channel. */
export function launch(argv: readonly string[], opts?: LaunchOptions): SpawnedProcess {
  return spawner.launch(argv, opts);
}

/** Runs argv to completion and returns its exit code and output; never throws for a non-zero exit. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (argv.length === 0) return Promise.reject(internal('run: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawner.launch(argv);
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 30_000);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(internal(`cannot run ${argv[0]}: ${e.message}`, e));
    });
    child.on('close', (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** Runs argv and throws an internal error carrying stderr when it fails. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw internal(`${argv.slice(0, 3).join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
  }
  return r.stdout;
}

/** Runs argv inside a network namespace (nsenter keeps our /sys and cgroup view, unlike ip netns exec). */
export function netnsArgv(netnsPath: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=${netnsPath}`, '--', ...argv];
}

/**
 * Starts a child from the daemon itself, for bulk data streams (a layer through zstd or tar):
 * the process helper relays stdio as hex lines, which would double every byte twice.
 */
export function spawnChild(argv: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw internal('spawn: empty argv');
  return spawn(cmd, args, opts);
}
