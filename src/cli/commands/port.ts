// `tether port` (docker CLI 28 port.go): the container's NetworkSettings.Ports, one mapping per
// line in natural order, IPv6 host addresses bracketed (`80/tcp -> [::]:8080`).

import { esc } from '../client.js';
import type { Command } from '../command.js';
import { naturalLess } from '../format/natsort.js';
import { StatusError } from '../status.js';

type PortMap = Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;

const joinHostPort = (ip: string, port: string): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export const portCommand: Command = {
  use: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  aliasPaths: ['container port', 'port'],
  short: 'List port mappings or a specific mapping for the container',
  args: { min: 1, max: 2 },
  async run(ctx) {
    const [name, spec] = ctx.args as [string, string | undefined];
    const c = await ctx.client().json<{ NetworkSettings: { Ports?: PortMap } }>('GET', `/containers/${esc(name)}/json`);
    const ports = c.NetworkSettings.Ports ?? {};
    const out: string[] = [];
    if (spec !== undefined) {
      const slash = spec.indexOf('/');
      const port = slash < 0 ? spec : spec.slice(0, slash);
      const proto = (slash < 0 ? '' : spec.slice(slash + 1)) || 'tcp';
      if (!/^\d+$/.test(port) || Number(port) > 0xffff) {
        const why = /^\d+$/.test(port) ? 'value out of range' : 'invalid syntax';
        throw new StatusError(`Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${why}`, 1);
      }
      const frontends = ports[`${port}/${proto}`];
      if (!frontends?.length) throw new StatusError(`Error: No public port '${spec}' published for ${name}`, 1);
      for (const f of frontends) out.push(joinHostPort(f.HostIp, f.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports)) {
        for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
      }
    }
    out.sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0));
    if (out.length) ctx.out(`${out.join('\n')}\n`);
  },
};
