// The gateway bridge: how containers on overlay networks reach the outside and are reached on
// their published ports, as Docker's docker_gwbridge. One Linux bridge per host,
// `tether_gwbridge`, with masquerade and icc off through the firewall (containers of different
// overlays do not meet here); each endpoint of a non-internal overlay gets a second veth, its
// sandbox end `gw-<ifname>` carrying an address of the bridge's subnet and, when the endpoint
// provides the sandbox's default route, that route.
//
// Addressing, without a store of its own: the subnet is the one on an existing tether_gwbridge
// (pre-create it with an address to choose one), else the first /16 from 172.31 down to 172.18
// that overlaps no route of the host and no overlay subnet known here — the far end of the pools
// Docker's IPAM hands out first, and once the bridge exists its route keeps IPAM away from it.
// Each leg's address is written as the alias of its host-side veth, so after a restart the
// addresses in use are read back from the links (`ip -d link`), not from records.
//
// Published ports: the engine maps them to the endpoint's overlay address, which only the overlay
// namespace knows; a host route `<overlay address>/32 via <leg address>` takes them to the leg,
// and the reply leaves by the sandbox's default route the same way.
import type { FwNetwork } from '../../firewall/firewaller.js';
import { addOffset, cidrsOverlap, formatIp, makeCidr, networkAddress, tryParseCidr, tryParseIp, type Cidr, type Ip } from '../../ipam/address.js';
import type { IpLine, Kernel } from '../../kernel/kernel.js';
import { internal } from '../../errors.js';
import type { DriverContext, JoinSpec } from '../driver.js';
import { deleteLinks } from '../sandbox-lines.js';

export const GW_BRIDGE = 'tether_gwbridge';
const LEG = /^tvg[0-9a-f]{10}$/;
const CANDIDATES = Array.from({ length: 14 }, (_, i) => `172.${31 - i}.0.0/16`);

interface Gw {
  subnet: Cidr;
  gateway: Ip;
  /** Leg address by host-side veth name. */
  legs: Map<string, bigint>;
}

const bridges = new WeakMap<Kernel, Promise<Gw>>();
/** The rules of the bridge this process made last: firewallRules() is synchronous. */
let current: FwNetwork | undefined;

const legName = (endpointId: string): string => `tvg${endpointId.slice(0, 10)}`;
export const legIfname = (spec: Pick<JoinSpec, 'ifname'>): string => `gw-${spec.ifname}`;

function rules(subnet: Cidr): FwNetwork {
  return { id: GW_BRIDGE, bridge: GW_BRIDGE, subnets: [subnet], internal: false, icc: false, masquerade: true };
}

/** What the firewall must hold for the gateway bridge, once it exists. */
export function gwbridgeRules(): FwNetwork | undefined {
  return current;
}

/** The bridge, made if needed, with its firewall rules; overlay subnets known here are avoided. */
export function ensureGwbridge(ctx: DriverContext, avoid: readonly Cidr[]): Promise<Gw> {
  let gw = bridges.get(ctx.kernel);
  if (!gw) {
    gw = makeGwbridge(ctx, avoid);
    bridges.set(ctx.kernel, gw);
    gw.catch(() => bridges.delete(ctx.kernel));
  }
  return gw;
}

async function makeGwbridge(ctx: DriverContext, avoid: readonly Cidr[]): Promise<Gw> {
  const links = await ctx.kernel.links();
  let subnet = links.some((l) => l.ifname === GW_BRIDGE) ? await bridgeSubnet(ctx.kernel) : undefined;
  if (!subnet) {
    const routes = (await ctx.kernel.routeDestinations()).flatMap((d) => tryParseCidr(d) ?? []);
    const taken = [...routes, ...avoid];
    subnet = CANDIDATES.map((c) => tryParseCidr(c)!).find((c) => !taken.some((t) => cidrsOverlap(c, t)));
    if (!subnet) throw internal(`no subnet left for ${GW_BRIDGE}: 172.18.0.0/16 to 172.31.0.0/16 all overlap routes or overlays`);
    const gateway = formatIp(addOffset(networkAddress(subnet), 1));
    const failed = await ctx.kernel.ipTry([['link', 'add', 'name', GW_BRIDGE, 'type', 'bridge']]);
    if (failed.size > 0 && !/File exists/.test(failed.get(0)!)) throw internal(`cannot create ${GW_BRIDGE}: ${failed.get(0)}`);
    await ctx.kernel.ip([['addr', 'replace', `${gateway}/${subnet.prefix}`, 'broadcast', '+', 'dev', GW_BRIDGE]]);
  }
  await ctx.kernel.ip([['link', 'set', 'dev', GW_BRIDGE, 'up']]);
  current = rules(subnet);
  await ctx.firewall.setNetwork(current);
  const legs = new Map<string, bigint>();
  for (const l of links) {
    const a = LEG.test(l.ifname) && l.ifalias ? tryParseIp(l.ifalias) : undefined;
    if (a) legs.set(l.ifname, a.value);
  }
  return { subnet, gateway: addOffset(networkAddress(subnet), 1), legs };
}

