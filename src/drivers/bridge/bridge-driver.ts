// The bridge driver: one Linux bridge per network, the gateway address on it, and a veth pair
// per endpoint with its peer created directly inside the sandbox (one host batch line, no move).
// Its kernel objects carry our names (br-<12 hex> bridges, tv<11 hex> host veths), which is how
// reconcile tells a leftover of ours from anyone else's.
import { randomBytes } from 'node:crypto';
import { conflict, invalid } from '../../errors.js';
import type { FwNetwork } from '../../firewall/firewaller.js';
import { tryParseCidr } from '../../ipam/address.js';
import type { IpLine } from '../../kernel/kernel.js';
import type { NetworkRecord } from '../../model/network.js';
import type { NetworkDriver } from '../driver.js';
import { addrFlags, deleteLinks, routeLines, sandboxLines } from '../sandbox-lines.js';
import { defaultBridge } from './default-bridge.js';
import { bridgeName, parseBridgeOptions } from './options.js';

const OUR_BRIDGE = /^br-[0-9a-f]{12}$/;
const OUR_VETH = /^tv[0-9a-f]{11}$/;

/** The host end of an endpoint's veth pair. */
export function hostVeth(endpointId: string): string {
  return `tv${endpointId.slice(0, 11)}`;
}

function prefixLen(subnet: string): string {
  return subnet.slice(subnet.indexOf('/') + 1);
}

/**
 * The address lines that put every pool's gateway on the bridge, and on an IPv6 bridge the
 * link-local fe80::1/64 Docker gives it (reference 03), so the gateway's link-local address is
 * known rather than derived from a random MAC.
 */
function gatewayLines(net: NetworkRecord, bridge: string): IpLine[] {
  const active = net.pools.filter((p) => p.active);
  const linkLocal = active.some((p) => p.family === 6) ? ['fe80::1/64'] : [];
  return [...active.map((p) => `${p.gateway}/${prefixLen(p.subnet)}`), ...linkLocal]
    .map((a) => ['addr', 'replace', a, ...addrFlags(a), 'dev', bridge]);
}

/** NAT, isolation and ICC of the network, by its bridge and active subnets. */
function firewallRules(net: NetworkRecord): FwNetwork {
  const o = parseBridgeOptions(net);
  const subnets = net.pools.filter((p) => p.active).flatMap((p) => tryParseCidr(p.subnet) ?? []);
  return { id: net.id, bridge: o.bridgeName, subnets, internal: net.internal, icc: o.icc, masquerade: o.masquerade };
}

export const bridgeDriver: NetworkDriver = {
  type: 'bridge',
  scope: 'local',
  ipam: 'default',
  stack: 'sandbox',
  singleton: false,
  predefined: { name: 'bridge', isDefault: true, build: defaultBridge },

  async probe(ctx) {
    // A bridge that is made and deleted at once: the one proof that this kernel (or container) can.
    const name = `tp${randomBytes(4).toString('hex')}`;
    const why = (await ctx.kernel.ipTry([['link', 'add', 'name', name, 'type', 'bridge']])).get(0);
    if (why !== undefined) return `the bridge driver cannot create a bridge on this host: ${why}`;
    await deleteLinks(ctx.kernel, [name]);
    return undefined;
  },

  async validate(ctx, net) {
    const opts = parseBridgeOptions(net);
    // A user-named bridge may already exist (Docker reuses a bridge); anything else is refused.
    const existing = await ctx.kernel.link(opts.bridgeName);
    if (existing && existing.linkinfo?.info_kind !== 'bridge') {
      throw invalid(`existing interface ${opts.bridgeName} is not a bridge`, 'bridge.name');
    }
  },

  conflict(net, others) {
    const br = bridgeName(net);
    const owner = others.find((n) => n.driver === 'bridge' && bridgeName(n) === br);
    return owner ? invalid(`bridge name ${br} is already in use by network ${owner.name}`, 'bridge.inuse') : undefined;
  },

  async createNetwork(ctx, net) {
    const { bridgeName: br } = parseBridgeOptions(net);
    const failed = await ctx.kernel.ipTry([['link', 'add', 'name', br, 'type', 'bridge']]);
    const why = failed.get(0);
    if (why !== undefined && !/File exists/.test(why)) throw conflict(`cannot create bridge ${br}: ${why}`);
    await ctx.kernel.ip([...gatewayLines(net, br), ['link', 'set', 'dev', br, 'up']]);
    await ctx.firewall.setNetwork(firewallRules(net)); // after the bridge: route_localnet is set on it
  },

  async deleteNetwork(ctx, net) {
    await ctx.firewall.removeNetwork(net.id);
    await deleteLinks(ctx.kernel, [bridgeName(net)]);
  },

  async join(ctx, net, spec) {
    const { bridgeName: br, mtu } = parseBridgeOptions(net);
    const m = spec.mtu ?? mtu;
    const mtuArgs = m === undefined ? [] : ['mtu', m];
    const host = hostVeth(spec.endpointId);
    await ctx.kernel.ip([
      ['link', 'add', 'name', host, ...mtuArgs, 'txqueuelen', 0, 'type', 'veth', 'peer', 'name', spec.ifname, ...mtuArgs, 'txqueuelen', 0,
        'address', spec.mac, 'netns', spec.netnsPath],
      ['link', 'set', 'dev', host, 'master', br, 'up'],
      // Hairpin: a container reaching its own published port through the host comes back out this port.
      ['link', 'set', 'dev', host, 'type', 'bridge_slave', 'hairpin', 'on'],
    ]);
    // A sandbox made for IPv4-only networks has IPv6 off (Docker's choice, kernel/netns.ts);
    // connecting it to an IPv6 network turns it on for this interface alone.
    if (spec.addresses.some((a) => a.includes(':'))) await ctx.kernel.sysctl(`net/ipv6/conf/${spec.ifname}/disable_ipv6`, '0', spec.netnsPath);
    await ctx.kernel.ipIn(spec.netnsPath, sandboxLines(spec));
  },

  async leave(ctx, _net, spec) {
    // Deleting the host end removes the pair; a sandbox already gone took it with it.
    await deleteLinks(ctx.kernel, [hostVeth(spec.endpointId)]);
  },

  async routeDefault(ctx, _net, spec) {
    await ctx.kernel.ipIn(spec.netnsPath, routeLines(spec));
  },

  firewallRules,

  publishing(net) {
    return { hostIpv4: parseBridgeOptions(net).hostBindingIpv4 };
  },

  async reconcile(ctx, state) {
    const bridges = new Set(state.networks.map(bridgeName));
    const veths = new Set(state.endpoints.map((ep) => hostVeth(ep.id)));
    const links = await ctx.kernel.links();
    const orphanBridges = links.filter((l) => l.linkinfo?.info_kind === 'bridge' && OUR_BRIDGE.test(l.ifname) && !bridges.has(l.ifname)).map((l) => l.ifname);
    const strayVeths = links.map((l) => l.ifname).filter((n) => OUR_VETH.test(n) && !veths.has(n));
    if (orphanBridges.length > 0) ctx.log.warn('removing bridges with no network', { bridges: orphanBridges });
    if (strayVeths.length > 0) ctx.log.warn('removing host veths with no endpoint', { links: strayVeths });
    await deleteLinks(ctx.kernel, [...orphanBridges, ...strayVeths]);
  },

  async uninstall(ctx, state) {
    // Their veths go with the sandboxes' namespaces.
    return (await deleteLinks(ctx.kernel, state.networks.map(bridgeName))).map((b) => `bridge ${b}: deleted`);
  },
};
