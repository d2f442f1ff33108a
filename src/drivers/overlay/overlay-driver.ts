// The overlay driver: networks that span the hosts of a cluster over VXLAN, as Docker's overlay
// driver (libnetwork/drivers/overlay). Global scope: the record and the addresses live in the
// cluster store, every host builds its own half (overlay-netns.ts) and learns the other hosts'
// endpoints through peer() (peers.ts), so the VXLAN device forwards by static entries and never
// floods or learns. Egress and published ports go through the host's gateway bridge
// (gwbridge.ts); --internal overlays have none.
//
// What the driver keeps in memory, per kernel (one per daemon; tests drive several): for each
// network, its namespace once made on this host and its remote peers. Everything kernel-side is
// found again by name after a restart: the engine calls createNetwork for every network it has,
// which finds the pinned namespace and replays the peers the cluster side re-announces.
import { randomBytes } from 'node:crypto';
import { forbidden, internal } from '../../errors.js';
import { tryParseCidr } from '../../ipam/address.js';
import type { IpLine, Kernel } from '../../kernel/kernel.js';
import type { NetworkRecord } from '../../model/network.js';
import type { DriverContext, JoinSpec, NetworkDriver } from '../driver.js';
import { deleteInSandbox, deleteLinks, sandboxLines } from '../sandbox-lines.js';
import { encryptionRefusal } from './encryption.js';
import { attachLeg, detachLeg, ensureGwbridge, GW_BRIDGE, gwbridgeRules, legRoute, removeGwbridge, removeStrayLegs } from './gwbridge.js';
import { assignVni, names, NOT_SWARM_MANAGER, OUR_NETNS, parseOverlayOptions, STRAY_VXLAN, vniConflict, vniOf, VXLAN_PORT } from './options.js';
import { makeOverlayNs, removeOverlayNs, underlayMtu, type OverlayNs } from './overlay-netns.js';
import { isDeleteOfMissing, PeerTable, type PeerLines } from './peers.js';

interface NetState {
  net: NetworkRecord;
  /** createNetwork ran on this host (peers may be known before). */
  created: boolean;
  ns?: Promise<OverlayNs>;
  peers: PeerTable;
}

const hosts = new WeakMap<Kernel, Map<string, NetState>>();

function networksOf(kernel: Kernel): Map<string, NetState> {
  let m = hosts.get(kernel);
  if (!m) hosts.set(kernel, (m = new Map()));
  return m;
}

function stateOf(kernel: Kernel, net: NetworkRecord): NetState {
  const nets = networksOf(kernel);
  let st = nets.get(net.id);
  if (!st) nets.set(net.id, (st = { net, created: false, peers: new PeerTable(names.vxlan(vniOf(net))) }));
  return st;
}

function advertise(ctx: DriverContext): string {
  if (!ctx.cluster) throw forbidden(NOT_SWARM_MANAGER, 'driver.noCluster');
  return ctx.cluster.advertise;
}

/** Sends peer lines to the namespace's batches; a failed delete of something gone is success. */
async function program(ns: OverlayNs, lines: PeerLines): Promise<void> {
  const [neigh, fdb] = await Promise.all([ns.neigh.exec(lines.neigh), ns.fdb.exec(lines.fdb)]);
  const failures = (ls: IpLine[], errs: Map<number, string>): string[] =>
    [...errs].filter(([i, why]) => !isDeleteOfMissing(ls[i]!, why)).map(([i, why]) => `${ls[i]!.join(' ')}: ${why}`);
  const failed = [...failures(lines.neigh, neigh), ...failures(lines.fdb, fdb)];
  if (failed.length > 0) throw internal(`overlay peers in ${ns.path}: ${failed.join('; ')}`);
}

/** The network's namespace on this host, made once (with every peer known so far). */
function ensureNs(ctx: DriverContext, net: NetworkRecord): Promise<OverlayNs> {
  const st = stateOf(ctx.kernel, net);
  if (!st.ns) {
    const made = makeOverlayNs(ctx, net, advertise(ctx)).then(async (ns) => {
      await program(ns, st.peers.all());
      return ns;
    });
    st.ns = made;
    made.catch(() => {
      if (st.ns === made) delete st.ns;
    });
  }
  return st.ns;
}

/** The gateway bridge, avoiding every overlay subnet this host knows. */
function gwbridge(ctx: DriverContext) {
  const subnets = [...networksOf(ctx.kernel).values()].flatMap((s) => s.net.pools.flatMap((p) => tryParseCidr(p.subnet) ?? []));
  return ensureGwbridge(ctx, subnets);
}

/** The endpoint's overlay IPv4 address (its published ports are routed to it). */
const ipv4Of = (spec: JoinSpec): string | undefined => spec.addresses.find((a) => !a.includes(':'))?.split('/')[0];

async function leave(ctx: DriverContext, net: NetworkRecord, spec: JoinSpec): Promise<void> {
  await deleteInSandbox(ctx.kernel, spec); // the pair goes, its overlay end with it
  if (!net.internal) await detachLeg(ctx, spec, ipv4Of(spec));
}