/** The subnet of the IPv4 address on an existing bridge (made by us before, or by the user). */
async function bridgeSubnet(kernel: Kernel): Promise<Cidr | undefined> {
  const [link] = await kernel.ipJson<Array<{ addr_info?: Array<{ family: string; local: string; prefixlen: number }> }>>(['addr', 'show', 'dev', GW_BRIDGE]);
  const a = link?.addr_info?.find((x) => x.family === 'inet');
  const ip = a ? tryParseIp(a.local) : undefined;
  return ip && a ? makeCidr(ip, a.prefixlen) : undefined;
}

function allocate(gw: Gw, leg: string): Ip {
  const known = gw.legs.get(leg);
  if (known !== undefined) return { family: 4, value: known };
  const used = new Set(gw.legs.values());
  const last = networkAddress(gw.subnet).value + (1n << BigInt(32 - gw.subnet.prefix)) - 2n;
  for (let v = gw.gateway.value + 1n; v <= last; v++) {
    if (used.has(v)) continue;
    gw.legs.set(leg, v); // taken before any await: concurrent joins cannot share it
    return { family: 4, value: v };
  }
  throw internal(`${GW_BRIDGE}: no address left in ${gw.subnet.text}`);
}

/**
 * Adds the endpoint's leg on the host side and returns the lines that configure its sandbox
 * end; `overlayIpv4` gets the route that carries its published ports.
 */
export async function attachLeg(ctx: DriverContext, gw: Gw, spec: JoinSpec, overlayIpv4: string | undefined): Promise<IpLine[]> {
  const leg = legName(spec.endpointId);
  const ifname = legIfname(spec);
  const address = formatIp(allocate(gw, leg));
  try {
    await ctx.kernel.ip([
      ['link', 'add', 'name', leg, 'type', 'veth', 'peer', 'name', ifname, 'netns', spec.netnsPath],
      ['link', 'set', 'dev', leg, 'alias', address],
      ['link', 'set', 'dev', leg, 'master', GW_BRIDGE, 'up'],
      ...(overlayIpv4 ? [['route', 'replace', `${overlayIpv4}/32`, 'via', address, 'dev', GW_BRIDGE]] : []),
    ]);
  } catch (e) {
    await detachLeg(ctx, spec, overlayIpv4);
    throw e;
  }
  return [
    ['addr', 'add', `${address}/${gw.subnet.prefix}`, 'broadcast', '+', 'dev', ifname],
    ['link', 'set', 'dev', ifname, 'up'],
    ...legRoute(gw, spec),
  ];
}

/** The sandbox's default route through the gateway bridge, when the endpoint provides it. */
export function legRoute(gw: Gw, spec: JoinSpec): IpLine[] {
  return spec.gateways.some((g) => !g.includes(':')) ? [['route', 'replace', 'default', 'via', formatIp(gw.gateway), 'dev', legIfname(spec)]] : [];
}

/** Removes the leg (its sandbox end goes with it) and its route; idempotent. */
export async function detachLeg(ctx: DriverContext, spec: Pick<JoinSpec, 'endpointId'>, overlayIpv4: string | undefined): Promise<void> {
  const leg = legName(spec.endpointId);
  if (overlayIpv4) await ctx.kernel.ipTry([['route', 'del', `${overlayIpv4}/32`, 'dev', GW_BRIDGE]]);
  await deleteLinks(ctx.kernel, [leg]);
  (await bridges.get(ctx.kernel)?.catch(() => undefined))?.legs.delete(leg);
}

/** Legs whose endpoint is gone (a crash), removed after a restart; returns their names. */
export async function removeStrayLegs(ctx: DriverContext, endpointIds: readonly string[]): Promise<string[]> {
  const wanted = new Set(endpointIds.map(legName));
  const stray = (await ctx.kernel.links()).filter((l) => LEG.test(l.ifname) && !wanted.has(l.ifname));
  if (stray.length === 0) return [];
  // Their published-port routes point at their addresses and outlive them: those go first.
  const via = new Set(stray.flatMap((l) => l.ifalias ?? []));
  const routes = await ctx.kernel.ipJson<Array<{ dst: string; gateway?: string }>>(['route', 'show', 'dev', GW_BRIDGE]).catch(() => []);
  await ctx.kernel.ipTry(routes.filter((r) => r.gateway !== undefined && via.has(r.gateway)).map((r) => ['route', 'del', r.dst, 'dev', GW_BRIDGE]));
  const gw = await bridges.get(ctx.kernel)?.catch(() => undefined);
  for (const l of stray) gw?.legs.delete(l.ifname);
  return deleteLinks(ctx.kernel, stray.map((l) => l.ifname));
}

/** Deletes the bridge and its rules (no overlay needs it any more); true if it was there. */
export async function removeGwbridge(ctx: DriverContext): Promise<boolean> {
  bridges.delete(ctx.kernel);
  current = undefined;
  await ctx.firewall.removeNetwork(GW_BRIDGE);
  return (await deleteLinks(ctx.kernel, [GW_BRIDGE])).length > 0;
}
