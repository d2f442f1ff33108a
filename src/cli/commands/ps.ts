// `tether ps` / `tether container ls`: docker CLI 28's container list (list.go) and its
// formatter.ContainerContext — the columns, truncation, quoting, PORTS grouping and `{{json .}}`
// keys docker prints. `size=1` is requested exactly when docker would: when a custom template
// reads `.Size` (found, like docker, by executing the template once against a recording context).

import { filtersQuery } from '../filters.js';
import type { Command } from '../command.js';
import { GoMap, GoStruct, goMarshal, type GoField, type GoValue } from '../format/govalue.js';
import { FORMAT_HELP, renderList, TABLE_FORMAT_KEY } from '../format/listing.js';
import { Template } from '../format/template.js';
import { goLocalTime, humanDuration, humanSizeWithPrecision } from '../units.js';
import { normalizeImage } from '../container-create.js';
import { StatusError } from '../status.js';

interface Port {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface ContainerSummary {
  Id: string;
  Names: string[] | null;
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: Port[] | null;
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string> | null;
  State: string;
  Status: string;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
  Mounts?: Array<{ Name?: string; Source?: string; Driver?: string }> | null;
}

const HEADERS = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** stringid.TruncateID: drop an algorithm prefix, keep 12 characters. */
export const truncateID = (id: string): string => id.slice(id.indexOf(':') + 1).slice(0, 12);

/** formatter.Ellipsis for single-width text: cut to `max` characters ending in `…`. */
function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return chars.slice(0, max - 1).join('') + '…';
}

