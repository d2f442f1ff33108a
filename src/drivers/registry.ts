// Which driver serves which network. Drivers the kernel or this build lack answer with a clear
// error instead of a half-made network.
import { notFound, unavailable } from '../errors.js';
import type { NetworkRecord } from '../engine/types.js';
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
  if (!d) throw unavailable(`the ${name} driver is not available in this version of tetherd`, 'driver.unavailable');
  return d;
}
