// `tetherd uninstall`: takes back from the host what tetherd put there, with the daemon stopped
// (the same flags name the same daemon): every container is killed and its runtime state
// dropped, any helper it left killed, the bridges of its networks deleted (their veths go with the namespaces), its nft
// table deleted, the exec root and the empty cgroup parents removed, and the forwarding and br_netfilter settings put back
// as they were before tetherd first changed them. The data root (images, containers' writable
// layers, records) stays: `rm -rf` it to delete those too.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { DriverRegistry } from './drivers/registry.js';
import { NoFirewaller } from './firewall/firewaller.js';
import { silentLogger } from './model/logger.js';
import { pinnedNetnsDir, type DaemonConfig } from './model/config.js';
import { unavailable } from './errors.js';
import { SysctlJournal } from './firewall/sysctl-journal.js';
import { LinuxKernel } from './kernel/kernel.js';
import { killOwned } from './kernel/owner.js';
import { ContainerRuntime } from './runtime/container-runtime.js';
import { removeCgroupParents } from './runtime/oci-runtime.js';
import { databasePath, openSqliteStore } from './store/sqlite/sqlite-store.js';

/** Undoes the daemon's host state; `say` gets one line per thing done. */
export async function uninstall(config: DaemonConfig, say: (line: string) => void): Promise<void> {
  for (const host of config.hosts) {
    const socket = host.replace(/^unix:\/\//, '');
    if (await answers(socket)) throw unavailable(`tetherd is running on ${host}: stop it first`, 'uninstall.running');
  }
  const kernel = new LinuxKernel({ pinnedNetnsDir: pinnedNetnsDir(config) });
  try {
    const db = databasePath(config.dataRoot);
    if (existsSync(db)) {
      const store = openSqliteStore(db);
      try {
        const runtime = await ContainerRuntime.open({ kernel, dataRoot: config.dataRoot, execRoot: config.execRoot, defaultRuntime: config.defaultRuntime, cgroupParent: config.cgroupParent }).catch((e: unknown) => {
          say(`containers: not stopped, no OCI runtime (${String(e)})`);
          return undefined;
        });
        for (const { doc: c } of runtime ? await store.containers() : []) {
          await runtime?.abort(c.id); // kills it and drops the runtime's state; the writable layer stays
          if (c.state.status === 'running') say(`container ${c.name}: stopped`);
        }
        // The nft table goes as a whole below: the drivers need not unprogram their rules.
        const ctx = { kernel, firewall: new NoFirewaller(), log: silentLogger };
        const drivers = new DriverRegistry();
        for (const [d, state] of drivers.states((await store.networks()).map((r) => r.doc), (await store.endpoints()).map((r) => r.doc))) {
          for (const line of await d.uninstall(ctx, state)) say(line);
        }
      } finally {
        await store.close();
      }
    }
    const leftovers = killOwned(config.execRoot); // helpers of a daemon killed with SIGKILL
    if (leftovers > 0) say(`processes: ${leftovers} left by the daemon killed`);
    if ((await kernel.nftCmd(['delete', 'table', 'inet', config.firewallTable])).code === 0) say(`nft table inet ${config.firewallTable}: deleted`);
    await rm(config.execRoot, { recursive: true, force: true });
    if ((await removeCgroupParents(config.cgroupParent)).length > 0) say('cgroups: removed');
    for (const restored of await SysctlJournal.of(config.dataRoot, kernel).restore()) say(`sysctl ${restored}: restored`);
  } finally {
    kernel.close();
  }
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
