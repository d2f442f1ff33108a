// The one place that starts processes. Everything is an argument array: no shell, no string
// concatenation of user text into a command line.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { internal } from '../errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs argv to completion and returns its exit code and output; never throws for a non-zero exit. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(internal('run: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs ?? 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => reject(internal(`cannot run ${cmd}: ${e.message}`, e)));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    child.stdin.on('error', () => undefined); // the child may exit before reading its input
    child.stdin.end(opts.input ?? '');
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

/** Starts a long-lived child (a monitor, a runtime, a DNS socket helper); the caller owns it. */
export function spawnChild(argv: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw internal('spawn: empty argv');
  return spawn(cmd, args, opts);
}
