// Which driver serves which network. Drivers the kernel or this build lack answer with a clear
// error instead of a half-made network.
import { forbidden, invalid, notFound } from '../errors.js';
import type { NetworkRecord } from '../model/network.js';
import { bridgeDriver } from './bridge/bridge-driver.js';
import type { NetworkDriver } from './driver.js';
import { hostDriver, nullDriver } from './no-link.js';

const DRIVERS: Partial<Record<NetworkRecord['driver'], NetworkDriver>> = {
  bridge: bridgeDriver,
  host: hostDriver,
  null: nullDriver,
};

export const KNOWN_DRIVERS: readonly string[] = ['bridge', 'host', 'null', 'macvlan', 'ipvlan', 'overlay'];

export function driverFor(name: string): NetworkDriver {
  if (!KNOWN_DRIVERS.includes(name)) throw notFound(`plugin "${name}" not found`, 'driver.unknown');
  const d = DRIVERS[name as NetworkRecord['driver']];
  if (name === 'overlay' && !d) {
    // Docker's words when there is no cluster to put a global network in.
    throw forbidden('This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.', 'driver.noCluster');
  }
  // A request for a driver this build lacks is answered, not failed: 400, never 5xx.
  if (!d) throw invalid(`the ${name} driver is not available in this version of tetherd`, 'driver.unavailable');
  return d;
}
