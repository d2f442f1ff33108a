// After a restart of a cluster host: a running container may have lost its endpoint on a global
// network. The host was away longer than its lease TTL (its daemon down, or cut off from the
// store), so the cluster dropped the endpoint and freed its address, which another host may hand
// out now. Keeping the old interface would put two containers on one address; so its stale
// interface goes (its gateway leg went already, with the overlay driver's reconcile of legs no
// endpoint owns) and the container joins the network anew, as `network connect` does: a new
// endpoint, an address free in the cluster, its name on every host.
import type { DriverRegistry } from '../drivers/registry.js';
import type { Kernel } from '../kernel/kernel.js';
import type { ContainerRecord } from '../model/container.js';
import type { Store } from '../store/store.js';
import type { ContainerNetworking } from './container-network.js';
import type { Sandboxes } from './sandboxes.js';

export interface RejoinDeps {
  store: Store;
  drivers: DriverRegistry;
  kernel: Kernel;
  sandboxes: Sandboxes;
  networking: ContainerNetworking;
  save: (c: ContainerRecord) => Promise<void>;
}

/** Rejoins c's global networks whose endpoint is gone; returns their ids. */
export async function rejoinExpired(d: RejoinDeps, c: ContainerRecord): Promise<string[]> {
  if (c.state.status !== 'running' || !d.sandboxes.exists(c.id)) return [];
  const eps = (await d.store.endpoints({ containerId: c.id })).map((r) => r.doc);
  const lost = [];
  for (const want of c.networks) {
    if (eps.some((ep) => ep.networkId === want.networkId)) continue;
    const net = (await d.store.network(want.networkId))?.doc;
    if (net && d.drivers.of(net).scope === 'global') lost.push(want);
  }
  if (lost.length === 0) return [];
  // Every endpoint's interface is named eth<N> in the sandbox: one no endpoint owns is stale.
  const { netnsPath } = d.sandboxes.ref(c.id);
  const owned = new Set(eps.map((ep) => ep.ifname));
  const stale = (await d.kernel.links(netnsPath)).map((l) => l.ifname).filter((n) => /^eth\d+$/.test(n) && !owned.has(n));
  if (stale.length > 0) await d.kernel.ipIn(netnsPath, stale.map((n) => ['link', 'del', 'dev', n]));
  for (const want of lost) {
    c.networks = c.networks.filter((w) => w !== want); // connect adds it back
    await d.networking.connect(c, want, true);
  }
  await d.save(c);
  return lost.map((w) => w.networkId);
}
