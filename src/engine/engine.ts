// The controller: owns the store, the kernel, the drivers' context and the sub-controllers, and
// brings the kernel in line with the store at start.
import { join } from 'node:path';
import type { DriverContext, Logger } from '../drivers/driver.js';
import type { Kernel } from '../kernel/kernel.js';
import { Store } from '../store/store.js';
import type { DaemonConfig } from './config.js';
import type { Firewall } from './firewall-port.js';
import { newId } from './ids.js';
import { Networks } from './networks.js';
import type { PoolPlanner } from './pool-planner.js';
import { ensurePredefined } from './predefined.js';
import { reconcileNetworks } from './reconcile.js';
import { reconcileContainers } from './reconcile-containers.js';
import type { ConnectRequest, DisconnectRequest, NetworkAttachment } from './types.js';
import { ContainerLifecycle } from './container-lifecycle.js';
import { ContainerNetworking } from './container-network.js';
import { Containers } from './containers.js';
import { ContainerStdio } from './container-stdio.js';
import { Execs } from './execs.js';
import { Endpoints } from './endpoints.js';
import type { RuntimePort } from './runtime-port.js';
import { EngineEvents } from './events.js';
import { Resolver } from '../dns/resolver.js';
import type { EndpointRecord, NetworkRecord } from './types.js';
import { Sandboxes } from './sandboxes.js';
import { SandboxPool } from './sandbox-pool.js';
import { toMapping, type PortPublisher } from './port-publisher.js';

export interface EngineDeps {
  config: DaemonConfig;
  kernel: Kernel;
  log: Logger;
  firewall: Firewall;
  planner: PoolPlanner;
  runtime: RuntimePort;
  ports: PortPublisher;
}

export class Engine {
  readonly config: DaemonConfig;
  readonly store: Store;
  readonly networks: Networks;
  readonly daemonId: string;
  readonly sandboxes: Sandboxes;
  readonly endpoints: Endpoints;
  readonly containerNetworking: ContainerNetworking;
  readonly containers: Containers;
  readonly lifecycle: ContainerLifecycle;
  /** docker exec: instances and their processes. */
  readonly execs: Execs;
  /** Attached clients' input and terminal sizes. */
  readonly stdio: ContainerStdio;
  readonly dns: Resolver;
  readonly events = new EngineEvents();
  private readonly pool: SandboxPool;
  private readonly ctx: DriverContext;

  constructor(private readonly deps: EngineDeps) {
    this.config = deps.config;
    this.store = new Store(join(deps.config.dataRoot, 'tether.db'));
    this.ctx = { kernel: deps.kernel, log: deps.log };
    this.networks = new Networks(this.store, this.ctx, deps.planner, deps.firewall);
    this.sandboxes = new Sandboxes(deps.kernel);
    this.endpoints = new Endpoints(this.store, this.ctx);
    this.dns = new Resolver({ kernel: deps.kernel });
    this.endpoints.observe({
      endpointUp: (ep, net) => this.publishNames(ep, net),
      endpointDown: (ep) => this.dns.records.removeEndpoint(ep.id),
    });
    this.pool = new SandboxPool(3, deps.kernel, this.dns, deps.log);
    this.containerNetworking = new ContainerNetworking(this.store, this.endpoints, this.sandboxes, deps.config, deps.log, (ref) =>
      this.containers.tryFind(ref),
    this.dns, this.pool);
    this.containers = new Containers(this.store, this.networks, this.containerNetworking, deps.runtime, this.endpoints);
    this.lifecycle = new ContainerLifecycle(this.containers, this.containerNetworking, deps.runtime, deps.ports, deps.config, deps.log);
    this.execs = new Execs(this.containers, deps.runtime);
    this.stdio = new ContainerStdio(this.containers, deps.runtime);
    deps.runtime.onExit((id, exitCode) => {
      const c = this.store.container(id)?.doc;
      if (c) this.events.publish('container', 'die', id, { ...c.config.labels, image: c.config.image, name: c.name, exitCode: String(exitCode) });
    });
    let id = this.store.getMeta('daemon.id');
    if (!id) {
      id = newId();
      this.store.setMeta('daemon.id', id);
    }
    this.daemonId = id;
  }

