// host and null: networks with no kernel object of their own. Joining them means "use the host
// namespace" or "loopback only", which the sandbox layer handles; the driver has nothing to do.
import type { NetworkDriver } from './driver.js';

function noLinkDriver(type: 'host' | 'null'): NetworkDriver {
  const nothing = async (): Promise<void> => undefined;
  return { type, scope: 'local', validate: nothing, createNetwork: nothing, deleteNetwork: nothing, join: nothing, leave: nothing };
}

export const hostDriver = noLinkDriver('host');
export const nullDriver = noLinkDriver('null');
