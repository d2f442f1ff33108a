// The controller: owns the store, the kernel, the drivers' context and the sub-controllers, and
// brings the kernel in line with the store at start.
import type { DriverContext } from '../drivers/driver.js';
import { DriverRegistry } from '../drivers/registry.js';
import type { Firewaller } from '../firewall/firewaller.js';
import type { Logger } from '../model/logger.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Store } from '../store/store.js';
import type { DaemonConfig } from '../model/config.js';
import { newId } from '../model/ids.js';
import { Networks } from './networks.js';
import type { PoolPlanner } from './pool-planner.js';
import { ensurePredefined } from './predefined.js';
import { reconcileNetworks, removeOrphans } from './reconcile.js';
import { reconcileContainers } from './reconcile-containers.js';
import { rejoinExpired } from './rejoin-expired.js';

import type { ConnectRequest, DisconnectRequest } from '../model/endpoint.js';
import type { NetworkAttachment } from '../model/network.js';
import { ContainerLifecycle } from './container-lifecycle.js';
import { ContainerNetworking } from './container-network.js';
import { Containers } from './containers.js';
import { ContainerStdio } from './container-stdio.js';
import { Execs } from './execs.js';
import { Endpoints } from './endpoints.js';
import type { RuntimePort } from './runtime-port.js';
import { isTetherError } from '../errors.js';
import { EngineEvents } from './events.js';
import { Resolver } from '../dns/resolver.js';
import type { ClusterHost, EndpointRecord } from '../model/endpoint.js';
import type { ContainerRecord } from '../model/container.js';
import type { ClusterStore } from '../store/cluster-store.js';
import { ClusterPeers } from './cluster-peers.js';
import type { NetworkRecord } from '../model/network.js';
import { Sandboxes } from './sandboxes.js';
import { dnsEndpoint } from './dns-endpoint.js';
import { SandboxPool } from './sandbox-pool.js';
import { natMappings, type PortPublisher } from './port-publisher.js';

/** How soon a recovery after a lost host lease is tried again while the store is out of reach. */
const LEASE_RETRY_MS = 1000;

export interface EngineDeps {
  config: DaemonConfig;
  /** The local store (SQLite in the daemon, memory in unit tests); the engine closes it. */
  store: Store;
  kernel: Kernel;
  log: Logger;
  /** The nft firewall, or NoFirewaller under --iptables=false; drivers program it through their context. */
  firewall: Firewaller;
  planner: PoolPlanner;
  /** The network drivers (every built-in one unless a test narrows them). */
  drivers?: DriverRegistry;
  runtime: RuntimePort;
  ports: PortPublisher;
  /** Cluster mode (--cluster-store): this host, and the cluster store (store routes global records to it). */
  cluster?: { self: ClusterHost; store: ClusterStore };
}

export class Engine {
  readonly config: DaemonConfig;
  readonly store: Store;
  readonly networks: Networks;
  private id = '';
  /** A recovery after a lost host lease, under way (afterLeaseLost); close() waits for it. */
  private recovery: Promise<void> | undefined;
  private closed = false;
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
  readonly drivers: DriverRegistry;
  private readonly pool: SandboxPool;
  private readonly ctx: DriverContext;
  private readonly peers: ClusterPeers | undefined;

