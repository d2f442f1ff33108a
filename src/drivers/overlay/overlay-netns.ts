// The per-host half of an overlay network, as libnetwork's overlay driver builds it: a network
// namespace of the network's own holding a bridge (the subnet's gateway address on it) and the
// VXLAN device (VNI, UDP 4789, no learning, ARP/ND proxy), which endpoints' veths join. The
// VXLAN device is made in the host's namespace and then moved, as Docker does: its UDP socket
// stays in the host's namespace, where the underlay is.
//
// The namespace is pinned by name (`ov-<network id 12>`, kernel/netns-pin.ts): it must outlive
// the daemon, since it holds the veth ends of running containers, and the same name finds it
// again after a restart. Making it converges whatever a crash left (a pinned namespace without a
// bridge, a VXLAN device still in the host's namespace).
import { internal } from '../../errors.js';
import type { Kernel, NetnsBatch } from '../../kernel/kernel.js';
import type { NetworkRecord } from '../../model/network.js';
import type { DriverContext } from '../driver.js';
import { addrFlags, deleteLinks } from '../sandbox-lines.js';
import { names, parseOverlayOptions, vniOf, VXLAN_OVERHEAD, VXLAN_PORT } from './options.js';

export interface OverlayNs {
  path: string;
  vxlan: string;
  bridge: string;
  mtu: number;
  /** Long-running batches in the namespace for the peers' entries. */
  neigh: NetnsBatch;
  fdb: NetnsBatch;
}

interface AddrLink {
  ifname: string;
  mtu?: number;
  addr_info?: Array<{ local: string }>;
}

/** The MTU of the interface holding this host's underlay address; undefined if none does. */
export async function underlayMtu(kernel: Kernel, advertise: string): Promise<number | undefined> {
  const links = await kernel.ipJson<AddrLink[]>(['addr', 'show']);
  return links.find((l) => l.addr_info?.some((a) => a.local === advertise))?.mtu;
}

/** The network's namespace, bridge and VXLAN device on this host, made where missing. */
export async function makeOverlayNs(ctx: DriverContext, net: NetworkRecord, advertise: string): Promise<OverlayNs> {
  const vni = vniOf(net);
  const vxlan = names.vxlan(vni);
  const bridge = names.bridge(vni);
  const mtu = parseOverlayOptions(net).mtu ?? ((await underlayMtu(ctx.kernel, advertise)) ?? 1500) - VXLAN_OVERHEAD;
  const path = await ctx.kernel.netnsPin(names.netns(net.id), { ipv6: net.enableIPv6 });
  const inside = new Set((await ctx.kernel.links(path)).map((l) => l.ifname));
  if (!inside.has(vxlan)) {
    await deleteLinks(ctx.kernel, [vxlan]); // a crash between add and move left it out here
    await ctx.kernel.ip([['link', 'add', 'name', vxlan, 'mtu', mtu, 'type', 'vxlan', 'id', vni, 'dstport', VXLAN_PORT, 'nolearning', 'proxy', 'local', advertise]]);
    try {
      await ctx.kernel.ip([['link', 'set', 'dev', vxlan, 'netns', path]]);
    } catch (e) {
      await deleteLinks(ctx.kernel, [vxlan]);
      throw e;
    }
  }
  await ctx.kernel.ipIn(path, [
    ...(inside.has(bridge) ? [] : [['link', 'add', 'name', bridge, 'mtu', mtu, 'type', 'bridge']]),
    ...net.pools.filter((p) => p.active).map((p) => ['addr', 'replace', `${p.gateway}/${p.subnet.split('/')[1]}`, ...addrFlags(p.gateway), 'dev', bridge]),
    ['link', 'set', 'dev', bridge, 'up'],
    ['link', 'set', 'dev', vxlan, 'master', bridge, 'up'],
  ]);
  return { path, vxlan, bridge, mtu, neigh: ctx.kernel.batchIn(path, 'ip'), fdb: ctx.kernel.batchIn(path, 'bridge') };
}

/**
 * Removes a network's namespace on this host: its VXLAN devices first (their VNI is bound in the
 * host's UDP socket, and the namespace may linger while something still holds it), then the pin.
 * Idempotent; true if there was one.
 */
export async function removeOverlayNs(ctx: DriverContext, name: string, ns?: OverlayNs): Promise<boolean> {
  ns?.neigh.close();
  ns?.fdb.close();
  if (!(await ctx.kernel.netnsPinned()).includes(name)) return false;
  const path = await ctx.kernel.netnsPin(name);
  const vxlans = (await ctx.kernel.links(path)).filter((l) => l.linkinfo?.info_kind === 'vxlan').map((l) => l.ifname);
  const failed = await ctx.kernel.ipIn(path, vxlans.map((v) => ['link', 'del', 'dev', v])).then(
    () => undefined,
    (e: unknown) => e,
  );
  await ctx.kernel.netnsUnpin(name);
  if (failed) throw internal(`overlay namespace ${name}: cannot delete its vxlan device: ${String(failed)}`);
  return true;
}
