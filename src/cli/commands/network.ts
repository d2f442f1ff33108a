// `tether network …`: ls, inspect, rm, prune, connect, disconnect (create lives in
// network-create.ts). Behaviour, texts and request bodies follow docker CLI 28 against API ≤ 1.43.

import { networkInspectType, type NetworkSummary } from '../apitypes.js';
import { esc } from '../client.js';
import { endpointSettings } from '../endpoint.js';
import type { Command } from '../command.js';
import { filtersQuery } from '../filters.js';
import { toTyped } from '../format/gotype.js';
import { GoMap, GoStruct, goMarshal, goTimeString, type GoField } from '../format/govalue.js';
import { inspectAll } from '../format/inspect.js';
import { parseGoJSON } from '../format/json.js';
import { FORMAT_HELP, INSPECT_FORMAT_HELP, renderList, TABLE_FORMAT_KEY } from '../format/listing.js';
import { naturalCompare } from '../format/natsort.js';
import { confirm } from '../prompt.js';
import { validateLink } from '../validators.js';
import { CancelledError, StatusError } from '../status.js';
import { createCommand } from './network-create.js';

// ---------------------------------------------------------------------------------------------
// ls

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

const NETWORK_HEADERS = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/** docker's network.NewFormat: the meaning of `table`/`raw` (and -q) for networks. */
function networkFormat(source: string, quiet: boolean): string {
  if (source === TABLE_FORMAT_KEY) return quiet ? '{{.ID}}' : DEFAULT_TABLE;
  if (source === 'raw') {
    return quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
  }
  return source;
}

/** docker's networkContext: the methods templates can call, and its MarshalJSON (sorted keys). */
export function networkContext(n: NetworkSummary, trunc: boolean): GoStruct {
  const labels = n.Labels ?? {};
  const values: Record<string, string> = {
    ID: trunc ? n.Id.slice(0, 12) : n.Id,
    Name: n.Name,
    Driver: n.Driver ?? '',
    Scope: n.Scope ?? '',
    IPv4: String(n.EnableIPv4 === true),
    IPv6: String(n.EnableIPv6 === true),
    Internal: String(n.Internal === true),
    // Go iterates the label map in random order; sorted output is one of docker's orders.
    Labels: Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(','),
    CreatedAt: goTimeString(n.Created ?? '0001-01-01T00:00:00Z'),
  };
  const fields: GoField[] = Object.entries(values).map(([name, value]) => ({ name, json: name, omitempty: false, value }));
  return new GoStruct(
    '*network.networkContext',
    fields,
    { Label: (name) => labels[String(name)] ?? '' },
    () => goMarshal(new GoMap(new Map(Object.entries(values))), true),
  );
}

const lsCommand: Command = {
  use: 'ls [OPTIONS]',
  short: 'List networks',
  aliases: ['list'],
  flags: [
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display network IDs' },
    { name: 'no-trunc', kind: 'bool', usage: 'Do not truncate the output' },
    { name: 'format', kind: 'string', usage: FORMAT_HELP },
    { name: 'filter', short: 'f', kind: 'filter', usage: 'Provide filter values (e.g. "driver=bridge")' },
  ],
  async run(ctx) {
    const filters = filtersQuery(ctx.flags.list('filter'));
    const networks = await ctx.client().json<NetworkSummary[]>('GET', '/networks', { query: { filters } });
    networks.sort((a, b) => naturalCompare(a.Name, b.Name));
    const format = networkFormat(ctx.flags.string('format') || TABLE_FORMAT_KEY, ctx.flags.bool('quiet'));
    const rows = networks.map((n) => networkContext(n, !ctx.flags.bool('no-trunc')));
    ctx.out(renderList(format, rows, NETWORK_HEADERS));
  },
};

// ---------------------------------------------------------------------------------------------
// inspect

const inspectCommand: Command = {
  use: 'inspect [OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: { min: 1 },
  flags: [
    { name: 'format', short: 'f', kind: 'string', usage: INSPECT_FORMAT_HELP },
    { name: 'verbose', short: 'v', kind: 'bool', usage: 'Verbose output for diagnostics' },
  ],
  async run(ctx) {
    const client = ctx.client();
    const verbose = ctx.flags.bool('verbose') ? 'true' : undefined;
    const result = await inspectAll(ctx.args, ctx.flags.string('format'), async (name) => {
      const res = await client.request('GET', `/networks/${esc(name)}`, { query: { verbose } });
      const raw = res.body.toString('utf8');
      return { raw, typed: toTyped(parseGoJSON(raw), networkInspectType) };
    });
    ctx.out(result.out);
    if (result.error) throw result.error;
  },
};

// ---------------------------------------------------------------------------------------------
// rm

const INGRESS_WARNING =
  'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
  'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\n' +
  'Are you sure you want to continue?';