  constructor(private readonly deps: EngineDeps) {
    this.config = deps.config;
    this.store = deps.store;
    const cluster = deps.cluster;
    this.ctx = { kernel: deps.kernel, firewall: deps.firewall, log: deps.log, ...(cluster ? { cluster: { advertise: cluster.self.address } } : {}) };
    this.drivers = deps.drivers ?? new DriverRegistry();
    this.networks = new Networks(this.store, this.ctx, deps.planner, this.drivers, () => this.id, cluster !== undefined);
    this.sandboxes = new Sandboxes(deps.kernel);
    this.endpoints = new Endpoints(this.store, this.ctx, this.drivers, cluster?.self);
    this.dns = new Resolver({ kernel: deps.kernel });
    this.endpoints.observe({
      endpointUp: (ep, net) => this.publishNames(ep, net),
      endpointDown: (ep) => this.dns.records.removeEndpoint(ep.id),
    });
    this.peers = cluster && new ClusterPeers({ cluster: cluster.store, store: this.store, self: cluster.self, drivers: this.drivers, ctx: this.ctx, dns: this.dns.records, log: deps.log });
    if (this.peers) this.endpoints.observe(this.peers);
    this.pool = new SandboxPool(3, deps.kernel, this.dns, deps.log);
    this.containerNetworking = new ContainerNetworking(this.store, this.endpoints, this.sandboxes, deps.config, deps.log, (ref) =>
      this.containers.tryFind(ref),
    this.dns, this.pool, this.drivers);
    this.containers = new Containers(this.store, this.networks, this.containerNetworking, deps.runtime, this.endpoints);
    this.lifecycle = new ContainerLifecycle(this.containers, this.containerNetworking, deps.runtime, deps.ports, deps.config, deps.log);
    this.execs = new Execs(this.containers, deps.runtime);
    this.stdio = new ContainerStdio(this.containers, deps.runtime);
    deps.runtime.onExit((id, exitCode) => {
      void this.store.container(id).then((row) => {
        const c = row?.doc;
        if (c) this.events.publish('container', 'die', id, { ...c.config.labels, image: c.config.image, name: c.name, exitCode: String(exitCode) });
      });
    });
  }

  /** Known once start() has run: kept in the store across restarts, as dockerd's ID. */
  get daemonId(): string {
    return this.id;
  }

  async start(): Promise<void> {
    this.id = await this.store.tx(async (t) => {
      const known = await t.getMeta('daemon.id');
      if (known) return known;
      const id = newId();
      await t.setMeta('daemon.id', id);
      return id;
    });
    await this.deps.firewall.init();
    await this.drivers.probe(this.ctx);
    await ensurePredefined(this.store, this.drivers, this.config);
    await reconcileNetworks(this.store, this.networks, this.drivers, this.ctx);
    await reconcileContainers(this.store, this.endpoints, this.containerNetworking, this.sandboxes, this.deps.runtime, this.ctx);
    await removeOrphans(this.store, this.drivers, this.ctx);
    const live = (await this.containers.list()).filter((c) => c.state.status === 'running');
    for (const c of live) {
      await this.deps.ports.restore(c).catch((e: unknown) => this.deps.log.error('cannot hold the ports of a container', { container: c.id, error: String(e) }));
    }
    // Everything the store says in one batch, then self-healing.
    const fwNetworks = (await this.networks.list()).flatMap((n) => (n.configOnly ? [] : this.drivers.of(n).firewallRules(n) ?? []));
    await this.deps.firewall.reconcile({ networks: fwNetworks, ports: live.flatMap((c) => natMappings(c.published ?? [])) });
    await this.deps.firewall.watch();
    await this.restoreNames();
    await this.peers?.start();
    if (this.peers) await this.rejoinExpired(live);
    this.deps.cluster?.store.onLeaseLost(() => this.afterLeaseLost());
    this.pool.start();
  }

  /**
   * Running containers whose global endpoints expired while this host was away (rejoin-expired.ts).
   * False when a container could not be rejoined because the store was out of reach: try later.
   */
  private async rejoinExpired(live: ContainerRecord[]): Promise<boolean> {
    const deps = { store: this.store, drivers: this.drivers, kernel: this.ctx.kernel, sandboxes: this.sandboxes, networking: this.containerNetworking, save: (c: ContainerRecord) => this.containers.save(c) };
    let all = true;
    for (const c of live) {
      try {
        const nets = await rejoinExpired(deps, c);
        if (nets.length > 0) this.deps.log.warn('a container’s endpoints expired while this host was away; it joined anew', { container: c.name, networks: nets });
      } catch (e) {
        if (isTetherError(e) && e.kind === 'unavailable') all = false; // the store is out of reach again
        this.deps.log.error('cannot rejoin a container to the networks whose endpoints expired', { container: c.name, error: String(e) });
      }
    }
    return all;
  }