  async start(): Promise<void> {
    await this.deps.firewall.init();
    ensurePredefined(this.store, this.config);
    await reconcileNetworks(this.store, this.networks, this.ctx, this.deps.firewall);
    await reconcileContainers(this.store, this.endpoints, this.containerNetworking, this.sandboxes, this.deps.runtime, this.ctx);
    const live = this.containers.list().filter((c) => c.state.status === 'running');
    for (const c of live) {
      await this.deps.ports.restore(c).catch((e: unknown) => this.deps.log.error('cannot hold the ports of a container', { container: c.id, error: String(e) }));
    }
    await this.deps.firewall.sync(this.networks.list(), live.flatMap((c) => (c.published ?? []).map(toMapping)));
    await this.restoreNames();
    this.pool.start();
  }

  /** Embedded DNS names exist on user-defined networks only, as in Docker. */
  private publishNames(ep: EndpointRecord, net: NetworkRecord): void {
    if (net.predefined) return;
    const c = this.containers.tryFind(ep.containerId);
    this.dns.records.upsertEndpoint({
      endpointId: ep.id,
      networkId: net.id,
      networkName: net.name,
      internal: net.internal,
      containerId: ep.containerId,
      containerName: ep.name,
      hostname: c?.config.hostname,
      aliases: ep.dnsNames.filter((n) => n !== ep.name),
      ...(ep.ipv4 ? { ipv4: ep.ipv4 } : {}),
      ...(ep.ipv6 ? { ipv6: ep.ipv6 } : {}),
    });
  }

  /** After a restart: names of live endpoints, and resolver sockets in live sandboxes. */
  private async restoreNames(): Promise<void> {
    for (const { doc: ep } of this.store.endpoints()) {
      const net = this.store.network(ep.networkId)?.doc;
      if (net) this.publishNames(ep, net);
    }
    for (const c of this.containers.list()) {
      if (c.state.status !== 'running' || !this.sandboxes.exists(c.id) || !this.containerNetworking.usesEmbeddedDns(c.networks)) continue;
      await this.containerNetworking.startDns(c, this.sandboxes.ref(c.id)).catch((e: unknown) =>
        this.deps.log.error('cannot restore the resolver of a container', { container: c.id, error: String(e) }),
      );
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
    this.sandboxes.close();
    await this.deps.firewall.close();
    this.dns.close();
    this.deps.kernel.close();
    this.store.close();
  }

  /** The `Containers` map of `network inspect`. */
  networkContainers(networkId: string): NetworkAttachment[] {
    const net = this.store.network(networkId)?.doc;
    const prefix = (family: 4 | 6): string => net?.pools.find((p) => p.family === family)?.subnet.split('/')[1] ?? '';
    return this.store.endpoints({ networkId }).map(({ doc: ep }) => ({
      containerId: ep.containerId,
      name: ep.name,
      endpointId: ep.id,
      mac: ep.mac,
      ipv4Cidr: ep.ipv4 ? `${ep.ipv4}/${prefix(4)}` : '',
      ipv6Cidr: ep.ipv6 ? `${ep.ipv6}/${prefix(6)}` : '',
    }));
  }

  containerCounts(): { total: number; running: number } {
    const all = this.containers.list();
    return { total: all.length, running: all.filter((c) => c.state.status === 'running').length };
  }

  connect(networkRef: string, req: ConnectRequest): Promise<void> {
    return this.containers.connect(networkRef, req);
  }

  disconnect(networkRef: string, req: DisconnectRequest): Promise<void> {
    return this.containers.disconnect(networkRef, req);
  }
}
