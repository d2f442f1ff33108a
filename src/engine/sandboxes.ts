// Sandboxes: a container's network namespace, held open by the daemon (kernel/netns.ts) from
// its start until it stops. After a daemon restart a running container's namespace is held
// again through its process; idle namespaces of a dead daemon are gone with it.
import { internal } from '../errors.js';
import type { Kernel, NetnsHandle } from '../kernel/kernel.js';
import type { SandboxRef } from './endpoints.js';

export class Sandboxes {
  private readonly held = new Map<string, NetnsHandle>();

  constructor(private readonly kernel: Kernel) {}

  /** The sandbox of a container that has one (a running container's). */
  ref(containerId: string): SandboxRef {
    const h = this.held.get(containerId);
    if (!h) throw internal(`container ${containerId} has no sandbox`);
    return { containerId, netnsPath: h.path };
  }

  exists(containerId: string): boolean {
    return this.held.has(containerId);
  }

  async create(containerId: string, ipv6: boolean): Promise<SandboxRef> {
    return this.adopt(containerId, await this.kernel.netnsCreate({ ipv6 }));
  }

  /** Makes a namespace made elsewhere (the pool, a live container's process) this container's. */
  adopt(containerId: string, netns: NetnsHandle): SandboxRef {
    if (this.held.has(containerId)) {
      netns.close();
      throw internal(`container ${containerId} has a sandbox already`);
    }
    this.held.set(containerId, netns);
    return this.ref(containerId);
  }

  /** Lets the namespace go; succeeds when there is none. */
  delete(containerId: string): void {
    this.held.get(containerId)?.close();
    this.held.delete(containerId);
  }

  /** Lets all go (daemon shutdown): running containers keep theirs through their processes. */
  close(): void {
    for (const id of [...this.held.keys()]) this.delete(id);
  }
}
