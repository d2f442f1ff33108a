// `tether network create`: docker's flags, its client-side IPAM consistency checks (with its
// error texts) and the exact POST /networks/create body docker CLI 28 sends.

import type { FlagSpec, ParsedFlags } from '../args.js';
import { contains, parseCIDR, parseIP } from '../cidr.js';
import { compareVersions } from '../client.js';
import type { Command } from '../command.js';
import { StatusError } from '../status.js';

/** opts.ValidateLabel: a label needs a non-empty key without whitespace. */
export function validateLabel(value: string): string {
  const key = (value.split('=')[0] as string).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return value;
}

export const createFlags: FlagSpec[] = [
  { name: 'driver', short: 'd', kind: 'string', default: 'bridge', usage: 'Driver to manage the Network' },
  { name: 'opt', short: 'o', kind: 'map', usage: 'Set driver specific options' },
  { name: 'label', kind: 'list', usage: 'Set metadata on a network', validate: validateLabel },
  { name: 'internal', kind: 'bool', usage: 'Restrict external access to the network' },
  { name: 'ipv4', kind: 'bool', default: true, usage: 'Enable or disable IPv4 address assignment' },
  { name: 'ipv6', kind: 'bool', usage: 'Enable or disable IPv6 address assignment' },
  { name: 'attachable', kind: 'bool', usage: 'Enable manual container attachment' },
  { name: 'ingress', kind: 'bool', usage: 'Create swarm routing-mesh network' },
  { name: 'scope', kind: 'string', usage: "Control the network's scope" },
  { name: 'config-only', kind: 'bool', usage: 'Create a configuration only network' },
  { name: 'config-from', kind: 'string', usage: 'The network from which to copy the configuration' },
  { name: 'ipam-driver', kind: 'string', default: 'default', usage: 'IP Address Management Driver' },
  { name: 'subnet', kind: 'strings', usage: 'Subnet in CIDR format that represents a network segment' },
  { name: 'ip-range', kind: 'strings', usage: 'Allocate container ip from a sub-range' },
  { name: 'gateway', kind: 'strings', usage: 'IPv4 or IPv6 Gateway for the master subnet' },
  { name: 'aux-address', kind: 'map', usage: 'Auxiliary IPv4 or IPv6 addresses used by Network driver' },
  { name: 'ipam-opt', kind: 'map', usage: 'Set IPAM driver specific options' },
];

interface IPAMConfig {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses: Record<string, string>;
}

/** Go marshals maps with sorted keys; build plain objects in that order. */
function sortedObject(m: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...m].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

/** docker's subnetMatches(subnet, data): is `data` (an address or CIDR) inside `subnet`? */
function subnetMatches(subnet: string, data: string): boolean {
  let net;
  try {
    net = parseCIDR(subnet).net;
  } catch (e) {
    throw new Error(`invalid subnet: ${(e as Error).message}`);
  }
  const ip = data.includes('/') ? parseCIDR(data).ip : parseIP(data);
  return contains(net, ip);
}

/**
 * docker's createIPAMConfig: pair each --ip-range, --gateway and --aux-address with the --subnet
 * containing it. Errors are plain messages (docker prints them without a prefix, exit 1).
 */
export function ipamConfigs(subnets: string[], ranges: string[], gateways: string[], aux: Map<string, string>): IPAMConfig[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const data = new Map<string, IPAMConfig>();
  for (const s of subnets) {
    for (const k of data.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) {
        throw new Error('multiple overlapping subnet configuration is not supported');
      }
    }
    data.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }
  const attach = (what: 'range' | 'gateway', value: string): void => {
    let match = false;
    for (const s of subnets) {
      if (what === 'range') parseCIDR(value); // docker validates the range itself first
      if (!subnetMatches(s, value)) continue;
      const cfg = data.get(s) as IPAMConfig;
      const prev = what === 'range' ? cfg.IPRange : cfg.Gateway;
      if (prev !== undefined) {
        throw new Error(
          what === 'range'
            ? `cannot configure multiple ranges (${value}, ${prev}) on the same subnet (${s})`
            : `cannot configure multiple gateways (${value}, ${prev}) for the same subnet (${s})`,
        );
      }
      if (what === 'range') cfg.IPRange = value;
      else cfg.Gateway = value;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for ${what} ${value}`);
  };
  for (const r of ranges) attach('range', r);
  for (const g of gateways) attach('gateway', g);
  for (const [key, addr] of aux) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, addr)) continue;
      (data.get(s) as IPAMConfig).AuxiliaryAddresses[key] = addr;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${addr}`);
  }
  return [...data.values()];
}

/**
 * The POST /networks/create body, key for key as docker CLI 28 marshals network.CreateRequest.
 * Built (and validated) before any connection, like docker; see withCheckDuplicate for the last key.
 */
export function buildCreateRequest(name: string, flags: ParsedFlags): Record<string, unknown> {
  let configs: IPAMConfig[];
  try {
    configs = ipamConfigs(flags.list('subnet'), flags.list('ip-range'), flags.list('gateway'), flags.map('aux-address'));
  } catch (e) {
    throw new StatusError((e as Error).message, 1);
  }
  const body: Record<string, unknown> = { Driver: flags.string('driver'), Scope: flags.string('scope') };
  if (flags.changed('ipv4')) body.EnableIPv4 = flags.bool('ipv4');
  if (flags.changed('ipv6')) body.EnableIPv6 = flags.bool('ipv6');
  body.IPAM = {
    Driver: flags.string('ipam-driver'),
    Options: sortedObject(flags.map('ipam-opt')),
    Config: configs.map((c) => {
      const aux = new Map(Object.entries(c.AuxiliaryAddresses));
      return {
        Subnet: c.Subnet || undefined,
        IPRange: c.IPRange || undefined,
        Gateway: c.Gateway || undefined,
        AuxiliaryAddresses: aux.size ? sortedObject(aux) : undefined,
      };
    }),
  };
  body.Internal = flags.bool('internal');
  body.Attachable = flags.bool('attachable');
  body.Ingress = flags.bool('ingress');
  body.ConfigOnly = flags.bool('config-only');
  body.ConfigFrom = flags.string('config-from') ? { Network: flags.string('config-from') } : null;
  body.Options = sortedObject(flags.map('opt'));
  const labels = new Map<string, string>();
  for (const l of flags.list('label')) {
    const eq = l.indexOf('=');
    labels.set(eq < 0 ? l : l.slice(0, eq), eq < 0 ? '' : l.slice(eq + 1));
  }
  body.Labels = sortedObject(labels);
  body.Name = name;
  return body;
}

/** docker's client package adds CheckDuplicate=true for daemons older than API 1.44. */
export function withCheckDuplicate(body: Record<string, unknown>, apiVersion: string): Record<string, unknown> {
  return compareVersions(apiVersion, '1.44') < 0 ? { ...body, CheckDuplicate: true } : body;
}

export const createCommand: Command = {
  use: 'create [OPTIONS] NETWORK',
  short: 'Create a network',
  args: { exact: 1 },
  flags: createFlags,
  async run(ctx) {
    const client = ctx.client();
    const name = ctx.args[0] as string;
    const body = buildCreateRequest(name, ctx.flags);
    const json = withCheckDuplicate(body, await client.apiVersion());
    const res = await client.json<{ Id: string }>('POST', '/networks/create', { json });
    ctx.out(`${res.Id}\n`);
  },
};