/** net.JoinHostPort */
const joinHostPort = (ip: string, port: string | number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** formatter.DisplayablePorts: consecutive ports grouped into ranges, host mappings last. */
export function displayablePorts(input: Port[]): string {
  const ports = [...input].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      ((a.IP ?? '') < (b.IP ?? '') ? -1 : (a.IP ?? '') > (b.IP ?? '') ? 1 : 0) ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      (a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, start: number, last: number): string => {
    const parts = key.split('/');
    const ip = parts.length > 1 ? (parts[0] as string) : '';
    const type = parts.length > 1 ? (parts[1] as string) : (parts[0] as string);
    let group = start === last ? String(start) : `${start}-${last}`;
    if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of ports) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        hostMappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    else if (p.PrivatePort === g.last + 1) g.last = p.PrivatePort;
    else {
      result.push(formGroup(key, g.first, g.last));
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    }
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

function imageColumn(c: ContainerSummary, trunc: boolean): string {
  if (c.Image === '') return '<no image>';
  if (!trunc) return c.Image;
  if (truncateID(c.ImageID) === truncateID(c.Image)) return truncateID(c.Image);
  const ref = normalizeImage(c.Image);
  if (!ref) return c.Image;
  // A tagged reference keeps its tag; otherwise only the name shows (digests are dropped).
  return ref.explicitTag ? `${ref.familiarName}:${ref.explicitTag}` : ref.familiarName;
}

/** docker's ContainerContext: its methods as template fields, MarshalJSON with sorted keys. */
export function containerContext(c: ContainerSummary, trunc: boolean, onSize?: () => void): GoStruct {
  const labels = c.Labels ?? {};
  const names = (c.Names ?? []).map((n) => n.slice(1));
  const shownNames = trunc ? (names.find((n) => !n.includes('/')) ?? names.join(',')) : names.join(',');
  const mounts = (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || ''));
  const size = (): string => {
    onSize?.();
    const rw = humanSizeWithPrecision(c.SizeRw ?? 0, 3);
    return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSizeWithPrecision(c.SizeRootFs ?? 0, 3)})` : rw;
  };
  const values: Record<string, () => GoValue> = {
    ID: () => (trunc ? truncateID(c.Id) : c.Id),
    Names: () => shownNames,
    Image: () => imageColumn(c, trunc),
    Command: () => JSON.stringify(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: () => goLocalTime(c.Created),
    RunningFor: () => `${humanDuration(Date.now() - c.Created * 1000)} ago`,
    Ports: () => displayablePorts(c.Ports ?? []),
    State: () => c.State,
    Status: () => c.Status,
    Size: size,
    Labels: () => Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(','),
    Mounts: () => mounts.join(','),
    LocalVolumes: () => String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Networks: () => Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','), // a Go map: any order
    Platform: () => null,
  };
  class Lazy extends GoStruct {
    override field(name: string): GoField | undefined {
      const get = values[name];
      return get ? { name, json: name, omitempty: false, value: get() } : undefined;
    }
  }
  const fields = (): GoField[] => Object.entries(values).map(([name, get]) => ({ name, json: name, omitempty: false, value: get() }));
  return new Lazy(
    '*formatter.ContainerContext',
    [],
    { Label: (name) => labels[String(name)] ?? '' },
    () => goMarshal(new GoMap(new Map(fields().map((f) => [f.name, f.value]))), true),
  );
}

/**
 * docker validates a custom format by executing it once against an empty context (failing with
 * its own wording, before any request) and learns from that whether the template reads `.Size`.
 */
function checkTemplate(format: string): { usesSize: boolean } {
  let usesSize = false;
  const probe = containerContext(
    { Id: '', Names: [], Image: '', ImageID: '', Command: '', Created: 0, Ports: [], Labels: {}, State: '', Status: '' },
    true,
    () => (usesSize = true),
  );
  let tmpl: Template;
  try {
    tmpl = new Template(format);
  } catch (e) {
    throw new StatusError(`failed to parse template: ${(e as Error).message}`, 1);
  }
  try {
    tmpl.execute(probe);
  } catch (e) {
    throw new StatusError(`failed to execute template: ${(e as Error).message}`, 1);
  }
  return { usesSize };
}

export const psCommand: Command = {
  use: 'ps [OPTIONS]',
  aliasPaths: ['container ls', 'container list', 'container ps', 'ps'],
  short: 'List containers',
  flags: [
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display container IDs' },
    { name: 'size', short: 's', kind: 'bool', usage: 'Display total file sizes' },
    { name: 'all', short: 'a', kind: 'bool', usage: 'Show all containers (default shows just running)' },
    { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
    { name: 'latest', short: 'l', kind: 'bool', usage: 'Show the latest created container (includes all states)' },
    { name: 'last', short: 'n', kind: 'int', default: -1, usage: 'Show n last created containers (includes all states)' },
    { name: 'format', kind: 'string', usage: FORMAT_HELP },
    { name: 'filter', short: 'f', kind: 'filter', usage: 'Filter output based on conditions provided' },
  ],
  async run(ctx) {
    const { flags } = ctx;
    const quiet = flags.bool('quiet');
    let format = flags.string('format');
    if (format !== '' && quiet) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
    let size = flags.bool('size');
    if (format !== '') {
      const { usesSize } = checkTemplate(format);
      if (!quiet && !size && !flags.changed('size')) size = usesSize;
    }
    let limit = flags.int('last');
    if (flags.bool('latest') && limit === -1) limit = 1;
    const containers = await ctx.client().json<ContainerSummary[]>('GET', '/containers/json', {
      query: {
        all: flags.bool('all') ? '1' : undefined,
        filters: filtersQuery(flags.list('filter')),
        limit: limit !== -1 ? String(limit) : undefined,
        size: size ? '1' : undefined,
      },
    });
    if (format === '' || format === TABLE_FORMAT_KEY) format = quiet ? '{{.ID}}' : DEFAULT_TABLE + (size ? '\t{{.Size}}' : '');
    else if (format === 'raw') {
      format = quiet
        ? 'container_id: {{.ID}}'
        : 'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n' +
          (size ? 'size: {{.Size}}\\n' : '');
    } else if (quiet) format = '{{.ID}}';
    const rows = containers.map((c) => containerContext(c, !flags.bool('no-trunc')));
    ctx.out(renderList(format, rows, HEADERS));
  },
};

/** `container ls`: the same command under its management-command name. */
export const containerLsCommand: Command = { ...psCommand, use: 'ls [OPTIONS]', aliases: ['ps', 'list'] };
