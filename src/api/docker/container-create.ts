// `POST /containers/create`: Docker's body (Config fields at the top level, HostConfig,
// NetworkingConfig) → a typed CreateContainerRequest. The docker CLI 28 sends ~90 fields, almost
// all empty ("", 0, null, [], {}); empty means unset. Everything that ends up in a kernel call or
// an /etc file is validated here, and every refusal is a 400 whose message names the field.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { CreateContainerRequest, PortBinding, WantedAttachment } from '../../model/container.js';
import { checkContainerName } from '../../engine/names.js';
import { isTetherError } from '../../errors.js';
import { endpointSettings, toEndpointRequest } from './connect.js';
import { parseBody, validationError } from './validate.js';

export type PortProto = 'tcp' | 'udp' | 'sctp';

/** "80", "80/tcp", "53/udp" → port and protocol (tcp when omitted); undefined when invalid. */
export function splitPortKey(key: string): { port: number; proto: PortProto } | undefined {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { port, proto: (m[2] ?? 'tcp') as PortProto };
}

function normalPortKey(key: string): string {
  const p = splitPortKey(key)!;
  return `${p.port}/${p.proto}`;
}

/** Host ports: "" (ephemeral), a port, or a range "8000-8010" the allocator picks from. "0" is
 * ephemeral too (Docker 20.10 programmed a DNAT to port 0 for it; later versions pick a port). */
function validHostPort(v: string): boolean {
  if (v === '') return true;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (m[2] === undefined) return lo <= 65535;
  return lo >= 1 && hi <= 65535 && lo <= hi;
}

function unbracket(ip: string): string {
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}

// Names that land in /etc/hosts, /etc/hostname and resolv.conf: no whitespace or control
// characters, so a value can never add a line to those files.
const HOSTNAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const SEARCH_DOMAIN = /^(\.|[a-zA-Z0-9_][a-zA-Z0-9_.-]*)$/;
const DNS_OPTION = /^[a-zA-Z0-9][a-zA-Z0-9_:.-]*$/;
const CONTAINER_REF = '[a-zA-Z0-9][a-zA-Z0-9_.-]*';
const LINK = new RegExp(`^/?(${CONTAINER_REF})(?::/?(?:${CONTAINER_REF}/)?(${CONTAINER_REF}))?$`);

/** "name:ip", "name=ip" (Docker ≥ 25) or "name:host-gateway" → "name:ip" as the engine stores it. */
export function parseExtraHost(v: string): string | undefined {
  const sep = /[:=]/.exec(v)?.index ?? -1;
  if (sep <= 0) return undefined;
  const name = v.slice(0, sep);
  const ip = unbracket(v.slice(sep + 1));
  if (!HOSTNAME.test(name) || name.length > 253) return undefined;
  if (ip !== 'host-gateway' && isIP(ip) === 0) return undefined;
  return `${name}:${ip}`;
}

// Docker's StrSlice: a JSON string or an array of strings.
const strSlice = z
  .union([z.string().transform((s) => [s]), z.array(z.string())])
  .nullish()
  .transform((v) => v ?? []);
const listOf = (re: RegExp, what: string) =>
  z
    .array(z.string().refine((s) => re.test(s) && s.length <= 253, (s) => ({ message: `invalid ${what} "${s}"` })))
    .nullish()
    .transform((v) => v ?? []);

const portKey = z
  .string()
  .refine((k) => splitPortKey(k) !== undefined, (k) => ({ message: `invalid port "${k}": expected PORT[/tcp|udp|sctp] with PORT in 1-65535` }));

const portBinding = z.object({
  HostIp: z
    .string()
    .nullish()
    .refine((ip) => !ip || isIP(unbracket(ip)) !== 0, (ip) => ({ message: `invalid IP address: ${ip}` })),
  HostPort: z
    .string()
    .nullish()
    .refine((p) => p == null || validHostPort(p), (p) => ({ message: `invalid hostPort: ${p}` })),
});

