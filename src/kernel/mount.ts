// Container root filesystems: an overlay over an image's unpacked layers, mounted only inside a
// mount namespace of the container's own (scripts/rootfs-mount-ns.pl explains why). Paths enter
// the overlay option string, where ',' and ':' are separators, so every path is checked first.
import { invalid } from '../errors.js';
import { scriptPath } from '../script-path.js';

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

/**
 * The argv that runs `program` in a new private mount namespace where the overlay is mounted at
 * spec.target (and `hide`, if given, is detached first). The mount goes when the namespace's
 * last process exits; the caller's namespace never sees it.
 */
export function inRootfsMountNs(spec: OverlaySpec, hide: string | undefined, program: readonly string[]): string[] {
  if (spec.lowerDirs.length === 0) throw invalid('an overlay needs at least one lower layer', 'kernel.overlay');
  const lower = spec.lowerDirs.map(overlayPath).join(':');
  const options = `lowerdir=${lower},upperdir=${overlayPath(spec.upperDir)},workdir=${overlayPath(spec.workDir)}`;
  const script = scriptPath('rootfs-mount-ns.pl');
  return ['/usr/bin/perl', script, hide === undefined ? '-' : overlayPath(hide), overlayPath(spec.target), options, ...program];
}
