// Archive and device-node effects for the image store: unpacking tar files (GNU tar detects
// gzip/xz/bzip2 by itself) and the character device 0:0 that overlayfs reads as a whiteout.
import { internal } from '../errors.js';
import { run } from './exec.js';

export interface ExtractOptions {
  /** Restore trusted.overlay.* extended attributes stored in the archive (opaque directories). */
  overlayXattrs?: boolean;
}

/**
 * Unpacks archive into dest (which must exist), keeping numeric owners and permissions as root
 * does. GNU tar already refuses members with '..' and strips leading '/'.
 */
export async function extractTar(archive: string, dest: string, opts: ExtractOptions = {}): Promise<void> {
  const argv = ['tar', '-x', '-f', archive, '-C', dest, '--numeric-owner', '--same-permissions', '--no-same-owner'];
  if (process.getuid?.() === 0) argv.splice(argv.indexOf('--no-same-owner'), 1, '--same-owner');
  if (opts.overlayXattrs) argv.push('--xattrs', '--xattrs-include=trusted.overlay.*');
  const r = await run(argv, { timeoutMs: 600_000 });
  if (r.code !== 0) throw internal(`tar -x ${archive}: ${r.stderr.trim()}`);
}

/** Creates an overlayfs whiteout (character device 0:0) at path. */
export async function makeWhiteout(path: string): Promise<void> {
  const r = await run(['mknod', '--', path, 'c', '0', '0']);
  if (r.code !== 0) throw internal(`mknod ${path}: ${r.stderr.trim()}`);
}
