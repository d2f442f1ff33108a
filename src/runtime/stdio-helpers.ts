// The two fixed helper scripts that reach what Node cannot (scripts/exec-tty.py for `exec -t`,
// scripts/attach-stdin.py for attach input; their headers explain the protocols), and conmon's
// terminal control FIFO for container resizes. The helpers run under Python 3 (setup.sh installs
// Debian's python3: exec-tty.py needs termios, which python3-minimal lacks) and take argv only:
// user text is never part of script text.
import { existsSync } from 'node:fs';
import { constants, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { join } from 'node:path';
import type { ChildProcess } from '../kernel/kernel.js';
import { scriptPath } from '../script-path.js';

/**
 * Debian's interpreter first: the helpers use only the standard library, and a python3 found
 * earlier on PATH (pyenv, a virtualenv) may be anything. -I: no user site, no PYTHON* variables.
 */
function python(): string[] {
  return [existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', '-I'];
}

/** A terminal size as Docker sends it (height, width); 0 = leave the default. */
export interface ConsoleSize {
  rows: number;
  cols: number;
}

function dimension(n: number): number {
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 0;
}

/**
 * argv that runs runtimeArgv (a `<runtime> exec --tty …`) and copies its terminal; the spawned
 * child needs stdio [pipe, pipe, pipe, pipe]: fd 3 takes resize lines (resizeExecTty). With
 * consoleSocketAt the helper inserts `--console-socket PATH` before runtimeArgv[consoleSocketAt]
 * and receives the terminal itself (crun); without, the runtime copies it (runc).
 */
export function execTtyArgv(size: ConsoleSize | undefined, runtimeArgv: readonly string[], consoleSocketAt?: number): string[] {
  return [
    ...python(),
    scriptPath('exec-tty.py'),
    String(dimension(size?.rows ?? 0)),
    String(dimension(size?.cols ?? 0)),
    ...(consoleSocketAt === undefined ? [] : ['--console-socket-at', String(consoleSocketAt)]),
    '--',
    ...runtimeArgv,
  ];
}

/** Resizes the terminal of a process started with execTtyArgv; a no-op once it has exited. */
export function resizeExecTty(child: ChildProcess, size: ConsoleSize): void {
  const control = child.stdio[3] as Writable | null | undefined;
  const rows = dimension(size.rows);
  const cols = dimension(size.cols);
  if (!control || control.destroyed || !control.writable || rows === 0 || cols === 0) return;
  control.write(`${rows} ${cols}\n`);
}

/** argv that copies its stdin into the container's stdin through conmon's attach socket. */
export function attachStdinArgv(bundle: string): string[] {
  return [...python(), scriptPath('attach-stdin.py'), bundle];
}

/** conmon's control message type for a window resize (ctrl.c WIN_RESIZE_EVENT). */
const WIN_RESIZE_EVENT = 1;

/**
 * Resizes a container's terminal through conmon's `ctl` FIFO in the bundle. Non-blocking open:
 * it fails (ENXIO/ENOENT) instead of hanging when no conmon reads the FIFO (container stopped).
 */
export async function resizeContainerTty(bundle: string, size: ConsoleSize): Promise<void> {
  const rows = dimension(size.rows);
  const cols = dimension(size.cols);
  if (rows === 0 || cols === 0) return;
  const fh = await open(join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await fh.write(`${WIN_RESIZE_EVENT} ${rows} ${cols}\n`);
  } finally {
    await fh.close();
  }
}
