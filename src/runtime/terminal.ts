// conmon's terminal control FIFO (`ctl` in the bundle it was given): resizes of a container's
// terminal and of an exec session's.
import { constants, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsoleSize } from './port.js';

export type { ConsoleSize } from './port.js';

/** A valid terminal dimension, or 0 (leave the default). */
export function dimension(n: number): number {
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 0;
}

/** conmon's control message type for a window resize (ctrl.c WIN_RESIZE_EVENT). */
const WIN_RESIZE_EVENT = 1;

/**
 * Resizes the terminal of the conmon whose bundle is `bundle`. Non-blocking open: it fails
 * (ENXIO/ENOENT) instead of hanging when no conmon reads the FIFO (container stopped).
 */
export async function resizeConmonTty(bundle: string, size: ConsoleSize): Promise<void> {
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
