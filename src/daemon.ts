// Wires the pieces together: kernel, firewall, IPAM planner, engine, API servers. The one
// place that knows every implementation; everything else depends on interfaces.
import { traceOps } from './model/trace.js';
import type { Server } from 'node:http';
import { chmod, mkdir } from 'node:fs/promises';
import { allRoutes, listen } from './api/server.js';
import { destroyUpgraded } from './api/hijack.js';
import { Engine } from './engine/engine.js';
import { BUILT_IN, DriverRegistry } from './drivers/registry.js';
import { stubOverlayDriver } from './drivers/testing/stub-overlay.js';
import { openCluster } from './cluster/cluster-options.js';
import { createScopedStore } from './store/scoped-store.js';
import { NftFirewaller } from './firewall/nft/nft-firewaller.js';
import { NoFirewaller } from './firewall/firewaller.js';
import { PortReservations, readEphemeralRange } from './firewall/port-reservations.js';
import { PortPublisher } from './engine/port-publisher.js';
import { createLogger } from './model/logger.js';
import { DefaultPoolPlanner } from './engine/default-pool-planner.js';
import { LinuxKernel } from './kernel/kernel.js';
import { pinnedNetnsDir, type DaemonConfig } from './model/config.js';
import { markOwner } from './kernel/owner.js';
import { SysctlJournal } from './firewall/sysctl-journal.js';
import { noRuntime } from './engine/no-runtime.js';
import { ContainerRuntime } from './runtime/container-runtime.js';
import { databasePath, openSqliteStore } from './store/sqlite/sqlite-store.js';

export interface RunningDaemon {
  engine: Engine;
  stop(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig): Promise<RunningDaemon> {
  const log = createLogger(config.debug ? 'debug' : 'info');
  // Private as Docker keeps them (roots made by an older version are tightened too): the data
  // root 0710, the exec root 0700.
  await mkdir(config.dataRoot, { recursive: true, mode: 0o710 });
  await chmod(config.dataRoot, 0o710);
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  await chmod(config.execRoot, 0o700);
  markOwner(config.execRoot); // before the first helper starts
  traceOps(config.traceOps ? (t) => log.info('op', { ...t }) : undefined);
  const kernel = new LinuxKernel({ pinnedNetnsDir: pinnedNetnsDir(config) });
  const firewall = config.iptables
    ? new NftFirewaller({ kernel, log, table: config.firewallTable, ipForward: config.ipForward, hostSettings: SysctlJournal.of(config.dataRoot, kernel) })
    : new NoFirewaller();
  // The root cluster test's stand-in for the overlay driver (drivers/testing/stub-overlay.ts).
  const drivers = new DriverRegistry(process.env['TETHER_TEST_DRIVERS'] === 'stub-overlay' ? [...BUILT_IN, stubOverlayDriver()] : BUILT_IN);
  const ports = new PortPublisher(firewall, new PortReservations(await readEphemeralRange(kernel)), drivers, config.userlandProxy);
  let engineRef: Engine | undefined; // the image store asks the engine which container uses an image
  const runtime = await ContainerRuntime.open({
    kernel,
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    defaultRuntime: config.defaultRuntime,
    cgroupParent: config.cgroupParent,
    containerUsing: async (imageId) => (await engineRef?.containers.list())?.find((c) => c.config.imageId === imageId)?.id,
  }).catch((e: unknown) => {
    log.warn('containers are unavailable', { error: String(e) });
    return undefined;
  });
  const local = openSqliteStore(databasePath(config.dataRoot));
  const cluster = openCluster(config);
  if (cluster) log.info('cluster mode', { store: config.clusterStore.join(','), advertise: cluster.self.address });
  const engine = new Engine({
    config,
    // Cluster mode: global networks, their endpoints and leases in etcd, the rest in SQLite.
    store: cluster ? createScopedStore({ local, global: cluster.store, self: cluster.self.address }) : local,
    ...(cluster ? { cluster } : {}),
    kernel,
    log,
    firewall,
    drivers,
    ports,
    planner: new DefaultPoolPlanner(config.defaultAddressPools),
    runtime: runtime ?? noRuntime,
  });
  engineRef = engine;
  await engine.start();
  const servers: Server[] = await listen(config.hosts, allRoutes(engine, runtime), log);
  log.info('tetherd ready', { dataRoot: config.dataRoot, execRoot: config.execRoot });
  return {
    engine,
    async stop() {
      // Streams (logs -f, wait, attach, exec) would hold close() open for ever: end them.
      await Promise.all(
        servers.map((s) => {
          const closed = new Promise<void>((r) => s.close(() => r()));
          s.closeAllConnections();
          destroyUpgraded(s);
          return closed;
        }),
      );
      await engine.close();
    },
  };
}
