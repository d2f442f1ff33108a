// The bridge driver: one Linux bridge per network, the gateway address on it, and a veth pair
// per endpoint with its peer created directly inside the sandbox (one host batch line, no move).
import { conflict, invalid } from '../../errors.js';
import type { IpLine } from '../../kernel/kernel.js';
import type { NetworkRecord } from '../../model/network.js';
import type { JoinSpec, NetworkDriver } from '../driver.js';
import { parseBridgeOptions } from './options.js';

/** IPv4 addresses get the subnet's broadcast (`brd +`), as Docker's do; IPv6 has none. */
function broadcast(address: string): string[] {
  return address.includes(':') ? [] : ['broadcast', '+'];
}

function prefixLen(subnet: string): string {
  return subnet.slice(subnet.indexOf('/') + 1);
}

/** The address lines that put every pool's gateway on the bridge. */
function gatewayLines(net: NetworkRecord, bridge: string): IpLine[] {
  return net.pools
    .filter((p) => p.active)
    .map((p) => ['addr', 'replace', `${p.gateway}/${prefixLen(p.subnet)}`, ...broadcast(p.gateway), 'dev', bridge]);
}

export const bridgeDriver: NetworkDriver = {
  type: 'bridge',
  scope: 'local',

  async validate(net, ctx) {
    const opts = parseBridgeOptions(net);
    // A user-named bridge may already exist (Docker reuses a bridge); anything else is refused.
    const existing = (await ctx.kernel.links()).find((l) => l.ifname === opts.bridgeName);
    if (existing && existing.linkinfo?.info_kind !== 'bridge') {
      throw invalid(`existing interface ${opts.bridgeName} is not a bridge`, 'bridge.name');
    }
  },

  async createNetwork(net, ctx) {
    const { bridgeName } = parseBridgeOptions(net);
    const failed = await ctx.kernel.ipTry([['link', 'add', 'name', bridgeName, 'type', 'bridge']]);
    const why = failed.get(0);
    if (why !== undefined && !/File exists/.test(why)) throw conflict(`cannot create bridge ${bridgeName}: ${why}`);
    await ctx.kernel.ip([...gatewayLines(net, bridgeName), ['link', 'set', 'dev', bridgeName, 'up']]);
  },

  async deleteNetwork(net, ctx) {
    const { bridgeName } = parseBridgeOptions(net);
    await ctx.kernel.ipTry([['link', 'del', 'dev', bridgeName]]); // gone already is fine
  },

  async join(net, spec, ctx) {
    const { bridgeName, mtu } = parseBridgeOptions(net);
    const m = spec.mtu ?? mtu;
    const mtuArgs = m === undefined ? [] : ['mtu', m];
    await ctx.kernel.ip([
      ['link', 'add', 'name', spec.hostIfname, ...mtuArgs, 'txqueuelen', 0, 'type', 'veth', 'peer', 'name', spec.ifname, ...mtuArgs, 'txqueuelen', 0,
        'address', spec.mac, 'netns', spec.netnsPath],
      ['link', 'set', 'dev', spec.hostIfname, 'master', bridgeName, 'up'],
      // Hairpin: a container reaching its own published port through the host comes back out this port.
      ['link', 'set', 'dev', spec.hostIfname, 'type', 'bridge_slave', 'hairpin', 'on'],
    ]);
    await ctx.kernel.ipIn(spec.netnsPath, sandboxLines(spec));
  },

  async leave(_net, spec, ctx) {
    // Deleting the host end removes the pair; a sandbox already gone took it with it.
    await ctx.kernel.ipTry([['link', 'del', 'dev', spec.hostIfname]]);
  },
};

export function sandboxLines(spec: JoinSpec): IpLine[] {
  return [
    ...spec.addresses.map((a): IpLine => ['addr', 'add', a, ...broadcast(a), 'dev', spec.ifname]),
    ['link', 'set', 'dev', spec.ifname, 'up'],
    // `default` would be read as IPv4; an IPv6 default route is spelled ::/0.
    ...spec.gateways.map((g): IpLine => ['route', 'replace', g.includes(':') ? '::/0' : 'default', 'via', g, 'dev', spec.ifname]),
  ];
}
