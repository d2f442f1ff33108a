// One-shot `ip -batch` processes started BEFORE they are needed. Lines that name a namespace
// cannot go to the long-running batch (iproute2 keeps every namespace file it opens: the sandboxes
// would never die), so each such batch needs a process of its own; starting it costs more than
// the kernel work (trace: ~5–10 ms per container start). The spare is started as soon as the last
// one is taken, so the next operation finds it waiting on its stdin.
import type { RunResult } from './exec.js';
import { launch } from './exec.js';
import type { SpawnedProcess } from './spawner.js';

/** Starts argv now; it waits on its stdin until feed() gives it its input. */
export function startWaiting(argv: readonly string[]): SpawnedProcess {
  const child = launch(argv);
  // A spare that fails to start surfaces when it is used; unused, its error must not crash us.
  child.on('error', () => undefined);
  return child;
}

/** Feeds input to a started process and collects its result (what exec.run does for a new one). */
export function feed(child: SpawnedProcess, input: string): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: Error) => resolve({ code: 127, stdout, stderr: stderr || e.message }));
    child.on('close', (code: number | null, signal: string | null) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    child.stdin?.end(input);
  });
}

export class SpareBatch {
  private spare: SpawnedProcess | undefined;

  constructor(private readonly argv: readonly string[]) {}

  /** Runs input through the waiting process (or a new one) and starts the next spare. */
  run(input: string): Promise<RunResult> {
    const child = this.spare && this.spare.exitCode === null ? this.spare : startWaiting(this.argv);
    this.spare = startWaiting(this.argv);
    return feed(child, input);
  }

  close(): void {
    this.spare?.stdin?.end(); // an ip batch with no input exits at once
    this.spare = undefined;
  }
}
