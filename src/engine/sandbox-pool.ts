// Ready sandboxes for containers on user-defined networks: a namespace with loopback up and the
// embedded resolver's sockets already bound. Binding them costs one process start-up (~60 ms),
// more than everything else a start does; taking a pooled one costs nothing. Neither Docker nor
// Podman does this. Refilled in the background, one at a time; a dead daemon's pool is gone with
// it (the namespaces are held by its open files only).
import type { Logger } from '../model/logger.js';
import type { SandboxSockets } from '../dns/listener.js';
import type { Resolver } from '../dns/resolver.js';
import type { Kernel, NetnsHandle } from '../kernel/kernel.js';

/** How long after a take the pool starts refilling (a start's runtime create takes ~35 ms). */
const REFILL_DELAY_MS = 100;

export interface ReadySandbox {
  netns: NetnsHandle;
  sockets: SandboxSockets;
}

export class SandboxPool {
  private readonly ready: ReadySandbox[] = [];
  private filling: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly kernel: Kernel,
    private readonly dns: Resolver,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.refill();
  }

  /** A ready sandbox, now the caller's; undefined when none is ready (the caller makes one). */
  take(): ReadySandbox | undefined {
    const r = this.ready.shift();
    // Refilled once the start that took it is past its busiest part: binding the resolver
    // sockets starts a Node process, which on two cores would compete with the runtime's create.
    setTimeout(() => this.refill(), REFILL_DELAY_MS).unref();
    return r;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
    for (const r of this.ready.splice(0)) discard(r);
  }

  private refill(): void {
    if (this.filling || this.closed || this.size === 0) return;
    this.filling = (async () => {
      while (!this.closed && this.ready.length < this.size) {
        let netns: NetnsHandle | undefined;
        try {
          netns = await this.kernel.netnsCreate({ ipv6: false });
          this.ready.push({ netns, sockets: await this.dns.bindSockets(netns.path) });
        } catch (e) {
          netns?.close();
          this.log.warn('cannot prepare a pooled sandbox', { error: String(e) });
          return;
        }
      }
    })().finally(() => (this.filling = undefined));
  }
}

/** An open socket would keep the namespace alive: close them first. */
function discard(r: ReadySandbox): void {
  r.sockets.udp.close();
  r.sockets.tcp.close();
  r.netns.close();
}
