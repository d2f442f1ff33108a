// `tether version` and `tether info`, laid out like docker 28's. The Server parts print what the
// daemon reports (GET /version, GET /info) in docker's format, so they match docker byte for byte
// against the same daemon; the Client parts describe tether itself.

import { CLI_VERSION, MAX_API_VERSION } from '../client.js';
import type { Command, RunContext } from '../command.js';
import { GoStruct, type GoField, type GoValue } from '../format/govalue.js';
import { parseGoJSON } from '../format/json.js';
import { INSPECT_FORMAT_HELP, parseTemplate } from '../format/listing.js';
import { TabWriter } from '../format/tabwriter.js';

const CONTEXT = 'default';
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
const osArch = (): string => `${process.platform}/${GOARCH[process.arch] ?? process.arch}`;

// ---------------------------------------------------------------------------------------------
// version

interface ServerVersion {
  Platform?: { Name?: string };
  Components?: Array<{ Name: string; Version: string; Details?: Record<string, string> }>;
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
  Os?: string;
  Arch?: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** docker's reformatDate: an RFC 3339 build time shown in Go's ANSIC layout, in its own zone. */
export function ansicDate(rfc3339: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(rfc3339);
  if (!m) return rfc3339;
  const [, y, mo, d, clock] = m as unknown as [string, string, string, string, string];
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  return `${WEEKDAYS[day.getUTCDay()]} ${MONTHS[Number(mo) - 1]} ${String(Number(d)).padStart(2, ' ')} ${clock} ${y}`;
}

/** Older daemons have no Components; docker then shows the top-level fields as the Engine. */
function components(sv: ServerVersion): Array<{ Name: string; Version: string; Details: Record<string, string> }> {
  if (sv.Components?.length) return sv.Components.map((c) => ({ ...c, Details: c.Details ?? {} }));
  return [
    {
      Name: 'Engine',
      Version: sv.Version ?? '',
      Details: {
        ApiVersion: sv.ApiVersion ?? '',
        MinAPIVersion: sv.MinAPIVersion ?? '',
        GoVersion: sv.GoVersion ?? '',
        GitCommit: sv.GitCommit ?? '',
        BuildTime: sv.BuildTime ?? '',
        Os: sv.Os ?? '',
        Arch: sv.Arch ?? '',
        Experimental: String(sv.Experimental ?? false),
      },
    },
  ];
}

function versionText(apiVersion: string, sv: ServerVersion | undefined): string {
  let s = 'Client:\n';
  s += ` Version:\t${CLI_VERSION}\n`;
  s += ` API version:\t${apiVersion}${apiVersion !== MAX_API_VERSION ? ` (downgraded from ${MAX_API_VERSION})` : ''}\n`;
  s += ` Node version:\t${process.version}\n`;
  s += ` OS/Arch:\t${osArch()}\n`;
  s += ` Context:\t${CONTEXT}`;
  if (sv) {
    s += `\n\nServer:${sv.Platform?.Name ? ` ${sv.Platform.Name}` : ''}`;
    for (const c of components(sv)) {
      const d = c.Details;
      s += `\n ${c.Name}:`;
      if (c.Name === 'Engine') {
        s += `\n  Version:\t${c.Version}`;
        s += `\n  API version:\t${d.ApiVersion ?? ''} (minimum version ${d.MinAPIVersion ?? ''})`;
        s += `\n  Go version:\t${d.GoVersion ?? ''}`;
        s += `\n  Git commit:\t${d.GitCommit ?? ''}`;
        s += `\n  Built:\t${ansicDate(d.BuildTime ?? '')}`;
        s += `\n  OS/Arch:\t${d.Os ?? ''}/${d.Arch ?? ''}`;
        s += `\n  Experimental:\t${d.Experimental ?? ''}`;
      } else {
        s += `\n  Version:\t${c.Version}`;
        for (const k of Object.keys(d).sort()) s += `\n  ${k}:\t${d[k]}`;
      }
    }
  }
  return s; // the caller adds the final newline, as docker does after executing its template
}

/** The value `version -f` templates see: {Client, Server}, like docker's versionInfo. */
function versionValue(apiVersion: string, serverRaw: string | undefined): GoValue {
  const field = (name: string, value: GoValue, json = name): GoField => ({ name, json, omitempty: false, value });
  const client = new GoStruct('main.clientVersion', [
    field('Version', CLI_VERSION),
    field('APIVersion', apiVersion, 'ApiVersion'),
    field('DefaultAPIVersion', MAX_API_VERSION),
    field('NodeVersion', process.version),
    field('Os', process.platform),
    field('Arch', GOARCH[process.arch] ?? process.arch),
    field('Context', CONTEXT),
  ]);
  return new GoStruct('main.versionInfo', [
    field('Client', client),
    field('Server', serverRaw === undefined ? null : parseGoJSON(serverRaw)),
  ]);
}

const versionCommand: Command = {
  use: 'version [OPTIONS]',
  short: 'Show the Tether version information',
  flags: [{ name: 'format', short: 'f', kind: 'string', usage: INSPECT_FORMAT_HELP }],
  async run(ctx) {
    const format = ctx.flags.string('format');
    const tmpl = format ? parseTemplate(format === 'json' ? '{{json .}}' : format) : undefined;
    const client = ctx.client();
    let raw: string | undefined;
    let apiVersion = MAX_API_VERSION;
    let failure: unknown;
    try {
      apiVersion = await client.apiVersion();
      raw = (await client.request('GET', '/version')).body.toString('utf8');
    } catch (e) {
      failure = e;
    }
    const tw = new TabWriter(20, 1);
    if (tmpl) tw.write(tmpl.execute(versionValue(apiVersion, raw)));
    else tw.write(versionText(apiVersion, raw === undefined ? undefined : (JSON.parse(raw) as ServerVersion)));
    tw.write('\n');
    ctx.out(tw.flush());
    if (failure) throw failure;
  },
};

// ---------------------------------------------------------------------------------------------
// info

interface Info {
  ID?: string;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  Driver?: string;
  DriverStatus?: Array<[string, string]> | null;
  SystemStatus?: Array<[string, string]> | null;
  Plugins?: { Volume?: string[] | null; Network?: string[] | null; Authorization?: string[] | null; Log?: string[] | null };
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  Swarm?: { LocalNodeState?: string };
  Runtimes?: Record<string, unknown>;
  DefaultRuntime?: string;
  OSType?: string;
  InitBinary?: string;
  ContainerdCommit?: { ID?: string };
  RuncCommit?: { ID?: string };
  InitCommit?: { ID?: string };
  SecurityOptions?: string[] | null;
  KernelVersion?: string;
  OperatingSystem?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal?: number;
  Name?: string;
  DockerRootDir?: string;
  Debug?: boolean;
  HttpProxy?: string;
  HttpsProxy?: string;
  NoProxy?: string;
  Labels?: string[] | null;
  ExperimentalBuild?: boolean;
  RegistryConfig?: {
    InsecureRegistryCIDRs?: string[] | null;
    IndexConfigs?: Record<string, { Name: string; Secure: boolean }> | null;
    Mirrors?: string[] | null;
  } | null;
  LiveRestoreEnabled?: boolean;
  DefaultAddressPools?: Array<{ Base: string; Size: number }> | null;
  Warnings?: string[] | null;
}

/** go-units BytesSize: binary units, "%.4g" precision (25276514304 → "23.54GiB"). */
export function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

function infoText(info: Info): string {
  const lines: string[] = [];
  const line = (...parts: Array<string | number | boolean | undefined>): void => {
    lines.push(parts.map((p) => String(p ?? '')).join(' '));
  };
  const nonEmpty = (label: string, v: string | undefined): void => {
    if (v) line(label, v);
  };
  const num = (v: number | undefined): number => v ?? 0;
  line(' Containers:', num(info.Containers));
  line('  Running:', num(info.ContainersRunning));
  line('  Paused:', num(info.ContainersPaused));
  line('  Stopped:', num(info.ContainersStopped));
  line(' Images:', num(info.Images));
  nonEmpty(' Server Version:', (info as { ServerVersion?: string }).ServerVersion);
  nonEmpty(' Storage Driver:', info.Driver);
  for (const [k, v] of info.DriverStatus ?? []) lines.push(`  ${k}: ${v}`);
  for (const [k, v] of info.SystemStatus ?? []) lines.push(` ${k}: ${v}`);
  nonEmpty(' Logging Driver:', info.LoggingDriver);
  nonEmpty(' Cgroup Driver:', info.CgroupDriver);
  nonEmpty(' Cgroup Version:', info.CgroupVersion);
  const plugins = info.Plugins ?? {};
  line(' Plugins:');
  line('  Volume:', (plugins.Volume ?? []).join(' '));
  line('  Network:', (plugins.Network ?? []).join(' '));
  if (plugins.Authorization?.length) line('  Authorization:', plugins.Authorization.join(' '));
  line('  Log:', (plugins.Log ?? []).join(' '));
  line(' Swarm:', info.Swarm?.LocalNodeState ?? '');
  const runtimes = Object.keys(info.Runtimes ?? {}).sort(); // a Go map: docker's order is random
  if (runtimes.length) {
    line(' Runtimes:', runtimes.join(' '));
    line(' Default Runtime:', info.DefaultRuntime ?? '');
  }
  if (info.OSType === 'linux') {
    line(' Init Binary:', info.InitBinary ?? '');
    line(' containerd version:', info.ContainerdCommit?.ID ?? '');
    line(' runc version:', info.RuncCommit?.ID ?? '');
    line(' init version:', info.InitCommit?.ID ?? '');
    if (info.SecurityOptions?.length) {
      line(' Security Options:');
      for (const opt of info.SecurityOptions) {
        const kv = opt.includes('=') ? opt.split(',').map((p) => p.split('=') as [string, string?]) : [['name', opt] as [string, string]];
        lines.push(`  ${kv.find(([k]) => k === 'name')?.[1] ?? ''}`);
        for (const [k, v] of kv) if (k === 'profile') line('   Profile:', v ?? '');
      }
    }
  }
  nonEmpty(' Kernel Version:', info.KernelVersion);
  nonEmpty(' Operating System:', info.OperatingSystem);
  nonEmpty(' OSType:', info.OSType);
  nonEmpty(' Architecture:', info.Architecture);
  line(' CPUs:', num(info.NCPU));
  line(' Total Memory:', bytesSize(num(info.MemTotal)));
  nonEmpty(' Name:', info.Name);
  nonEmpty(' ID:', info.ID);
  line(' Docker Root Dir:', info.DockerRootDir ?? '');
  line(' Debug Mode:', info.Debug === true);
  nonEmpty(' HTTP Proxy:', info.HttpProxy);
  nonEmpty(' HTTPS Proxy:', info.HttpsProxy);
  nonEmpty(' No Proxy:', info.NoProxy);
  if (info.Labels?.length) {
    line(' Labels:');
    for (const l of info.Labels) lines.push(`  ${l}`);
  }
  line(' Experimental:', info.ExperimentalBuild === true);
  const reg = info.RegistryConfig;
  const indexConfigs = Object.keys(reg?.IndexConfigs ?? {}).sort();
  if (reg && ((reg.InsecureRegistryCIDRs?.length ?? 0) > 0 || indexConfigs.length > 0)) {
    line(' Insecure Registries:');
    for (const k of indexConfigs) if (reg.IndexConfigs?.[k]?.Secure === false) lines.push(`  ${reg.IndexConfigs[k].Name}`);
    for (const cidr of reg.InsecureRegistryCIDRs ?? []) lines.push(`  ${cidr}`);
  }
  if (reg?.Mirrors?.length) {
    line(' Registry Mirrors:');
    for (const m of reg.Mirrors) lines.push(`  ${m}`);
  }
  line(' Live Restore Enabled:', info.LiveRestoreEnabled === true);
  if (info.DefaultAddressPools?.length) {
    line(' Default Address Pools:');
    for (const p of info.DefaultAddressPools) lines.push(`   Base: ${p.Base}, Size: ${p.Size}`);
  }
  return lines.join('\n') + '\n\n';
}

async function runInfo(ctx: RunContext): Promise<void> {
  const format = ctx.flags.string('format');
  const client = ctx.client();
  if (format) {
    const tmpl = parseTemplate(format === 'json' ? '{{json .}}' : format);
    const raw = (await client.request('GET', '/info')).body.toString('utf8');
    ctx.out(tmpl.execute(parseGoJSON(raw)) + '\n');
    return;
  }
  ctx.out(`Client:\n Version:    ${CLI_VERSION}\n Context:    ${CONTEXT}\n Debug Mode: false\n\nServer:\n`);
  const info = await client.json<Info>('GET', '/info');
  ctx.out(infoText(info));
  for (const w of info.Warnings ?? []) ctx.err(`${w}\n`);
}

const infoCommand: Command = {
  use: 'info [OPTIONS]',
  short: 'Display system-wide information',
  flags: [{ name: 'format', short: 'f', kind: 'string', usage: INSPECT_FORMAT_HELP }],
  run: runInfo,
};

export const systemCommands: Command[] = [versionCommand, infoCommand];