const hostConfig = z
  .object({
    NetworkMode: z.string().max(300).nullish(),
    PortBindings: z.record(portKey, z.array(portBinding).nullish()).nullish(),
    PublishAllPorts: z.boolean().nullish(),
    Links: z
      .array(z.string().refine((l) => LINK.test(l), (l) => ({ message: `invalid link "${l}": expected name or name:alias` })))
      .nullish(),
    Dns: z
      .array(z.string().refine((s) => isIP(s) !== 0, (s) => ({ message: `${s} is not an IP address` })))
      .nullish(),
    DnsSearch: listOf(SEARCH_DOMAIN, 'search domain'),
    DnsOptions: listOf(DNS_OPTION, 'DNS option'),
    ExtraHosts: z
      .array(z.string().refine((h) => parseExtraHost(h) !== undefined, (h) => ({ message: `invalid IP address in add-host: "${h}": expected name:ip or name:host-gateway` })))
      .nullish(),
    AutoRemove: z.boolean().nullish(),
    Runtime: z
      .string()
      .nullish()
      .refine((r) => !r || r === 'runc' || r === 'crun', (r) => ({ message: `Unknown runtime specified ${r}` })),
  })
  .passthrough();

const createBody = z
  .object({
    Hostname: z
      .string()
      .nullish()
      .refine((h) => !h || (HOSTNAME.test(h) && h.length <= 64), (h) => ({ message: `invalid hostname "${h}": at most 64 of [a-zA-Z0-9_.-], starting with a letter or digit` })),
    Domainname: z
      .string()
      .nullish()
      .refine((d) => !d || (HOSTNAME.test(d) && d.length <= 253), (d) => ({ message: `invalid domain name "${d}"` })),
    User: z.string().nullish(),
    AttachStdin: z.boolean().nullish(),
    AttachStdout: z.boolean().nullish(),
    AttachStderr: z.boolean().nullish(),
    ExposedPorts: z.record(portKey, z.unknown()).nullish(),
    Tty: z.boolean().nullish(),
    OpenStdin: z.boolean().nullish(),
    StdinOnce: z.boolean().nullish(),
    Env: z
      .array(z.string().refine((e) => /^[^=\0][^\0]*$/.test(e), (e) => ({ message: `invalid environment variable: ${e}` })))
      .nullish(),
    Cmd: strSlice,
    Entrypoint: strSlice,
    Image: z.string().min(1, 'an image is required'),
    WorkingDir: z
      .string()
      .nullish()
      .refine((w) => !w || w.startsWith('/'), (w) => ({ message: `the working directory '${w}' is invalid, it needs to be an absolute path` })),
    Labels: z.record(z.string()).nullish(),
    MacAddress: z.string().nullish(), // deprecated (API < 1.44): the primary network's MAC
    HostConfig: hostConfig.nullish(),
    NetworkingConfig: z.object({ EndpointsConfig: z.record(endpointSettings).nullish() }).passthrough().nullish(),
  })
  .passthrough();

type Body = z.output<typeof createBody>;

/** Fields that change what the container is or may do: silently ignoring a non-empty value
 * would run something other than what was asked, so those are refused. */
