// Network lifecycle: create, find, list, remove, prune. The name and the subnets are reserved in
// one SQLite transaction (so parallel creates cannot twin a name or overlap a subnet); the row is
// 'creating' until the kernel side is done, which is what lets a restart after kill -9 roll an
// unfinished create back (reconcile.ts).
import { forbidden, invalid, notFound } from '../errors.js';
import type { DriverContext, NetworkDriver } from '../drivers/driver.js';
import { noCluster, type DriverRegistry } from '../drivers/registry.js';
import { networkNameTaken, type Store, type StoreTx } from '../store/store.js';
import { crashPoint } from './crash-points.js';
import { newId, nowRfc3339Nano } from '../model/ids.js';
import { matchNetwork } from './network-filters.js';
import type { PoolPlanner } from './pool-planner.js';
import type { CreateNetworkRequest, NetworkFilters, NetworkRecord } from '../model/network.js';

const CURSOR_KEY = 'ipam.pool-cursor';

export class Networks {
  constructor(
    private readonly store: Store,
    private readonly ctx: DriverContext,
    private readonly planner: PoolPlanner,
    readonly drivers: DriverRegistry,
    /** The daemon's id (known once the engine has started): the IPv6 ULA pool derives from it. */
    private readonly hostId: () => string,
    /** A cluster store is configured: global networks can be made. */
    private readonly clustered = false,
  ) {}

  async create(req: CreateNetworkRequest): Promise<NetworkRecord> {
    if (this.drivers.drivers.some((d) => d.singleton && d.predefined?.name === req.name)) {
      throw forbidden(`operation is not permitted on predefined ${req.name} network`, 'network.predefined');
    }
    const driver = this.drivers.forCreate(req.driver);
    if (driver.singleton) throw forbidden(`only one instance of "${req.driver}" network is allowed`, 'network.singleton');
    if (req.scope === 'swarm' || req.scope === 'global') {
      throw forbidden('cannot create a swarm scoped network when swarm is not active', 'network.swarm');
    }
    if (req.ingress) throw forbidden('Ingress network can only be global scope network', 'network.ingress');
    if (driver.scope === 'global' && !this.clustered) throw noCluster();

    const net: NetworkRecord = {
      id: newId(),
      name: req.name,
      driver: req.driver,
      // Docker shows a cluster-wide network as "swarm" (a global driver's networks are its only ones).
      scope: driver.scope === 'global' ? 'swarm' : 'local',
      created: nowRfc3339Nano(),
      enableIPv6: req.enableIPv6,
      enableIPv4: req.enableIPv4,
      internal: req.internal,
      attachable: req.attachable,
      ingress: req.ingress,
      configOnly: req.configOnly,
      configFrom: req.configFrom,
      ipamDriver: req.ipamDriver,
      ipamOptions: req.ipamOptions,
      pools: [],
      options: req.options,
      labels: req.labels,
      predefined: false,
    };
    await driver.validate(this.ctx, net); // option errors before anything is reserved
    const hostRoutes = driver.ipam === 'default' && this.planner.needsHostRoutes(req) ? await this.hostRoutes() : [];

    const failure = await this.store.tx(async (t) => {
      if (await t.networkByName(net.name)) throw networkNameTaken(net.name);
      const existing = (await t.networks()).map((r) => r.doc);
      const clash = driver.conflict(net, existing);
      if (clash) throw clash;
      // A global network's transaction is the cluster store's: two hosts cannot take one id (VNI).
      driver.assign?.(net, existing);
      const error = await this.assignPools(t, driver, req, net, existing, hostRoutes);
      if (error) return error; // returned, not thrown: the cursor move must commit
      await t.insertNetwork(net, 'creating');
      return undefined;
    });
    if (failure) throw failure;

    try {
      await crashPoint('network.create.reserved');
      // A global network's kernel side is made on each host by its first endpoint there
      // (cluster-peers.ts), as Docker's overlay is on a node once a task lands on it.
      if (!net.configOnly && driver.scope !== 'global') await driver.createNetwork(this.ctx, net);
      await crashPoint('network.create.kernel');
      await this.store.setNetworkStatus(net.id, 'ready');
    } catch (e) {
      await this.rollbackCreate(net);
      throw e;
    }
    return net;
  }

