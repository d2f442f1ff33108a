// Archive and device-node effects for the image store: unpacking tar files (GNU tar detects
// gzip/xz/bzip2 by itself) or a tar stream as it arrives, and the character device 0:0 that
// overlayfs reads as a whiteout.
import { Writable } from 'node:stream';
import { internal } from '../errors.js';
import { writeToChild } from './child-stdin.js';
import { run, spawnChild } from './exec.js';

export interface ExtractOptions {
  /** Restore trusted.overlay.* extended attributes stored in the archive (opaque directories). */
  overlayXattrs?: boolean;
}

/**
 * Unpacks archive into dest (which must exist), keeping numeric owners and permissions as root
 * does. GNU tar already refuses members with '..' and strips leading '/'.
 */
export async function extractTar(archive: string, dest: string, opts: ExtractOptions = {}): Promise<void> {
  const r = await run(extractArgv(archive, dest, opts), { timeoutMs: 600_000 });
  if (r.code !== 0) throw internal(`tar -x ${archive}: ${r.stderr.trim()}`);
}

function extractArgv(archive: string, dest: string, opts: ExtractOptions): string[] {
  const argv = ['tar', '-x', '-f', archive, '-C', dest, '--numeric-owner', '--same-permissions', '--no-same-owner'];
  if (process.getuid?.() === 0) argv.splice(argv.indexOf('--no-same-owner'), 1, '--same-owner');
  if (opts.overlayXattrs) argv.push('--xattrs', '--xattrs-include=trusted.overlay.*');
  return argv;
}

/** A tar -x unpacking an archive as its bytes arrive (a layer while it downloads). */
export interface TarExtraction {
  /** The uncompressed archive, in order. Never errors: once tar gave up, the rest is dropped and finish() says why. */
  readonly input: Writable;
  /** Ends the input; resolves once tar exited 0, else rejects with tar's own message. */
  finish(): Promise<void>;
  /** Kills tar if it still runs; resolves once it exited, so nothing writes into dest after. */
  kill(): Promise<void>;
}

/**
 * extractTar reading the archive from a pipe. Started by the daemon itself (spawnChild), as the
 * zstd decoder: the process helper relays stdio as hex lines, doubling a layer's bytes.
 */
export function extractTarStream(dest: string): TarExtraction {
  const child = spawnChild(extractArgv('-', dest, {}), { stdio: ['pipe', 'ignore', 'pipe'] });
  const stdin = child.stdin!;
  stdin.on('error', () => undefined); // EPIPE when tar gave up: its exit status says why
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  let exited = false;
  const status = new Promise<string | undefined>((resolve) => {
    child.once('error', (e) => {
      exited = true;
      resolve(`cannot run tar: ${e.message}`);
    });
    child.once('close', (code, signal) => {
      exited = true;
      resolve(code === 0 ? undefined : stderr.trim() || (signal ? `killed by ${signal}` : `exit ${code}`));
    });
  });
  const input = new Writable({
    write: (chunk: Buffer, _enc, done) => writeToChild(stdin, exited, chunk, done),
    final: (done) => stdin.end(() => done()),
  });
  return {
    input,
    async finish() {
      if (!input.writableEnded) input.end();
      const failure = await status;
      if (failure !== undefined) throw internal(`tar -x: ${failure}`);
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await status;
    },
  };
}

/** Creates an overlayfs whiteout (character device 0:0) at path. */
export async function makeWhiteout(path: string): Promise<void> {
  const r = await run(['mknod', '--', path, 'c', '0', '0']);
  if (r.code !== 0) throw internal(`mknod ${path}: ${r.stderr.trim()}`);
}
