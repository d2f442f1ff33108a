// Which driver serves which network. Adding a driver is its folder plus one line in BUILT_IN.
// Names Docker knows that this build or host cannot serve are answered with Docker's errors
// instead of a half-made network; `docker info` lists only the drivers whose probe passed.
import { forbidden, internal, invalid, notFound } from '../errors.js';
import type { NetworkRecord } from '../model/network.js';
import { bridgeDriver } from './bridge/bridge-driver.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { DriverContext, DriverState, NetworkDriver } from './driver.js';
import { hostDriver } from './host/host-driver.js';
import { nullDriver } from './null/null-driver.js';

const BUILT_IN: readonly NetworkDriver[] = [bridgeDriver, hostDriver, nullDriver];

/** Docker's driver names: any other is "plugin not found" (404), as dockerd answers. */
const DOCKER_DRIVERS: readonly string[] = ['bridge', 'host', 'null', 'macvlan', 'ipvlan', 'overlay'];

export class DriverRegistry {
  private readonly byName: ReadonlyMap<string, NetworkDriver>;
  /** The drivers whose probe passed; every built-in one until probe() ran. */
  private working: ReadonlySet<string>;
  readonly defaultNetwork: string;

  constructor(readonly drivers: readonly NetworkDriver[] = BUILT_IN) {
    this.byName = new Map(drivers.map((d) => [d.type, d]));
    this.working = new Set(this.byName.keys());
    const dflt = drivers.find((d) => d.predefined?.isDefault)?.predefined;
    if (!dflt) throw internal('no driver provides the default network');
    this.defaultNetwork = dflt.name;
  }

  /** The driver of a stored network (it exists: the network was made with it). */
  of(net: Pick<NetworkRecord, 'driver'>): NetworkDriver {
    const d = this.byName.get(net.driver);
    if (!d) throw internal(`network driver ${net.driver} is not in this build`);
    return d;
  }

  /** The driver a create asks for, with Docker's answers for those that cannot serve it. */
  forCreate(name: string): NetworkDriver {
    if (!DOCKER_DRIVERS.includes(name)) throw notFound(`plugin "${name}" not found`, 'driver.unknown');
    const d = this.byName.get(name);
    if (name === 'overlay' && !d) {
      // Docker's words when there is no cluster to put a global network in.
      throw forbidden('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.', 'driver.noCluster');
    }
    // A request for a driver this build or host lacks is answered, not failed: 400, never 5xx.
    if (!d || !this.working.has(name)) throw invalid(`the ${name} driver is not available in this version of tetherd`, 'driver.unavailable');
    return d;
  }

  /** Runs every driver's probe once (at start). */
  async probe(ctx: DriverContext): Promise<void> {
    const ok = await Promise.all(this.drivers.map((d) => d.probe(ctx).catch(() => false)));
    this.working = new Set(this.drivers.filter((_, i) => ok[i]).map((d) => d.type));
  }

  /** Names of the drivers that work here, sorted (Plugins.Network of `docker info`). */
  available(): string[] {
    return [...this.working].sort();
  }

  /** Every driver with its own networks and their endpoints, for reconcile and uninstall. */
  states(networks: readonly NetworkRecord[], endpoints: readonly EndpointRecord[]): Array<[NetworkDriver, DriverState]> {
    return this.drivers.map((d) => {
      const mine = networks.filter((n) => n.driver === d.type);
      const ids = new Set(mine.map((n) => n.id));
      return [d, { networks: mine, endpoints: endpoints.filter((ep) => ids.has(ep.networkId)) }];
    });
  }

  /** Docker's default network (bridge), where legacy links and host-gateway live. */
  isDefaultNetwork(net: Pick<NetworkRecord, 'name' | 'predefined'>): boolean {
    return net.predefined && net.name === this.defaultNetwork;
  }
}