const REFUSED: Record<string, string> = {
  Binds: 'volumes are not supported by tether',
  Mounts: 'mounts are not supported by tether',
  VolumesFrom: 'volumes are not supported by tether',
  VolumeDriver: 'volumes are not supported by tether',
  Tmpfs: 'tmpfs mounts are not supported by tether',
  Privileged: 'privileged containers are not supported by tether',
  CapAdd: 'capability changes are not supported by tether',
  CapDrop: 'capability changes are not supported by tether',
  Devices: 'devices are not supported by tether',
  DeviceRequests: 'devices are not supported by tether',
  DeviceCgroupRules: 'devices are not supported by tether',
  SecurityOpt: 'security options are not supported by tether',
  MaskedPaths: 'custom masked paths are not supported by tether',
  ReadonlyPaths: 'custom read-only paths are not supported by tether',
  ReadonlyRootfs: 'read-only root filesystems are not supported by tether',
  IpcMode: 'IPC namespace modes are not supported by tether',
  PidMode: 'PID namespace modes are not supported by tether',
  UTSMode: 'UTS namespace modes are not supported by tether',
  UsernsMode: 'user namespace modes are not supported by tether',
  CgroupnsMode: 'cgroup namespace modes are not supported by tether',
  Sysctls: 'sysctls are not supported by tether',
  GroupAdd: 'additional groups are not supported by tether',
  RestartPolicy: 'restart policies are not supported by tether',
  Volumes: 'volumes are not supported by tether',
  NetworkDisabled: 'not supported by tether; use HostConfig.NetworkMode "none"',
};

/** Client-side or cosmetic fields: ignored without a word whatever their value. */
const SILENT = new Set(['ConsoleSize', 'ContainerIDFile', 'LogConfig', 'OnBuild', 'ArgsEscaped', 'Shell', 'Isolation', 'Platform']);

/** Values that mean "unset" for fields whose unset form is not a zero value. */
const NEUTRAL: Record<string, (v: unknown) => boolean> = {
  MemorySwappiness: (v) => v === -1 || v === null,
  RestartPolicy: (v) => {
    const r = v as { Name?: unknown; MaximumRetryCount?: unknown } | null;
    return r === null || ((r.Name === undefined || r.Name === '' || r.Name === 'no') && !r.MaximumRetryCount);
  },
  CgroupnsMode: (v) => v === '' || v === 'host' || v === 'private' || v === null,
  IpcMode: (v) => v === '' || v === 'private' || v === 'shareable' || v === null,
};

/** Zero values and empty collections; a map of empty objects (Volumes {"/data": {}}) is not empty. */
function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Refuses or warns about every non-empty field this daemon does not implement. */
function checkUnhandled(section: string, obj: Record<string, unknown>, handled: ReadonlySet<string>, warnings: string[]): void {
  for (const [key, value] of Object.entries(obj)) {
    if (handled.has(key) || SILENT.has(key)) continue;
    if (NEUTRAL[key] ? NEUTRAL[key](value) : isEmpty(value)) continue;
    const field = section ? `${section}.${key}` : key;
    const why = REFUSED[key];
    if (why !== undefined) throw validationError(`invalid ${field}: ${why}`);
    warnings.push(`${field} is not supported by tether and was ignored`);
  }
}

const HANDLED_CONFIG = new Set([...Object.keys(createBody.shape)]);
const HANDLED_HOST = new Set([...Object.keys(hostConfig.shape)]);

function networkMode(raw: string | null | undefined): string {
  const mode = raw || 'default';
  if (mode.startsWith('container:') && mode.length === 'container:'.length) {
    throw validationError('invalid HostConfig.NetworkMode: container: needs a container name or id');
  }
  return mode;
}

function portBindings(raw: Body['HostConfig']): Record<string, PortBinding[]> {
  const out: Record<string, PortBinding[]> = {};
  for (const [key, list] of Object.entries(raw?.PortBindings ?? {})) {
    const k = normalPortKey(key); // "80" and "80/tcp" are one port: merge their bindings
    out[k] = [...(out[k] ?? []), ...(list ?? []).map((b) => ({
      hostIp: b.HostIp ? unbracket(b.HostIp) : '',
      hostPort: b.HostPort === '0' ? '' : (b.HostPort ?? ''),
    }))];
  }
  return out;
}

function validIpamAddress(value: string | null | undefined, family: 4 | 6): boolean {
  return !value || isIP(value) === family;
}