  /** The network's subnets from the IPAM its driver uses; an allocation failure is returned. */
  private async assignPools(t: StoreTx, driver: NetworkDriver, req: CreateNetworkRequest, net: NetworkRecord, existing: NetworkRecord[], hostRoutes: string[]) {
    if (driver.ipam === 'none') return undefined;
    const cursor = Number((await t.getMeta(CURSOR_KEY)) ?? '0');
    const plan = this.planner.plan(req, { existing, hostRoutes, cursor, hostId: this.hostId() });
    await t.setMeta(CURSOR_KEY, String(plan.cursor)); // Docker advances the cursor even when a create fails
    if (!plan.ok) return plan.error;
    net.pools = plan.pools;
    return undefined;
  }

  /** Undoes a create whose kernel side may be partly done; safe to call more than once. */
  async rollbackCreate(net: NetworkRecord): Promise<void> {
    try {
      await this.drivers.of(net).deleteNetwork(this.ctx, net);
    } catch (e) {
      this.ctx.log.error('rollback of network create failed', { network: net.id, error: String(e) });
    }
    await this.store.deleteNetwork(net.id);
  }

  /** Docker's lookup: full id, then exact name, then unique id prefix. */
  async find(ref: string): Promise<NetworkRecord> {
    const rows = (await this.store.networks()).filter((r) => r.status === 'ready').map((r) => r.doc);
    const byId = rows.find((n) => n.id === ref);
    if (byId) return byId;
    const byName = rows.filter((n) => n.name === ref);
    if (byName.length === 1) return byName[0]!;
    const byPrefix = rows.filter((n) => n.id.startsWith(ref));
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) {
      throw invalid(`${byPrefix.length} matches found based on ID prefix: network ${ref} is ambiguous`, 'network.ambiguous');
    }
    throw notFound(`network ${ref} not found`, 'network.notFound');
  }

  async list(filters: NetworkFilters = {}): Promise<NetworkRecord[]> {
    const ready = (await this.store.networks()).filter((r) => r.status === 'ready').map((r) => r.doc);
    const counts = await Promise.all(ready.map((n) => this.store.countEndpoints(n.id)));
    return ready.filter((n, i) => matchNetwork(n, filters, counts[i]!));
  }

  async remove(ref: string): Promise<void> {
    const net = await this.find(ref);
    if (net.predefined) {
      throw forbidden(`${net.name} is a pre-defined network and cannot be removed`, 'network.predefined');
    }
    await this.store.tx(async (t) => {
      // Checked and marked in one transaction, so a concurrent connect cannot slip in between.
      if ((await t.countEndpoints(net.id)) > 0) {
        throw forbidden(`error while removing network: network ${net.name} id ${net.id} has active endpoints`, 'network.inuse');
      }
      await t.setNetworkStatus(net.id, 'removing');
    });
    await crashPoint('network.remove.marked');
    await this.finishRemove(net);
  }

  /** The kernel half of a remove; reconcile calls it for rows left 'removing' by a crash. */
  async finishRemove(net: NetworkRecord): Promise<void> {
    await this.drivers.of(net).deleteNetwork(this.ctx, net);
    await this.store.deleteNetwork(net.id);
  }

  /** Removes every unused custom network matching the filters; returns their names. */
  async prune(filters: NetworkFilters): Promise<string[]> {
    const candidates = (await this.list(filters)).filter((n) => !n.predefined);
    const removed: string[] = [];
    for (const n of candidates) {
      try {
        await this.remove(n.id);
        removed.push(n.name);
      } catch (e) {
        this.ctx.log.warn('prune skipped a network', { network: n.name, error: String(e) });
      }
    }
    return removed;
  }

  /** Routed subnets on the host that are not our networks' (a VPN, the LAN): pools avoid them. */
  private async hostRoutes(): Promise<string[]> {
    const routes = await this.ctx.kernel.routeDestinations();
    const ours = new Set((await this.store.networks()).flatMap((r) => r.doc.pools.map((p) => p.subnet)));
    return routes.filter((d) => d.includes('/') && !ours.has(d));
  }
}
