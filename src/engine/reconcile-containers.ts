// After a restart (clean or kill -9): containers whose monitor survived keep running with their
// network intact (their namespace held again through their process); the rest are marked exited
// and their network side removed; half-made endpoints are rolled back. Namespaces of the dead
// daemon that no process is in are gone already; links no endpoint owns are the drivers' to
// remove (reconcile.ts).
import type { DriverContext } from '../drivers/driver.js';
import type { Store } from '../store/store.js';
import type { ContainerNetworking } from './container-network.js';
import type { Endpoints } from './endpoints.js';
import { nowRfc3339Nano } from '../model/ids.js';
import type { RuntimePort } from './runtime-port.js';
import type { Sandboxes } from './sandboxes.js';

export async function reconcileContainers(
  store: Store,
  endpoints: Endpoints,
  networking: ContainerNetworking,
  sandboxes: Sandboxes,
  runtime: RuntimePort,
  ctx: DriverContext,
): Promise<void> {
  const alive = await runtime.recover();
  for (const { status, doc: ep } of await store.endpoints()) {
    if (status === 'ready') continue;
    // A connect to a running container cut short: a link that lives only in its namespace
    // (macvlan, ipvlan) is removed there, through its process.
    const pid = alive.get(ep.containerId);
    await endpoints.detach(ep, pid === undefined ? '' : `/proc/${pid}/ns/net`).catch((e: unknown) => ctx.log.error('endpoint rollback failed', { endpoint: ep.id, error: String(e) }));
  }
  for (const { doc: c } of await store.containers()) {
    const pid = alive.get(c.id);
    if (pid !== undefined) {
      if (c.state.status !== 'running') {
        // Crashed between starting the process and recording it: the process and its network are whole.
        ctx.log.warn('adopting a container started just before a crash', { container: c.name, pid });
        c.state = { ...c.state, status: 'running', pid, startedAt: nowRfc3339Nano() };
        await store.putContainer(c, 'ready');
      } else {
        ctx.log.info('container still running', { container: c.name, pid });
      }
      try {
        if (await networking.ownsSandbox(c)) sandboxes.adopt(c.id, ctx.kernel.netnsOf(pid));
      } catch (e) {
        ctx.log.error('cannot hold the namespace of a running container', { container: c.name, error: String(e) }); // it exits meanwhile
      }
      continue;
    }
    if (c.state.status === 'running') {
      ctx.log.warn('container died while the daemon was down', { container: c.name });
      c.state = { ...c.state, status: 'exited', pid: 0, finishedAt: nowRfc3339Nano() };
    }
    // Not running: no endpoint, port or sandbox may remain (a crash mid-start leaves them).
    if (c.published?.length || (await store.endpoints({ containerId: c.id })).length > 0) {
      c.published = [];
      await networking.down(c).catch((e: unknown) => ctx.log.error('teardown failed', { container: c.id, error: String(e) }));
    }
    await store.putContainer(c, 'ready');
  }
}