/** EndpointsConfig: network ref → what the engine wants, with field-naming errors. */
function endpoints(b: Body, mode: string): CreateContainerRequest['endpoints'] {
  const out: CreateContainerRequest['endpoints'] = {};
  for (const [ref, es] of Object.entries(b.NetworkingConfig?.EndpointsConfig ?? {})) {
    const field = `NetworkingConfig.EndpointsConfig.${ref}`;
    if (!validIpamAddress(es.IPAMConfig?.IPv4Address, 4)) {
      throw validationError(`invalid ${field}.IPAMConfig.IPv4Address: ${es.IPAMConfig?.IPv4Address} is not an IPv4 address`);
    }
    if (!validIpamAddress(es.IPAMConfig?.IPv6Address, 6)) {
      throw validationError(`invalid ${field}.IPAMConfig.IPv6Address: ${es.IPAMConfig?.IPv6Address} is not an IPv6 address`);
    }
    try {
      const { ipv4, ipv6, mac, ...rest } = toEndpointRequest(es);
      const want: Omit<WantedAttachment, 'networkId'> = { ...rest };
      if (ipv4) want.ipv4 = ipv4;
      if (ipv6) want.ipv6 = ipv6;
      if (mac) want.mac = mac;
      out[ref] = want;
    } catch (e) {
      throw isTetherError(e) ? validationError(`${field}: ${e.message}`) : e;
    }
  }
  // The deprecated Config.MacAddress (20.10 client's --mac-address) is the primary network's MAC.
  if (b.MacAddress) {
    const { mac } = toEndpointRequest({ MacAddress: b.MacAddress });
    const primary = out[mode] ?? { aliases: [], links: [], driverOpts: {} };
    out[mode] = { ...primary, mac: primary.mac ?? mac };
  }
  return out;
}

function normalLink(l: string): string {
  const m = LINK.exec(l)!;
  return `${m[1]}:${m[2] ?? m[1]}`;
}

export interface ParsedCreate {
  request: CreateContainerRequest;
  /** Docker's `Warnings`: fields that were accepted but have no effect here. */
  warnings: string[];
}

/** Validates a `POST /containers/create` body and its `name` query parameter. */
export function parseCreateContainer(body: unknown, name: string | null): ParsedCreate {
  const b = parseBody(createBody, body);
  const warnings: string[] = [];
  checkUnhandled('', b, HANDLED_CONFIG, warnings);
  const hc = b.HostConfig;
  if (hc) checkUnhandled('HostConfig', hc, HANDLED_HOST, warnings);
  const mode = networkMode(hc?.NetworkMode);
  const request: CreateContainerRequest = {
    config: {
      image: b.Image,
      cmd: b.Cmd,
      entrypoint: b.Entrypoint,
      env: b.Env ?? [],
      workingDir: b.WorkingDir ?? '',
      user: b.User ?? '',
      tty: b.Tty ?? false,
      openStdin: b.OpenStdin ?? false,
      stdinOnce: b.StdinOnce ?? false,
      attachStdin: b.AttachStdin ?? false,
      attachStdout: b.AttachStdout ?? false,
      attachStderr: b.AttachStderr ?? false,
      hostname: b.Hostname ?? '',
      domainname: b.Domainname ?? '',
      labels: b.Labels ?? {},
      // Sorted: JS objects list integer-like keys ("90") first, whatever the client sent.
      exposedPorts: [...new Set(Object.keys(b.ExposedPorts ?? {}).map(normalPortKey))].sort(),
    },
    hostConfig: {
      networkMode: mode,
      portBindings: portBindings(hc),
      publishAllPorts: hc?.PublishAllPorts ?? false,
      links: (hc?.Links ?? []).map(normalLink),
      dns: hc?.Dns ?? [],
      dnsSearch: hc?.DnsSearch ?? [],
      dnsOptions: hc?.DnsOptions ?? [],
      extraHosts: (hc?.ExtraHosts ?? []).map((h) => parseExtraHost(h)!),
      autoRemove: hc?.AutoRemove ?? false,
      runtime: hc?.Runtime ?? '',
    },
    endpoints: endpoints(b, mode),
  };
  if (name) request.name = checkContainerName(name);
  return { request, warnings };
}
