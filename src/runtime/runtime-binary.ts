// Which OCI runtime binary we drive and how. crun 1.8.1 (Debian 12) refuses hosts with hybrid
// cgroups (a cgroup2 mount at /sys/fs/cgroup/unified); there conmon runs it through the fixed
// scripts/crun-wrapper.sh, which hides that mount in a private mount namespace (measured:
// ~13 ms to running). runc works as is. state/kill/exec/delete work without the wrapper.
import { existsSync } from 'node:fs';
import { access, constants, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../errors.js';

export type RuntimeName = 'crun' | 'runc';

export interface RuntimeBinary {
  name: RuntimeName;
  /** Absolute path of the runtime binary (for state/kill/exec/delete). */
  path: string;
  /** What conmon runs for `create`: the binary or the wrapper script. */
  monitorPath: string;
  /** How it runs, for `docker info` and logs. */
  mode: 'direct' | 'hybrid-cgroup-wrapper';
}

const HYBRID_UNIFIED_MOUNT = '/sys/fs/cgroup/unified';

/** Locates name on PATH and decides whether crun needs the hybrid-cgroup wrapper. */
export async function detectRuntime(name: RuntimeName, wrapperPath = defaultWrapperPath()): Promise<RuntimeBinary> {
  const path = await onPath(name);
  if (!path) throw unavailable(`OCI runtime ${name} not found on PATH`, 'runtime.missing');
  if (name === 'crun' && (await hybridCgroups())) {
    return { name, path, monitorPath: wrapperPath, mode: 'hybrid-cgroup-wrapper' };
  }
  return { name, path, monitorPath: path, mode: 'direct' };
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

/** scripts/crun-wrapper.sh of this checkout: the nearest one above the compiled module. */
function defaultWrapperPath(): string {
  const rel = join('scripts', 'crun-wrapper.sh');
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== '/'; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
  }
  return join(process.cwd(), rel);
}
