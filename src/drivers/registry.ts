// Which driver serves which network. Adding a driver is its folder plus one line in BUILT_IN.
// Names Docker knows that this build or host cannot serve are answered with Docker's errors
// instead of a half-made network; `docker info` lists only the drivers whose probe passed, and a
// create on one whose probe failed gets the probe's reason.
import { forbidden, internal, invalid, notFound } from '../errors.js';
import type { NetworkRecord } from '../model/network.js';
import { bridgeDriver } from './bridge/bridge-driver.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { DriverContext, DriverState, NetworkDriver } from './driver.js';
import { hostDriver } from './host/host-driver.js';
import { ipvlanDriver } from './ipvlan/ipvlan-driver.js';
import { macvlanDriver } from './macvlan/macvlan-driver.js';
import { nullDriver } from './null/null-driver.js';
import { NOT_SWARM_MANAGER } from './overlay/options.js';
import { overlayDriver } from './overlay/overlay-driver.js';

export const BUILT_IN: readonly NetworkDriver[] = [bridgeDriver, hostDriver, nullDriver, macvlanDriver, ipvlanDriver, overlayDriver];

/** Docker's driver names: any other is "plugin not found" (404), as dockerd answers. */
const DOCKER_DRIVERS: readonly string[] = ['bridge', 'host', 'null', 'macvlan', 'ipvlan', 'overlay'];

/** Docker's words when there is no cluster to put a global network in. */
export function noCluster() {
  return forbidden(NOT_SWARM_MANAGER, 'driver.noCluster');
}

export class DriverRegistry {
  private readonly byName: ReadonlyMap<string, NetworkDriver>;
  /** Why a driver's probe failed, by driver name; empty until probe() ran. */
  private failed: ReadonlyMap<string, string> = new Map();
  readonly defaultNetwork: string;

  readonly drivers: readonly NetworkDriver[];

  /** A later driver of a type replaces an earlier one (a test's stub for a built-in). */
  constructor(drivers: readonly NetworkDriver[] = BUILT_IN) {
    this.byName = new Map(drivers.map((d) => [d.type, d]));
    this.drivers = [...this.byName.values()];
    const dflt = this.drivers.find((d) => d.predefined?.isDefault)?.predefined;
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
    const why = this.failed.get(name);
    // Docker's words when there is no cluster to put a global network in (the overlay's probe says so).
    if (name === 'overlay' && (!d || why === NOT_SWARM_MANAGER)) throw noCluster();
    // A request for a driver this build lacks is answered, not failed: 400, never 5xx.
    if (!d) throw invalid(`the ${name} driver is not available in this version of tetherd`, 'driver.unavailable');
    // One this host's kernel cannot serve: 500 with the reason, as dockerd answers when the kernel
    // refuses the link ("operation not supported"); nothing is reserved or made.
    if (why !== undefined) throw internal(why, 'driver.kernelFeature');
    return d;
  }

  /** Runs every driver's probe once (at start). */
  async probe(ctx: DriverContext): Promise<void> {
    const reasons = await Promise.all(this.drivers.map((d) => d.probe(ctx).catch((e: unknown) => `the ${d.type} driver's probe failed: ${String(e)}`)));
    const failed = new Map<string, string>();
    this.drivers.forEach((d, i) => {
      const why = reasons[i];
      if (why === undefined) return;
      failed.set(d.type, why);
      ctx.log.warn('network driver unavailable', { driver: d.type, reason: why });
    });
    this.failed = failed;
  }

  /** Names of the drivers that work here, sorted (Plugins.Network of `docker info`). */
  available(): string[] {
    return this.drivers.map((d) => d.type).filter((t) => !this.failed.has(t)).sort();
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
