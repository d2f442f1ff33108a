// Network lifecycle: create, find, list, remove, prune. The name and the subnets are reserved in
// one SQLite transaction (so parallel creates cannot twin a name or overlap a subnet); the row is
// 'creating' until the kernel side is done, which is what lets a restart after kill -9 roll an
// unfinished create back (reconcile.ts).
import { forbidden, invalid, notFound } from '../errors.js';
import { driverFor } from '../drivers/registry.js';
import type { DriverContext } from '../drivers/driver.js';
import { bridgeName } from '../drivers/bridge/options.js';
import { networkNameTaken, type Store } from '../store/store.js';
import type { Firewall } from './firewall-port.js';
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
    private readonly firewall: Firewall,
  ) {}

  async create(req: CreateNetworkRequest): Promise<NetworkRecord> {
    if (req.name === 'host' || req.name === 'none') {
      throw forbidden(`operation is not permitted on predefined ${req.name} network`, 'network.predefined');
    }
    if (req.driver === 'host' || req.driver === 'null') {
      throw forbidden(`only one instance of "${req.driver}" network is allowed`, 'network.singleton');
    }
    const driver = driverFor(req.driver);
    if (req.scope === 'swarm' || req.scope === 'global') {
      throw forbidden('cannot create a swarm scoped network when swarm is not active', 'network.swarm');
    }
    if (req.ingress) throw forbidden('Ingress network can only be global scope network', 'network.ingress');

    const net: NetworkRecord = {
      id: newId(),
      name: req.name,
      driver: req.driver,
      scope: driver.scope,
      created: nowRfc3339Nano(),
      enableIPv6: req.enableIPv6,
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
    await driver.validate(net, this.ctx); // option errors before anything is reserved
    const hostRoutes = this.planner.needsHostRoutes(req) ? await this.hostRoutes() : [];

    const failure = await this.store.tx(async (t) => {
      if (await t.networkByName(net.name)) throw networkNameTaken(net.name);
      const existing = (await t.networks()).map((r) => r.doc);
      if (net.driver === 'bridge') {
        const br = bridgeName(net);
        const owner = existing.find((n) => n.driver === 'bridge' && bridgeName(n) === br);
        if (owner) throw invalid(`bridge name ${br} is already in use by network ${owner.name}`, 'bridge.inuse');
      }
      const plan = this.planner.plan(req, existing, hostRoutes, Number((await t.getMeta(CURSOR_KEY)) ?? '0'));
      await t.setMeta(CURSOR_KEY, String(plan.cursor));
      if (!plan.ok) return plan.error; // returned, not thrown: the cursor move must commit
      net.pools = plan.pools;
      await t.insertNetwork(net, 'creating');
      return undefined;
    });
    if (failure) throw failure;

    try {
      await crashPoint('network.create.reserved');
      if (!net.configOnly) {
        await driver.createNetwork(net, this.ctx);
        await this.firewall.setNetwork(net);
      }
      await crashPoint('network.create.kernel');
      await this.store.setNetworkStatus(net.id, 'ready');
    } catch (e) {
      await this.rollbackCreate(net);
      throw e;
    }
    return net;
  }

  /** Undoes a create whose kernel side may be partly done; safe to call more than once. */
  async rollbackCreate(net: NetworkRecord): Promise<void> {
    try {
      await this.firewall.removeNetwork(net);
      await driverFor(net.driver).deleteNetwork(net, this.ctx);
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
    await this.firewall.removeNetwork(net);
    await driverFor(net.driver).deleteNetwork(net, this.ctx);
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

  private async hostRoutes(): Promise<string[]> {
    const routes = await this.ctx.kernel.ipJson<Array<{ dst: string }>>(['route', 'show', 'table', 'all']);
    const ours = new Set((await this.store.networks()).flatMap((r) => r.doc.pools.map((p) => p.subnet)));
    return routes.map((r) => r.dst).filter((d) => d && d !== 'default' && d.includes('/') && !ours.has(d));
  }
}
