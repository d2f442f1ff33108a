// The parent (lower) interface of a macvlan or ipvlan network, resolved as Docker resolves
// `-o parent`: an existing interface is used as it is; a missing `<if>.<vlan id>` is created as an
// 802.1Q sub-interface of <if> and deleted with the network; no parent at all gets a stand-in of
// the network's own (Docker's `dm-<id>` / `di-<id>` dummy link), which makes the network
// internal-only.
//
// The stand-in: this kernel has no dummy module, so it is an empty Linux bridge with the dummy's
// name, kept up. A bridge without ports has carrier, no address and nowhere to forward: the
// network's sub-interfaces reach each other and nothing else, which is what the dummy gives.
//
// A VLAN link we made carries the alias `tether-<driver>-<network id 12>`: deletes and reconcile
// touch only links with our mark, never a VLAN the user made beforehand.
import { internal, invalid } from '../errors.js';
import type { Kernel, LinkInfo } from '../kernel/kernel.js';
import { ifname } from '../kernel/names.js';
import type { NetworkRecord } from '../model/network.js';
import type { DriverState } from './driver.js';
import { missingLinkKind } from './link-kinds.js';
import { deleteLinks } from './sandbox-lines.js';

export const PARENT_OPT = 'parent';

export interface ParentNaming {
  /** 'macvlan' or 'ipvlan': in messages and in the mark of the VLAN links we make. */
  driver: string;
  /** Docker's dummy prefix for the driver: 'dm-' (macvlan), 'di-' (ipvlan). */
  standInPrefix: string;
}

/** The interface the network's sub-interfaces hang off. */
export function parentOf(naming: ParentNaming, net: Pick<NetworkRecord, 'id' | 'options'>): string {
  return net.options[PARENT_OPT] || standInName(naming, net.id);
}

/** Whether the network has no `-o parent` and so lives on its stand-in (no way out). */
export function onStandIn(net: Pick<NetworkRecord, 'options'>): boolean {
  return !net.options[PARENT_OPT];
}

function standInName(naming: ParentNaming, networkId: string): string {
  return `${naming.standInPrefix}${networkId.slice(0, 12)}`;
}

function vlanMark(naming: ParentNaming, networkId: string): string {
  return `tether-${naming.driver}-${networkId.slice(0, 12)}`;
}

/** `eth0.10` → eth0 and 10, with Docker's messages for what does not parse. */
function parseVlan(name: string, links: readonly LinkInfo[]): { lower: string; id: number } {
  const parts = name.split('.');
  if (parts.length !== 2) {
    throw invalid(`required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received ${name}`, 'parent.vlanName');
  }
  const [lower, vid] = parts as [string, string];
  if (!/^[+-]?\d+$/.test(vid)) throw invalid(`unable to parse a valid vlan id from: ${vid} (ex. eth0.10 for vlan 10)`, 'parent.vlanId');
  if (!links.some((l) => l.ifname === lower)) throw invalid(`-o parent interface was not found on the host: ${lower}`, 'parent.missing');
  const id = Number(vid);
  if (id < 1 || id > 4094) throw invalid(`vlan id must be between 1-4094, received: ${id}`, 'parent.vlanId');
  return { lower, id };
}

/**
 * Checks `-o parent` before anything is reserved, with Docker's messages; a VLAN parent that must
 * be made is refused here, naming the kernel module, when this kernel cannot make VLANs.
 */
export async function validateParent(kernel: Kernel, naming: ParentNaming, net: NetworkRecord): Promise<void> {
  const parent = net.options[PARENT_OPT];
  if (!parent) return;
  if (parent === 'lo') throw invalid(`loopback interface is not a valid ${naming.driver} parent link`, 'parent.loopback');
  ifname(parent);
  const links = await kernel.links();
  if (links.some((l) => l.ifname === parent)) return;
  if (!parent.includes('.')) throw invalid(`invalid subinterface vlan name ${parent}, example formatting is eth0.10`, 'parent.vlanName');
  parseVlan(parent, links);
  const why = await missingLinkKind(kernel, 'vlan', `-o parent=${parent} (a VLAN sub-interface to create)`);
  if (why) throw internal(why, 'driver.kernelFeature');
}

/** Makes the parent if the network owns it (stand-in, missing VLAN); converges when it exists. */
export async function ensureParent(kernel: Kernel, naming: ParentNaming, net: NetworkRecord): Promise<void> {
  const parent = parentOf(naming, net);
  const links = await kernel.links();
  if (links.some((l) => l.ifname === parent)) return;
  if (onStandIn(net)) {
    await kernel.ip([['link', 'add', 'name', parent, 'type', 'bridge'], ['link', 'set', 'dev', parent, 'up']]);
    return;
  }
  const { lower, id } = parseVlan(parent, links);
  await kernel.ip([['link', 'add', 'link', lower, 'name', parent, 'type', 'vlan', 'id', id]]);
  // Marked and up at once; if that fails, the unmarked link would be nobody's: undo it now.
  const failed = await kernel.ipTry([['link', 'set', 'dev', parent, 'alias', vlanMark(naming, net.id)], ['link', 'set', 'dev', parent, 'up']]);
  if (failed.size > 0) {
    await deleteLinks(kernel, [parent]);
    throw internal(`failed to create ${parent} vlan link: ${[...failed.values()].join('; ')}`, 'parent.vlan');
  }
}

/** Deletes the parent if the network owns it; returns the names deleted. */
export async function releaseParent(kernel: Kernel, naming: ParentNaming, net: NetworkRecord): Promise<string[]> {
  const parent = parentOf(naming, net);
  if (onStandIn(net)) return deleteLinks(kernel, [parent]);
  const ours = (await kernel.links()).some((l) => l.ifname === parent && l.ifalias === vlanMark(naming, net.id));
  return ours ? deleteLinks(kernel, [parent]) : [];
}

/** After a restart: stand-ins and marked VLANs of this driver that no network owns. */
export async function removeOrphanParents(kernel: Kernel, naming: ParentNaming, state: DriverState): Promise<string[]> {
  const standIn = new RegExp(`^${naming.standInPrefix}[0-9a-f]{12}$`);
  const mark = new RegExp(`^tether-${naming.driver}-[0-9a-f]{12}$`);
  const owned = new Set(state.networks.flatMap((n) => [standInName(naming, n.id), vlanMark(naming, n.id)]));
  const orphans = (await kernel.links())
    .filter((l) => (l.linkinfo?.info_kind === 'bridge' && standIn.test(l.ifname) && !owned.has(l.ifname)) || (l.ifalias !== undefined && mark.test(l.ifalias) && !owned.has(l.ifalias)))
    .map((l) => l.ifname);
  return deleteLinks(kernel, orphans);
}