const rmCommand: Command = {
  use: 'rm NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  aliases: ['remove'],
  args: { min: 1 },
  flags: [{ name: 'force', short: 'f', kind: 'bool', usage: 'Do not error if the network does not exist' }],
  async run(ctx) {
    const client = ctx.client();
    let failed = false;
    for (const name of ctx.args) {
      // docker inspects first so it can warn before removing the swarm ingress network.
      const nw = await client.json<NetworkSummary>('GET', `/networks/${esc(name)}`).catch(() => undefined);
      if (nw?.Ingress && !(await confirm(ctx.io, INGRESS_WARNING))) continue;
      try {
        await client.request('DELETE', `/networks/${esc(name)}`);
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        if (ctx.flags.bool('force') && 'notFound' in e && e.notFound) continue;
        ctx.err(`${e.message}\n`);
        failed = true;
        continue;
      }
      ctx.out(`${name}\n`);
    }
    // docker 28 reports the failure once more as its exit status.
    if (failed) throw new StatusError('exit status 1', 1);
  },
};

// ---------------------------------------------------------------------------------------------
// prune

const PRUNE_WARNING = `WARNING! This will remove all custom networks not used by at least one container.
Are you sure you want to continue?`;

const pruneCommand: Command = {
  use: 'prune [OPTIONS]',
  short: 'Remove all unused networks',
  flags: [
    { name: 'force', short: 'f', kind: 'bool', usage: 'Do not prompt for confirmation' },
    { name: 'filter', kind: 'filter', usage: 'Provide filter values (e.g. "until=<timestamp>")' },
  ],
  async run(ctx) {
    if (!ctx.flags.bool('force') && !(await confirm(ctx.io, PRUNE_WARNING))) throw new CancelledError();
    const filters = filtersQuery(ctx.flags.list('filter'));
    const report = await ctx.client().json<{ NetworksDeleted: string[] | null }>('POST', '/networks/prune', {
      query: { filters },
    });
    const deleted = report.NetworksDeleted ?? [];
    if (deleted.length > 0) ctx.out(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
  },
};

// ---------------------------------------------------------------------------------------------
// connect / disconnect

const connectCommand: Command = {
  use: 'connect [OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  args: { exact: 2 },
  flags: [
    { name: 'ip', kind: 'string', usage: 'IPv4 address (e.g., "172.30.100.104")' },
    { name: 'ip6', kind: 'string', usage: 'IPv6 address (e.g., "2001:db8::33")' },
    { name: 'link', kind: 'list', usage: 'Add link to another container', validate: validateLink },
    { name: 'alias', kind: 'strings', usage: 'Add network-scoped alias for the container' },
    { name: 'link-local-ip', kind: 'strings', usage: 'Add a link-local address for the container' },
    { name: 'driver-opt', kind: 'strings', usage: 'driver options for the network' },
    {
      name: 'gw-priority',
      kind: 'int',
      usage: 'Highest gw-priority provides the default gateway. Accepts positive and negative values.',
    },
  ],
  async run(ctx) {
    const [network, container] = ctx.args as [string, string];
    const driverOpts: Record<string, string> = {};
    for (const opt of ctx.flags.list('driver-opt')) {
      const eq = opt.indexOf('=');
      const key = eq < 0 ? '' : opt.slice(0, eq).trim();
      if (key === '') throw new StatusError('invalid key/value pair format in driver options', 1);
      driverOpts[key] = opt.slice(eq + 1).trim();
    }
    const links = ctx.flags.list('link');
    const linkLocal = ctx.flags.list('link-local-ip');
    const endpointConfig = endpointSettings({
      ipam: { IPv4Address: ctx.flags.string('ip'), IPv6Address: ctx.flags.string('ip6'), LinkLocalIPs: linkLocal },
      links: links.length ? links : null,
      aliases: ctx.flags.list('alias'),
      driverOpts,
      gwPriority: ctx.flags.int('gw-priority'),
    });
    await ctx.client().request('POST', `/networks/${esc(network)}/connect`, {
      json: { Container: container, EndpointConfig: endpointConfig },
    });
  },
};

const disconnectCommand: Command = {
  use: 'disconnect [OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  args: { exact: 2 },
  flags: [{ name: 'force', short: 'f', kind: 'bool', usage: 'Force the container to disconnect from a network' }],
  async run(ctx) {
    const [network, container] = ctx.args as [string, string];
    await ctx.client().request('POST', `/networks/${esc(network)}/disconnect`, {
      json: { Container: container, Force: ctx.flags.bool('force') },
    });
  },
};

export const networkCommand: Command = {
  use: 'network',
  short: 'Manage networks',
  subcommands: [connectCommand, createCommand, disconnectCommand, inspectCommand, lsCommand, pruneCommand, rmCommand],
};
