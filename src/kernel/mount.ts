// Mounts for container root filesystems: an overlay over an image's unpacked layers, and the
// unmount that undoes it. Paths enter the overlay option string, where ',' and ':' are
// separators, so every path is checked before it is used.
import { readFile } from 'node:fs/promises';
import { invalid, internal } from '../errors.js';
import { run } from './exec.js';

const OVERLAY_PATH = /^\/[A-Za-z0-9_./@+=-]+$/;

function overlayPath(path: string): string {
  if (!OVERLAY_PATH.test(path) || path.includes('/../')) {
    throw invalid(`path not usable in an overlay mount: ${JSON.stringify(path)}`, 'kernel.overlayPath');
  }
  return path;
}

export interface OverlaySpec {
  /** Layer directories, topmost first (overlayfs order). */
  lowerDirs: readonly string[];
  upperDir: string;
  workDir: string;
  target: string;
}

/** Mounts an overlay filesystem at spec.target. */
export async function mountOverlay(spec: OverlaySpec): Promise<void> {
  if (spec.lowerDirs.length === 0) throw invalid('an overlay needs at least one lower layer', 'kernel.overlay');
  const lower = spec.lowerDirs.map(overlayPath).join(':');
  const options = `lowerdir=${lower},upperdir=${overlayPath(spec.upperDir)},workdir=${overlayPath(spec.workDir)}`;
  const r = await run(['mount', '-t', 'overlay', 'overlay', '-o', options, overlayPath(spec.target)]);
  if (r.code !== 0) throw internal(`mount overlay at ${spec.target}: ${r.stderr.trim()}`);
}

/** Mount points at or below dir, deepest first, read from our own mount table. */
export async function mountPointsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  return table
    .split('\n')
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts target (and anything below it); succeeds when nothing is mounted there. */
export async function unmountAll(target: string): Promise<void> {
  for (const mountPoint of await mountPointsUnder(target)) {
    const r = await run(['umount', mountPoint]);
    if (r.code === 0) continue;
    // Busy (a process still has a cwd inside): detach it now, the kernel frees it when released.
    const lazy = await run(['umount', '-l', mountPoint]);
    if (lazy.code !== 0 && (await mountPointsUnder(mountPoint)).includes(mountPoint)) {
      throw internal(`umount ${mountPoint}: ${lazy.stderr.trim() || r.stderr.trim()}`);
    }
  }
}

// mountinfo escapes space, tab, newline and backslash as octal (\040 …).
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
