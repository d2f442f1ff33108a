// Start, stop, kill, restart, wait, and what happens when a container's process exits. The
// network side is built before the process starts (names resolve when start returns) and torn
// down when it exits, whoever made it exit.
import { phase } from '../model/trace.js';
import { EventEmitter } from 'node:events';
import { TetherError, conflict } from '../errors.js';
import type { Logger } from '../model/logger.js';
import type { DaemonConfig } from '../model/config.js';
import type { ContainerNetworking } from './container-network.js';
import type { ContainerRecord } from '../model/container.js';
import type { Containers } from './containers.js';
import { crashPoint } from './crash-points.js';
import { nowRfc3339Nano } from '../model/ids.js';
import type { RuntimePort } from './runtime-port.js';
import type { PortPublisher } from './port-publisher.js';
import { linkEnv } from './link-env.js';
import { invalid } from '../errors.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export class ContainerLifecycle {
  private readonly events = new EventEmitter();
  /** Containers whose start is in flight: a second start waits instead of racing. */
  private readonly starting = new Map<string, Promise<void>>();
  /** Containers whose exit is being recorded and their network torn down: a start waits for
   * that, or it would find the old sandbox still held (compose `run` restarts at once). */
  private readonly exiting = new Map<string, Promise<void>>();

  constructor(
    private readonly containers: Containers,
    private readonly networking: ContainerNetworking,
    private readonly runtime: RuntimePort,
    private readonly ports: PortPublisher,
    private readonly config: DaemonConfig,
    private readonly log: Logger,
  ) {
    this.events.setMaxListeners(0);
    runtime.onExit((id, code) => {
      const p = this.exited(id, code).finally(() => this.exiting.delete(id));
      this.exiting.set(id, p);
    });
  }

  /** Returns false when the container was already running (Docker answers 304). */
  async start(ref: string): Promise<boolean> {
    await this.exiting.get((await this.containers.find(ref)).id);
    const c = await this.containers.find(ref);
    if (c.state.status === 'running') return false;
    const inFlight = this.starting.get(c.id);
    if (inFlight) {
      await inFlight;
      return false;
    }
    const p = this.doStart(c);
    this.starting.set(c.id, p);
    try {
      await p;
    } catch (e) {
      // `run --rm` whose start failed: Docker removes the container, and `wait?condition=removed` ends.
      if (c.hostConfig.autoRemove) {
        await this.containers.remove(c.id, { force: true, stop: async () => undefined }).catch(() => undefined);
        this.removed(c.id, 128);
      }
      throw e;
    } finally {
      this.starting.delete(c.id);
    }
    return true;
  }

  /** Legacy links on the default bridge: each target must run; its address and ports become env. */
  private async linkEnvironment(c: ContainerRecord): Promise<string[]> {
    if (!(await this.networking.onDefaultNetwork(c))) return [];
    const env: string[] = [];
    for (const link of c.hostConfig.links) {
      const [ref, alias] = link.split(':');
      const target = await this.containers.find(ref!);
      const name = alias ?? target.name;
      if (target.state.status !== 'running') {
        throw invalid(`Cannot link to a non running container: /${target.name} AS /${c.name}/${name}`, 'link.notRunning');
      }
      const ip = await this.networking.defaultNetworkIpv4(target);
      if (ip) env.push(...linkEnv(c, target, name, ip));
    }
    return env;
  }

  private async doStart(c: ContainerRecord): Promise<void> {
    let created = false;
    try {
      const links = await this.linkEnvironment(c);
      const etc = this.networking.etcPaths(c);
      const { pid } = await this.networking.up(c, async (netns) => {
        const r = await phase('runtime.create', () => this.runtime.create({
          id: c.id,
          name: c.name,
          imageId: c.config.imageId,
          args: [...c.config.entrypoint, ...c.config.cmd],
          env: [`PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, `HOSTNAME=${c.config.hostname}`, ...links, ...c.config.env.filter((e) => !e.startsWith('PATH=') && !e.startsWith('HOSTNAME='))],
          cwd: c.config.workingDir || '/',
          user: c.config.user,
          tty: c.config.tty,
          openStdin: c.config.openStdin,
          stdinOnce: c.config.stdinOnce,
          hostname: c.config.hostname,
          netns,
          etc: { hosts: etc.hosts, resolvConf: etc.resolvConf, hostname: etc.hostname },
          runtime: c.hostConfig.runtime === 'runc' || c.hostConfig.runtime === 'crun' ? c.hostConfig.runtime : this.config.defaultRuntime,
        }));
        created = true;
        return r;
      });
      try {
        c.published = await phase('ports', async () => this.ports.publish(c, await this.networking.attached(c)));
        await this.containers.save(c); // a crash from here on finds the ports to restore or remove
        await crashPoint('container.network-up');
        await phase('runtime.start', () => this.runtime.start(c.id));
        await crashPoint('container.started');
        c.state = { ...c.state, status: 'running', pid, exitCode: 0, error: '', startedAt: nowRfc3339Nano() };
        await this.containers.save(c);
      } catch (e) {
        await this.ports.unpublish(c).catch((pe: unknown) => this.log.error('unpublish after failed start', { container: c.id, error: String(pe) }));
        c.published = [];
        await this.networking.down(c).catch((de: unknown) => this.log.error('teardown after failed start', { container: c.id, error: String(de) }));
        throw e;
      }
    } catch (e) {
      if (created) await this.runtime.abort(c.id).catch((ae: unknown) => this.log.error('runtime abort failed', { container: c.id, error: String(ae) }));
      c.state = { ...c.state, status: 'created', exitCode: 128, error: (e as Error).message };
      await this.containers.save(c);
      throw e instanceof TetherError ? e : conflict((e as Error).message, 'container.start');
    }
  }

  async stop(ref: string, timeoutSec = 10): Promise<boolean> {
    const c = await this.containers.find(ref);
    if (c.state.status !== 'running') return false;
    const done = this.waitFor(c.id, 'not-running');
    await this.runtime.stop(c.id, timeoutSec);
    await done;
    return true;
  }

  async kill(ref: string, signal = 'KILL'): Promise<void> {
    const c = await this.containers.find(ref);
    if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`, 'container.notRunning');
    await this.runtime.kill(c.id, signal);
  }

  async restart(ref: string, timeoutSec = 10): Promise<void> {
    await this.stop(ref, timeoutSec);
    await this.start(ref);
  }

  /**
   * Resolves with the exit code once the condition holds (Docker's POST /containers/{id}/wait).
   * An abort (the client went away: `docker run -d` sends a wait and exits) rejects and drops the
   * listener, so a waiter does not hold its request until the container exits.
   */
  async waitFor(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<number> {
    // Listen before looking: an exit between the look and the listen would be missed.
    const event = condition === 'removed' ? `removed:${id}` : `exit:${id}`;
    let listener!: (code: number) => void;
    let onAbort = (): void => undefined;
    const next = new Promise<number>((resolve, reject) => {
      this.events.once(event, (listener = resolve));
      onAbort = () => {
        this.events.off(event, listener);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }).finally(() => signal?.removeEventListener('abort', onAbort));
    if (signal?.aborted) onAbort();
    const c = await this.containers.tryFind(id);
    const now = condition === 'not-running' && c && c.state.status !== 'running' ? c.state.exitCode : condition === 'removed' && !c ? 0 : undefined;
    if (now === undefined) return next;
    this.events.off(event, listener);
    next.catch(() => undefined);
    return now;
  }

  removed(id: string, exitCode: number): void {
    this.events.emit(`removed:${id}`, exitCode);
  }

  /** The process is gone: record it, tear the network down, honour --rm. */
  private async exited(id: string, exitCode: number): Promise<void> {
    // A process can exit before its start is recorded (`echo` on a busy machine): let the start
    // record 'running' first, so the exit is not overwritten by it.
    await this.starting.get(id)?.catch(() => undefined);
    const c = await this.containers.tryFind(id);
    if (!c) return;
    c.state = { ...c.state, status: 'exited', pid: 0, exitCode, finishedAt: nowRfc3339Nano() };
    try {
      await this.ports.unpublish(c);
      c.published = [];
      await this.containers.save(c);
      await this.networking.down(c);
    } catch (e) {
      this.log.error('network teardown after exit failed', { container: id, error: String(e) });
    }
    this.events.emit(`exit:${id}`, exitCode);
    if (c.hostConfig.autoRemove) {
      await this.containers.remove(id, { force: true, stop: async () => undefined }).catch((e: unknown) => this.log.error('auto-remove failed', { container: id, error: String(e) }));
      this.removed(id, exitCode);
    }
  }
}
