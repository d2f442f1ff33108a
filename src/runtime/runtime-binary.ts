// Which OCI runtime binary we drive and how. crun 1.8.1 (Debian 12) refuses hosts with hybrid
// cgroups (a cgroup2 mount at /sys/fs/cgroup/unified) in `create`; there that mount is detached
// in the container's own mount namespace, which conmon runs in anyway (kernel/mount.ts). runc
// works as is. start/state/kill/exec/delete work from the host's namespace.
import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unavailable } from '../errors.js';

export type RuntimeName = 'crun' | 'runc';

export interface RuntimeBinary {
  name: RuntimeName;
  /** Absolute path of the runtime binary (for state/kill/exec/delete). */
  path: string;
  /** A mount `create` must not see (hybrid cgroups with crun); detached in the container's mount namespace. */
  hideMount?: string;
}

const HYBRID_UNIFIED_MOUNT = '/sys/fs/cgroup/unified';

/** Locates name on PATH and decides whether its `create` must not see the hybrid cgroup2 mount. */
export async function detectRuntime(name: RuntimeName): Promise<RuntimeBinary> {
  const path = await onPath(name);
  if (!path) throw unavailable(`OCI runtime ${name} not found on PATH`, 'runtime.missing');
  if (name === 'crun' && (await hybridCgroups())) return { name, path, hideMount: HYBRID_UNIFIED_MOUNT };
  return { name, path };
}

async function hybridCgroups(): Promise<boolean> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  return table.split('\n').some((l) => l.split(' ')[4] === HYBRID_UNIFIED_MOUNT && / - cgroup2 /.test(l));
}

async function onPath(cmd: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const candidate = join(dir, cmd);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
