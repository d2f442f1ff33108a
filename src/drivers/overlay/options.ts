// Docker's overlay options (`-o com.docker.network.driver.overlay.vxlanid_list=N`, `-o
// com.docker.network.driver.mtu`, `--opt encrypted`), the network's VNI, and the names of the
// kernel objects an overlay network makes on each host.
import { conflict, invalid, type TetherError } from '../../errors.js';
import type { NetworkRecord } from '../../model/network.js';
import { MTU_OPT, parseMtu } from '../mtu-option.js';

export const VNI_OPT = 'com.docker.network.driver.overlay.vxlanid_list';
export const ENCRYPTED_OPT = 'encrypted';

/** Docker's answer where there is no cluster to put a global network in. */
export const NOT_SWARM_MANAGER =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** Docker's swarm allocator hands VNIs out from 4096 up, leaving the low ones to users. */
export const FIRST_AUTO_VNI = 4096;
const MAX_VNI = (1 << 24) - 1;

/** VXLAN's encapsulation: outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
export const VXLAN_OVERHEAD = 50;
export const VXLAN_PORT = 4789;

export interface OverlayOptions {
  /** The VNI the user asked for, if any (one: we give an overlay one VXLAN segment). */
  vni: number | undefined;
  mtu: number | undefined;
  encrypted: boolean;
}

export function parseOverlayOptions(net: Pick<NetworkRecord, 'options'>): OverlayOptions {
  const o = net.options;
  return { vni: parseVni(o[VNI_OPT]), mtu: parseMtu(o[MTU_OPT], 'overlay.option'), encrypted: ENCRYPTED_OPT in o };
}

function parseVni(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',');
  if (ids.length > 1) throw invalid(`${VNI_OPT}: one VXLAN id per network, got ${value}`, 'overlay.vni');
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_VNI) {
    throw invalid(`invalid vxlan id value "${value}" passed: must be between 1 and ${MAX_VNI}`, 'overlay.vni');
  }
  return Number(value);
}

/** The VNI of a created network (assign() stored it). */
export function vniOf(net: Pick<NetworkRecord, 'options'>): number {
  const vni = parseVni(net.options[VNI_OPT]);
  if (vni === undefined) throw invalid(`overlay network without ${VNI_OPT}`, 'overlay.vni');
  return vni;
}

const overlays = (others: readonly NetworkRecord[]): NetworkRecord[] => others.filter((n) => n.driver === 'overlay' && n.options[VNI_OPT] !== undefined);

/** A VNI the user asked for that another overlay has: one VXLAN segment cannot be two networks. */
export function vniConflict(net: NetworkRecord, others: readonly NetworkRecord[]): TetherError | undefined {
  const asked = parseVni(net.options[VNI_OPT]);
  const owner = asked === undefined ? undefined : overlays(others).find((n) => vniOf(n) === asked);
  return owner ? conflict(`vxlan id ${asked} is already in use by network ${owner.name}`, 'overlay.vniInUse') : undefined;
}

/** Stores the network's VNI: the one asked for, else the lowest free from 4096 up. */
export function assignVni(net: NetworkRecord, others: readonly NetworkRecord[]): void {
  if (net.options[VNI_OPT] !== undefined) return;
  const taken = new Set(overlays(others).map(vniOf));
  let vni = FIRST_AUTO_VNI;
  while (taken.has(vni)) vni++;
  if (vni > MAX_VNI) throw conflict('no free VXLAN id left', 'overlay.vniExhausted');
  net.options = { ...net.options, [VNI_OPT]: String(vni) };
}

/** Names on each host. The namespace is pinned by the network's id, so a restart finds it. */
export const names = {
  netns: (networkId: string): string => `ov-${networkId.slice(0, 12)}`,
  /** Inside the network's namespace (made in the host's, then moved: its UDP socket stays there). */
  vxlan: (vni: number): string => `vx-${vni}`,
  bridge: (vni: number): string => `ov-${vni}`,
  /** The overlay-side end of an endpoint's veth, inside the network's namespace. */
  overlayVeth: (endpointId: string): string => `ve${endpointId.slice(0, 11)}`,
} as const;

export const OUR_NETNS = /^ov-[0-9a-f]{12}$/;
/** A VXLAN device of ours left in the host's namespace by a crash between its add and its move. */
export const STRAY_VXLAN = /^vx-\d{1,8}$/;