  /**
   * The host lease was lost while the daemon ran (the store out of reach past the TTL): what is
   * still stored goes under a new lease, what expired rejoins; retried each second until done.
   */
  private afterLeaseLost(): void {
    if (this.recovery) return;
    this.recovery = (async () => {
      while (!this.closed) {
        try {
          await this.peers!.reclaim();
          const live = (await this.containers.list()).filter((c) => c.state.status === 'running');
          if (await this.rejoinExpired(live)) break;
        } catch (e) {
          if (this.closed) break;
          this.deps.log.warn('this host’s lease was lost; retrying its recovery', { error: String(e) });
        }
        await new Promise((r) => setTimeout(r, LEASE_RETRY_MS).unref());
      }
      this.recovery = undefined;
    })();
  }

  /** Embedded DNS names exist on user-defined networks only, as in Docker. */
  private async publishNames(ep: EndpointRecord, net: NetworkRecord): Promise<void> {
    if (net.predefined) return;
    const c = await this.containers.tryFind(ep.containerId);
    this.dns.records.upsertEndpoint(dnsEndpoint(ep, net, c?.config.hostname));
  }

  /** After a restart: names of live endpoints, and resolver sockets in live sandboxes. */
  private async restoreNames(): Promise<void> {
    for (const { doc: ep } of await this.store.endpoints()) {
      const net = (await this.store.network(ep.networkId))?.doc;
      if (net) await this.publishNames(ep, net);
    }
    for (const c of await this.containers.list()) {
      if (c.state.status !== 'running' || !this.sandboxes.exists(c.id) || !(await this.containerNetworking.usesEmbeddedDns(c.networks))) continue;
      await this.containerNetworking.startDns(c, this.sandboxes.ref(c.id)).catch((e: unknown) =>
        this.deps.log.error('cannot restore the resolver of a container', { container: c.id, error: String(e) }),
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.recovery;
    await this.peers?.close();
    await this.pool.close();
    this.sandboxes.close();
    await this.deps.firewall.close();
    this.dns.close();
    this.deps.kernel.close();
    await this.store.close();
  }

  /** The `Containers` map of `network inspect`. */
  async networkContainers(networkId: string): Promise<NetworkAttachment[]> {
    const net = (await this.store.network(networkId))?.doc;
    const prefix = (family: 4 | 6): string => net?.pools.find((p) => p.family === family)?.subnet.split('/')[1] ?? '';
    // A global network's endpoints on other hosts are theirs to show, as in Docker.
    const here = (ep: EndpointRecord): boolean => ep.host === undefined || ep.host.address === this.deps.cluster?.self.address;
    return (await this.store.endpoints({ networkId })).filter((r) => here(r.doc)).map(({ doc: ep }) => ({
      containerId: ep.containerId,
      name: ep.name,
      endpointId: ep.id,
      mac: ep.mac,
      ipv4Cidr: ep.ipv4 ? `${ep.ipv4}/${prefix(4)}` : '',
      ipv6Cidr: ep.ipv6 ? `${ep.ipv6}/${prefix(6)}` : '',
    }));
  }

  /** The hosts with endpoints on a global network (Docker's Peers), sorted by address. */
  async networkPeers(networkId: string): Promise<ClusterHost[]> {
    const hosts = new Map<string, ClusterHost>();
    for (const { doc: ep } of await this.store.endpoints({ networkId })) if (ep.host) hosts.set(ep.host.address, ep.host);
    return [...hosts.values()].sort((a, b) => a.address.localeCompare(b.address));
  }

  async containerCounts(): Promise<{ total: number; running: number }> {
    const all = await this.containers.list();
    return { total: all.length, running: all.filter((c) => c.state.status === 'running').length };
  }

  connect(networkRef: string, req: ConnectRequest): Promise<void> {
    return this.containers.connect(networkRef, req);
  }

  disconnect(networkRef: string, req: DisconnectRequest): Promise<void> {
    return this.containers.disconnect(networkRef, req);
  }
}
