// Ready sandboxes for containers on user-defined networks: a namespace with loopback up and the
// embedded resolver's sockets already bound. Binding them costs one process start-up (~60 ms),
// more than everything else a start does; taking a pooled one costs a mount move (~2 ms).
// Neither Docker nor Podman does this. Refilled in the background, one at a time.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../drivers/driver.js';
import type { SandboxSockets } from '../dns/listener.js';
import type { Resolver } from '../dns/resolver.js';
import type { Kernel } from '../kernel/kernel.js';

interface Ready {
  path: string;
  sockets: SandboxSockets;
}

const PREFIX = 'pool-';

export class SandboxPool {
  private readonly ready: Ready[] = [];
  private filling: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly size: number,
    private readonly kernel: Kernel,
    private readonly dns: Resolver,
    private readonly log: Logger,
  ) {}

  /** Removes pool namespaces a previous daemon left, then starts filling. */
  async start(): Promise<void> {
    const stale = existsSync(this.dir) ? (await readdir(this.dir)).filter((n) => n.startsWith(PREFIX)) : [];
    for (const n of stale) await this.kernel.netnsDelete(join(this.dir, n));
    this.refill();
  }

  /** Moves a ready sandbox to `netnsPath`; undefined when none is ready (the caller makes one). */
  async take(netnsPath: string): Promise<SandboxSockets | undefined> {
    const r = this.ready.shift();
    this.refill();
    if (!r) return undefined;
    try {
      await this.kernel.netnsMove(r.path, netnsPath);
      return r.sockets;
    } catch (e) {
      this.discard(r);
      this.log.warn('a pooled sandbox could not be used', { error: String(e) });
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
    for (const r of this.ready.splice(0)) await this.discard(r);
  }

  private refill(): void {
    if (this.filling || this.closed || this.size === 0) return;
    this.filling = (async () => {
      while (!this.closed && this.ready.length < this.size) {
        const path = join(this.dir, `${PREFIX}${randomBytes(6).toString('hex')}`);
        try {
          await this.kernel.netnsCreate(path, { ipv6: false });
          this.ready.push({ path, sockets: await this.dns.bindSockets(path) });
        } catch (e) {
          await this.kernel.netnsDelete(path).catch(() => undefined);
          this.log.warn('cannot prepare a pooled sandbox', { error: String(e) });
          return;
        }
      }
    })().finally(() => (this.filling = undefined));
  }

  private async discard(r: Ready): Promise<void> {
    r.sockets.udp.close();
    r.sockets.tcp.close();
    await this.kernel.netnsDelete(r.path);
  }
}
