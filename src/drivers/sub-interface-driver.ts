// What macvlan and ipvlan have in common: each endpoint is a sub-interface of the network's
// parent, created directly inside the sandbox with its final name (one host line, no move, no
// host veth, no bridge), addressed from the default IPAM. There is no NAT and no firewall rule:
// the container sits on the parent's L2 segment; ports cannot be published (dockerd only warns
// "macvlan driver does not support port mappings" and starts the container, and so do we).
// One network per parent, as Docker's ipvlan and Docker 20.10's macvlan.
import { invalid } from '../errors.js';
import type { IpLine } from '../kernel/kernel.js';
import type { NetworkRecord } from '../model/network.js';
import type { JoinSpec, NetworkDriver } from './driver.js';
import { missingLinkKind } from './link-kinds.js';
import { ensureParent, onStandIn, parentOf, releaseParent, removeOrphanParents, validateParent, type ParentNaming } from './parent-link.js';
import { deleteInSandbox, routeLines, sandboxLines } from './sandbox-lines.js';

export interface SubInterfaceKind extends ParentNaming {
  driver: 'macvlan' | 'ipvlan';
  /** The `type …` tail of the link line for this network; throws Docker's message for a bad mode. */
  linkType(net: Pick<NetworkRecord, 'options'>): IpLine;
  /** macvlan ports have a MAC of their own; ipvlan ports share the parent's. */
  ownMac: boolean;
  /** Default routes leave by the device, without a next hop (ipvlan l3/l3s). */
  onLinkRoutes(net: Pick<NetworkRecord, 'options'>): boolean;
}

/** The routes a sandbox gets: none on a stand-in parent (Docker makes such networks internal). */
function routed(net: NetworkRecord, spec: JoinSpec): JoinSpec {
  return onStandIn(net) ? { ...spec, gateways: [] } : spec;
}

export function subInterfaceDriver(kind: SubInterfaceKind): NetworkDriver {
  const parent = (net: Pick<NetworkRecord, 'id' | 'options'>): string => parentOf(kind, net);
  return {
    type: kind.driver,
    scope: 'local',
    ipam: 'default',
    stack: 'sandbox',
    singleton: false,

    probe: (ctx) => missingLinkKind(ctx.kernel, kind.driver, `the ${kind.driver} driver`),

    async validate(ctx, net) {
      kind.linkType(net);
      await validateParent(ctx.kernel, kind, net);
    },

    conflict(net, others) {
      const p = parent(net);
      const owner = others.find((n) => n.driver === kind.driver && parent(n) === p);
      return owner ? invalid(`network ${kind.standInPrefix}${owner.id.slice(0, 12)} is already using parent interface ${p}`, 'parent.inuse') : undefined;
    },

    async createNetwork(ctx, net) {
      await ensureParent(ctx.kernel, kind, net);
    },

    async deleteNetwork(ctx, net) {
      // Its endpoints' sub-interfaces live in the sandboxes and go with them.
      await releaseParent(ctx.kernel, kind, net);
    },

    async join(ctx, net, spec) {
      const mtu = spec.mtu === undefined ? [] : ['mtu', spec.mtu];
      const mac = kind.ownMac ? ['address', spec.mac] : [];
      // `netns` before `type`: after it, iproute2 would read it as an option of the link type.
      await ctx.kernel.ip([['link', 'add', 'link', parent(net), 'name', spec.ifname, ...mac, ...mtu, 'netns', spec.netnsPath, ...kind.linkType(net)]]);
      try {
        await ctx.kernel.ipIn(spec.netnsPath, sandboxLines(routed(net, spec), kind.onLinkRoutes(net)));
      } catch (e) {
        await deleteInSandbox(ctx.kernel, spec);
        throw e;
      }
    },

    leave: (ctx, _net, spec) => deleteInSandbox(ctx.kernel, spec),

    async routeDefault(ctx, net, spec) {
      await ctx.kernel.ipIn(spec.netnsPath, routeLines(routed(net, spec), kind.onLinkRoutes(net)));
    },

    firewallRules: () => undefined,
    publishing: () => undefined,

    async reconcile(ctx, state) {
      const removed = await removeOrphanParents(ctx.kernel, kind, state);
      if (removed.length > 0) ctx.log.warn(`removed ${kind.driver} parent links with no network`, { links: removed });
    },

    async uninstall(ctx, state) {
      const removed: string[] = [];
      for (const net of state.networks) removed.push(...(await releaseParent(ctx.kernel, kind, net)));
      return removed.map((l) => `${kind.driver} parent ${l}: deleted`);
    },
  };
}
