// conmon, the per-container monitor (the one Podman and CRI-O use): it runs `<runtime> create`,
// holds the container's stdio, writes the k8s-file log and the exit code, and outlives tetherd.
// conmon double-forks and returns at once; the container exists only when conmon writes
// {"data": <pid>} to its sync pipe (fd 3 here, named by _OCI_SYNCPIPE), as Podman waits for it.
// conmon runs in a mount namespace of the container's own that holds its rootfs mount.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { internal } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import { inRootfsMountNs, type OverlaySpec } from '../kernel/mount.js';

/** The files of one container directory, shared by the monitor, the runtime and the log reader. */
export interface ContainerPaths {
  dir: string;
  /** Bundle directory: config.json; conmon adds its ctl/winsz fifos and attach socket here. */
  bundle: string;
  rootfs: string;
  upper: string;
  work: string;
  log: string;
  pidFile: string;
  conmonPidFile: string;
  exitDir: string;
  socketDir: string;
  /** Which runtime (crun/runc) created the container. */
  runtimeFile: string;
}

export function containerPaths(containersRoot: string, id: string): ContainerPaths {
  const dir = join(containersRoot, id);
  return {
    dir,
    bundle: dir,
    rootfs: join(dir, 'rootfs'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    log: join(dir, 'ctr.log'),
    pidFile: join(dir, 'pid'),
    conmonPidFile: join(dir, 'conmon.pid'),
    exitDir: join(dir, 'exit'),
    socketDir: join(dir, 'sock'),
    runtimeFile: join(dir, 'runtime'),
  };
}

export interface MonitorLaunch {
  id: string;
  name: string;
  paths: ContainerPaths;
  /** The runtime binary conmon runs. */
  runtimePath: string;
  /** The container's root filesystem, mounted in conmon's namespace at paths.rootfs. */
  rootfs: OverlaySpec;
  /** A mount to detach in that namespace before the runtime sees it. */
  hideMount: string | undefined;
  /** Global runtime options (e.g. --root DIR), passed before the subcommand. */
  runtimeArgs: readonly string[];
  terminal: boolean;
  /** A stdin for the container that conmon feeds from its attach socket (-i). */
  stdin: boolean;
  /** Close that stdin when the first attach client ends its input; otherwise keep it open. */
  stdinOnce: boolean;
}

const SYNC_TIMEOUT_MS = 30_000;

/** Starts conmon, which runs `<runtime> create`; resolves with the container's init pid. */
export async function launchMonitor(kernel: Kernel, l: MonitorLaunch): Promise<number> {
  const argv = inRootfsMountNs(l.rootfs, l.hideMount, [
    'conmon',
    '--api-version', '1',
    '-c', l.id,
    '-u', l.id,
    '-n', l.name,
    '-r', l.runtimePath,
    '-b', l.paths.bundle,
    '-p', l.paths.pidFile,
    '-P', l.paths.conmonPidFile,
    '-l', `k8s-file:${l.paths.log}`,
    '--exit-dir', l.paths.exitDir,
    '--socket-dir-path', l.paths.socketDir,
    ...l.runtimeArgs.flatMap((a) => ['--runtime-arg', a]),
    ...(l.terminal ? ['-t'] : []),
    // Docker's OpenStdin/StdinOnce: without -i the container's stdin is /dev/null.
    ...(l.stdin ? ['-i', ...(l.stdinOnce ? [] : ['--leave-stdin-open'])] : []),
  ]);
  const child = kernel.launch(argv, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { _OCI_SYNCPIPE: '3' }, detached: true });
  const sync = child.stdio[3] as Readable;
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    const msg = await readSyncMessage(sync, () => stderr);
    if (typeof msg.data !== 'number' || msg.data <= 0) {
      throw internal(`${l.runtimePath} create ${l.id}: ${msg.message ?? (stderr.trim() || 'failed')}`);
    }
    return msg.data;
  } finally {
    sync.destroy();
    child.stderr?.destroy();
  }
}

function readSyncMessage(sync: Readable, stderr: () => string): Promise<{ data?: unknown; message?: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(internal('conmon did not report the container pid in time')), SYNC_TIMEOUT_MS);
    const done = (f: () => void): void => {
      clearTimeout(timer);
      f();
    };
    sync.setEncoding('utf8');
    sync.on('data', (d: string) => {
      buf += d;
      try {
        const msg = JSON.parse(buf) as { data?: unknown; message?: string };
        done(() => resolve(msg));
      } catch {
        // not a whole JSON object yet
      }
    });
    sync.on('end', () => done(() => reject(internal(`conmon failed: ${stderr().trim() || 'no pid reported'}`))));
    sync.on('error', (e) => done(() => reject(internal(`conmon sync pipe: ${e.message}`, e))));
  });
}

/** The exit code conmon recorded, or undefined while the container has not exited. */
export async function readExitCode(paths: ContainerPaths, id: string): Promise<number | undefined> {
  try {
    const text = (await readFile(join(paths.exitDir, id), 'utf8')).trim();
    return text === '' ? undefined : Number(text);
  } catch {
    return undefined;
  }
}

/**
 * While the exit directory is watched, a check this often only backs up inotify (a queue
 * overflow during a mass exit drops events). Every running container has a waiter: polling each
 * twice a second, as before, cost 1000 containers ~25 % of a CPU in file reads and kept the
 * daemon's thread pool busy under every container start.
 */
const BACKSTOP_MS = 30_000;
/** Without a watch (inotify refused one, e.g. max_user_watches reached), polling is all there is. */
const POLL_MS = 500;

/** Resolves with the exit code once conmon writes it; watched, with a slow poll as a backstop. */
export function waitForExitFile(paths: ContainerPaths, id: string, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(paths.exitDir, () => void check());
      watcher.on('error', () => undefined); // the directory vanishes when the container is deleted
    } catch {
      watcher = undefined;
    }
    const poll = setInterval(() => void check(), watcher ? BACKSTOP_MS : POLL_MS);
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      watcher?.close();
      clearInterval(poll);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => finish(() => reject(signal?.reason ?? new Error('aborted')));
    const check = async (): Promise<void> => {
      const code = await readExitCode(paths, id);
      if (code !== undefined) finish(() => resolve(code));
    };
    signal?.addEventListener('abort', onAbort);
    void check(); // after the watch is set: an exit in between is seen by one or the other
  });
}

/** conmon's pid if it is still running (checked against /proc, so a reused pid does not count). */
export async function liveMonitorPid(paths: ContainerPaths): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(paths.conmonPidFile, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return cmdline.startsWith('conmon\0') && cmdline.includes(paths.bundle) && state !== 'Z' ? pid : undefined;
  } catch {
    return undefined;
  }
}
