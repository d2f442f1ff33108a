// Drivers whose networks have no kernel object of their own (host, null): joining one means "use
// the host's stack" or "loopback only", which the sandbox layer does by the driver's `stack`; the
// kernel methods have nothing to do. Each has exactly one network, created by the daemon.
import type { DriverName } from '../model/network.js';
import type { NetworkDriver, StackKind } from './driver.js';

export function noLinkDriver(type: DriverName, stack: StackKind, networkName: string): NetworkDriver {
  const nothing = async (): Promise<void> => undefined;
  return {
    type,
    scope: 'local',
    ipam: 'none',
    stack,
    singleton: true,
    predefined: { name: networkName, isDefault: false, build: () => ({ pools: [], options: {} }) },
    probe: async () => undefined,
    validate: nothing,
    conflict: () => undefined,
    createNetwork: nothing,
    deleteNetwork: nothing,
    join: nothing,
    leave: nothing,
    routeDefault: nothing,
    firewallRules: () => undefined,
    publishing: () => undefined,
    reconcile: nothing,
    uninstall: async () => [],
  };
}
