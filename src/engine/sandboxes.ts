// Sandboxes: a container's network namespace, bound at <exec-root>/netns/<12 hex> so it outlives
// any process in it and can be found again after a daemon restart.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kernel } from '../kernel/kernel.js';
import type { SandboxRef } from './endpoints.js';

export class Sandboxes {
  private readonly dir: string;

  constructor(execRoot: string, private readonly kernel: Kernel) {
    this.dir = join(execRoot, 'netns');
  }

  ref(containerId: string): SandboxRef {
    return { containerId, netnsPath: join(this.dir, containerId.slice(0, 12)) };
  }

  exists(containerId: string): boolean {
    return existsSync(this.ref(containerId).netnsPath);
  }

  async create(containerId: string, ipv6: boolean): Promise<SandboxRef> {
    const ref = this.ref(containerId);
    await this.kernel.netnsCreate(ref.netnsPath, { ipv6 });
    return ref;
  }

  async delete(containerId: string): Promise<void> {
    await this.kernel.netnsDelete(this.ref(containerId).netnsPath);
  }

  /** Namespace files present on disk (reconcile removes those with no container). */
  async list(): Promise<string[]> {
    return existsSync(this.dir) ? (await readdir(this.dir)).filter((n) => /^[0-9a-f]{12}$/.test(n)) : [];
  }
}
