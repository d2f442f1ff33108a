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
import { Endpoints } from './endpoints.js';
import type { RuntimePort } from './runtime-port.js';
import { Sandboxes } from './sandboxes.js';

export interface EngineDeps {
  config: DaemonConfig;
  kernel: Kernel;
  log: Logger;
  firewall: Firewall;
  planner: PoolPlanner;
  runtime: RuntimePort;
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
  private readonly ctx: DriverContext;

  constructor(private readonly deps: EngineDeps) {
    this.config = deps.config;
    this.store = new Store(join(deps.config.dataRoot, 'tether.db'));
    this.ctx = { kernel: deps.kernel, log: deps.log };
    this.networks = new Networks(this.store, this.ctx, deps.planner, deps.firewall);
    this.sandboxes = new Sandboxes(deps.config.execRoot, deps.kernel);
    this.endpoints = new Endpoints(this.store, this.ctx);
    this.containerNetworking = new ContainerNetworking(this.store, this.endpoints, this.sandboxes, deps.config, deps.log, (ref) =>
      this.containers.tryFind(ref),
    );
    this.containers = new Containers(this.store, this.networks, this.containerNetworking, deps.runtime);
    this.lifecycle = new ContainerLifecycle(this.containers, this.containerNetworking, deps.runtime, deps.config, deps.log);
    let id = this.store.getMeta('daemon.id');
    if (!id) {
      id = newId();
      this.store.setMeta('daemon.id', id);
    }
    this.daemonId = id;
  }

  async start(): Promise<void> {
    if (this.config.ipForward) await this.deps.kernel.sysctl('net.ipv4.ip_forward', '1');
    ensurePredefined(this.store, this.config);
    await reconcileNetworks(this.store, this.networks, this.ctx, this.deps.firewall);
    await reconcileContainers(this.store, this.endpoints, this.containerNetworking, this.sandboxes, this.deps.runtime, this.ctx);
  }

  close(): void {
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

  imageCount(): number {
    return 0;
  }

  connect(networkRef: string, req: ConnectRequest): Promise<void> {
    return this.containers.connect(networkRef, req);
  }

  disconnect(networkRef: string, req: DisconnectRequest): Promise<void> {
    return this.containers.disconnect(networkRef, req);
  }
}