export const overlayDriver: NetworkDriver = {
  type: 'overlay',
  scope: 'global',
  ipam: 'default',
  stack: 'sandbox',
  singleton: false,

  async probe(ctx) {
    if (!ctx.cluster) return NOT_SWARM_MANAGER;
    const probe = `tp${randomBytes(4).toString('hex')}`;
    const why = (await ctx.kernel.ipTry([['link', 'add', 'name', probe, 'type', 'vxlan', 'id', 1, 'dstport', VXLAN_PORT]])).get(0);
    if (why !== undefined) {
      return /Unknown device type|not supported/i.test(why)
        ? 'the overlay driver needs the kernel module "vxlan", which this kernel does not have'
        : `the overlay driver cannot create a vxlan link on this host: ${why}`;
    }
    await deleteLinks(ctx.kernel, [probe]);
    if ((await underlayMtu(ctx.kernel, ctx.cluster.advertise)) === undefined) {
      return `the overlay driver needs --cluster-advertise to be an address of this host: ${ctx.cluster.advertise} is not`;
    }
    return undefined;
  },

  async validate(ctx, net) {
    if (parseOverlayOptions(net).encrypted) throw await encryptionRefusal(ctx.kernel);
  },

  conflict: vniConflict,
  assign: assignVni,

  async createNetwork(ctx, net) {
    const st = stateOf(ctx.kernel, net);
    st.net = net;
    await ensureNs(ctx, net);
    if (!net.internal) await gwbridge(ctx);
    st.created = true;
  },

  async deleteNetwork(ctx, net) {
    const nets = networksOf(ctx.kernel);
    const ns = await nets.get(net.id)?.ns?.catch(() => undefined);
    nets.delete(net.id);
    await removeOverlayNs(ctx, names.netns(net.id), ns);
    // The last overlay that went out through the gateway bridge takes it along.
    if (![...nets.values()].some((s) => s.created && !s.net.internal)) await removeGwbridge(ctx);
  },

  async join(ctx, net, spec) {
    const ns = await ensureNs(ctx, net);
    const mtu = spec.mtu ?? ns.mtu;
    const veth = names.overlayVeth(spec.endpointId);
    await ctx.kernel.ipIn(ns.path, [
      ['link', 'add', 'name', veth, 'mtu', mtu, 'type', 'veth', 'peer', 'name', spec.ifname, 'mtu', mtu, 'address', spec.mac, 'netns', spec.netnsPath],
      ['link', 'set', 'dev', veth, 'master', ns.bridge, 'up'],
    ]);
    try {
      const leg = net.internal ? [] : await attachLeg(ctx, await gwbridge(ctx), spec, ipv4Of(spec));
      // The default route leaves by the gateway bridge, never by the overlay (Docker's shape).
      await ctx.kernel.ipIn(spec.netnsPath, [...sandboxLines({ ...spec, gateways: [] }), ...leg]);
    } catch (e) {
      await leave(ctx, net, spec).catch((ue: unknown) => ctx.log.error('overlay join: undo failed', { endpoint: spec.endpointId, error: String(ue) }));
      throw e;
    }
  },

  leave,

  async routeDefault(ctx, net, spec) {
    if (net.internal) return;
    await ctx.kernel.ipIn(spec.netnsPath, legRoute(await gwbridge(ctx), spec));
  },

  firewallRules: (net) => (net.internal ? undefined : gwbridgeRules()),

  // Published on every host address and carried over the gateway bridge (gwbridge.ts).
  publishing: (net) => (net.internal ? undefined : { hostIpv4: '0.0.0.0' }),

  async peer(ctx, net, ep, present) {
    if (ep.host === ctx.cluster?.advertise) return; // ours are on the bridge, found by ARP
    const st = stateOf(ctx.kernel, net);
    const lines = st.peers.change(ep, present);
    if (st.ns) await program(await st.ns, lines);
  },

  async reconcile(ctx, state) {
    const wanted = new Set(state.networks.map((n) => names.netns(n.id)));
    const orphans = (await ctx.kernel.netnsPinned()).filter((n) => OUR_NETNS.test(n) && !wanted.has(n));
    if (orphans.length > 0) ctx.log.warn('removing overlay namespaces with no network', { namespaces: orphans });
    for (const name of orphans) await removeOverlayNs(ctx, name);
    const links = await ctx.kernel.links();
    await deleteLinks(ctx.kernel, links.filter((l) => l.linkinfo?.info_kind === 'vxlan' && STRAY_VXLAN.test(l.ifname)).map((l) => l.ifname));
    const legs = await removeStrayLegs(ctx, state.endpoints.map((ep) => ep.id));
    if (legs.length > 0) ctx.log.warn('removed gateway bridge legs with no endpoint', { links: legs });
    if (links.some((l) => l.ifname === GW_BRIDGE) && !state.networks.some((n) => !n.internal && !n.configOnly)) await removeGwbridge(ctx);
  },

  async uninstall(ctx) {
    // From the kernel's names, not the records: global records live in the cluster store.
    const out: string[] = [];
    for (const name of (await ctx.kernel.netnsPinned()).filter((n) => OUR_NETNS.test(n))) {
      if (await removeOverlayNs(ctx, name)) out.push(`overlay namespace ${name}: deleted`);
    }
    out.push(...(await removeStrayLegs(ctx, [])).map((l) => `gateway bridge leg ${l}: deleted`));
    if (await removeGwbridge(ctx)) out.push(`bridge ${GW_BRIDGE}: deleted`);
    return out;
  },
};
