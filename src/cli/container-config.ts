// docker's parse() for `run`/`create`: turn the container flags into the POST /containers/create
// body (container.CreateRequest: Config fields, HostConfig, NetworkingConfig), in the exact field
// order, nil-vs-empty choices and validation order of the docker CLI 28, so the request bytes are
// identical. Fields for options tether does not offer keep docker's zero values.

import type { ParsedFlags } from './args.js';
import { endpointSettings } from './endpoint.js';
import { parsePorts } from './portspec.js';
import { readEnvFiles } from './validators.js';

/** A parse failure; `run` prints it as `tether: <message>` + the --help hint, exit 125. */
export class ConfigError extends Error {}

interface NetworkAttachment {
  target: string;
  aliases: string[];
  links: string[];
  ipv4: string;
  ipv6: string;
  mac: string;
  linkLocalIPs: string[];
  driverOpts: Record<string, string> | null;
  gwPriority: number;
}

/** container.NetworkMode(n).IsUserDefined() */
export function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && mode.split(':')[0] !== 'container';
}

/** opts.NetworkOpt.Set: `name` or the CSV long syntax `name=x,alias=y,ip=…`. */
function parseNetworkOpt(value: string): NetworkAttachment {
  const n: NetworkAttachment = {
    target: value,
    aliases: [],
    links: [],
    ipv4: '',
    ipv6: '',
    mac: '',
    linkLocalIPs: [],
    driverOpts: null,
    gwPriority: 0,
  };
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return n;
  n.target = '';
  for (const field of value.split(',')) {
    // docker lower-cases the whole field (keys and values) here.
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw new ConfigError(`invalid field ${field}`);
    const key = lower.slice(0, eq).trim();
    const val = lower.slice(eq + 1).trim();
    if (key === 'name') n.target = val;
    else if (key === 'alias') n.aliases.push(val);
    else if (key === 'ip') n.ipv4 = val;
    else if (key === 'ip6') n.ipv6 = val;
    else if (key === 'mac-address') n.mac = val;
    else if (key === 'link-local-ip') n.linkLocalIPs.push(val);
    else if (key === 'driver-opt') {
      const deq = val.indexOf('=');
      if (deq <= 0) throw new ConfigError('invalid key value pair format in driver options');
      n.driverOpts = { ...n.driverOpts, [val.slice(0, deq).trim()]: val.slice(deq + 1).trim() };
    } else if (key === 'gw-priority') {
      if (!/^[-+]?\d+$/.test(val)) throw new ConfigError(`invalid gw-priority (${val}): invalid syntax`);
      n.gwPriority = Number(val);
    } else throw new ConfigError(`invalid field key ${key}`);
  }
  if (n.target === '') throw new ConfigError('network name/id is not specified');
  return n;
}

/** applyContainerOptions: the top-level --network-alias/--link/--ip… apply to the first network. */
function applyContainerOptions(n: NetworkAttachment, flags: ParsedFlags): void {
  const aliases = [...flags.list('network-alias'), ...flags.list('net-alias')];
  const links = flags.list('link');
  const linkLocal = flags.list('link-local-ip');
  const conflict = (what: string): never => {
    throw new ConfigError(`conflicting options: cannot specify both ${what}`);
  };
  if (n.aliases.length && aliases.length) conflict('--network-alias and per-network alias');
  if (n.links.length && links.length) conflict('--link and per-network links');
  if (n.ipv4 && flags.string('ip')) conflict('--ip and per-network IPv4 address');
  if (n.ipv6 && flags.string('ip6')) conflict('--ip6 and per-network IPv6 address');
  if (n.mac && flags.string('mac-address')) conflict('--mac-address and per-network MAC address');
  if (n.linkLocalIPs.length && linkLocal.length) conflict('--link-local-ip and per-network link-local IP addresses');
  if (aliases.length) n.aliases = aliases;
  if (isUserDefined(n.target) && links.length) n.links = links;
  n.ipv4 ||= flags.string('ip');
  n.ipv6 ||= flags.string('ip6');
  n.mac ||= flags.string('mac-address');
  if (linkLocal.length) n.linkLocalIPs = linkLocal;
}

const MAC = /^[0-9a-fA-F]{2}([:-])(?:[0-9a-fA-F]{2}\1){4}[0-9a-fA-F]{2}$/;

/** parseNetworkAttachmentOpt → EndpointSettings, or undefined when it carries nothing. */
function endpointFor(n: NetworkAttachment): Record<string, unknown> | undefined {
  if (n.target.trim() === '') throw new ConfigError('no name set for network');
  if (!isUserDefined(n.target)) {
    if (n.aliases.length) throw new ConfigError('network-scoped aliases are only supported for user-defined networks');
    if (n.links.length) throw new ConfigError('links are only supported for user-defined networks');
  }
  if (n.mac && !MAC.test(n.mac.trim())) throw new ConfigError(`${n.mac} is not a valid mac address`);
  const hasIPAM = n.ipv4 !== '' || n.ipv6 !== '' || n.linkLocalIPs.length > 0;
  const empty = !hasIPAM && !n.aliases.length && !n.links.length && !n.mac && !n.driverOpts && n.gwPriority === 0;
  if (empty) return undefined;
  return endpointSettings({
    ipam: hasIPAM ? { IPv4Address: n.ipv4, IPv6Address: n.ipv6, LinkLocalIPs: n.linkLocalIPs } : null,
    links: n.links.length ? n.links : null,
    aliases: n.aliases.length ? n.aliases : null,
    macAddress: n.mac,
    driverOpts: n.driverOpts,
    gwPriority: n.gwPriority,
  });
}

/** parseNetworkOpts: the EndpointsConfig map (`default` when no --network is given). */
function endpointsConfig(flags: ParsedFlags): Record<string, unknown> {
  const nets = [...flags.list('network'), ...flags.list('net')].map(parseNetworkOpt);
  const endpoints: Record<string, unknown> = {};
  const blank = (): Record<string, unknown> =>
    endpointSettings({ ipam: null, links: null, aliases: null, driverOpts: null });
  if (nets.length === 0) {
    const n = parseNetworkOpt('default');
    applyContainerOptions(n, flags);
    endpoints.default = endpointFor(n) ?? blank();
  }
  let userDefined = false;
  let other = false;
  nets.forEach((n, i) => {
    if (isUserDefined(n.target)) userDefined = true;
    else other = true;
    if (i === 0) applyContainerOptions(n, flags);
    const ep = endpointFor(n);
    if (n.target in endpoints) throw new ConfigError(`network ${JSON.stringify(n.target)} is specified multiple times`);
    // A lone network without options is left to the daemon (docker omits its endpoint).
    if (i === 0 && nets.length === 1 && !ep) return;
    endpoints[n.target] = ep ?? blank();
  });
  if (userDefined && other) {
    throw new ConfigError('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  }
  return endpoints;
}

/** opts.ParseRestartPolicy */
function restartPolicy(policy: string): { Name: string; MaximumRetryCount: number } {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = policy.indexOf(':');
  const name = colon < 0 ? policy : policy.slice(0, colon);
  const count = colon < 0 ? '' : policy.slice(colon + 1);
  if (colon >= 0 && name === '') throw new ConfigError('invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[-+]?\d+$/.test(count)) {
    throw new ConfigError('invalid restart policy format: maximum retry count must be an integer');
  }
  return { Name: name, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

/** Go marshals maps with sorted keys; build objects in that order. */
function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const list = [...entries].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(list);
}

/** opts.ConvertKVStringsToMap: `k=v` → k:v, `k` → k:"" (later keys win). */
function kvMap(items: string[]): Record<string, string> {
  const m = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    m.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return sortedObject(m);
}

/** docker's run/create env handling: proxy-config merge through a map (dedupes `K=…`, last wins). */
function envList(items: string[]): string[] | null {
  if (items.length === 0) return null;
  const m = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    m.set(eq < 0 ? item : item.slice(0, eq), item);
  }
  return [...m.values()];
}

export interface CreateRequest {
  /** The body of POST /containers/create, key order as docker sends it. */
  body: Record<string, unknown> & { HostConfig: Record<string, unknown> };
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  tty: boolean;
  openStdin: boolean;
  autoRemove: boolean;
  /** Whether any endpoint sets a MAC address (refused by the client below API 1.44). */
  endpointMac: boolean;
}

/** Build the create request from the parsed flags and `IMAGE [COMMAND] [ARG...]`; throws ConfigError. */
export function buildCreateRequest(flags: ParsedFlags, args: string[]): CreateRequest {
  const attach = flags.list('attach');
  const mac = flags.string('mac-address');
  if (mac !== '' && !MAC.test(mac.trim())) throw new ConfigError(`${mac} is not a valid mac address`);
  const attachStdin = attach.includes('stdin') || flags.bool('interactive');
  const attachStdout = attach.length === 0 || attach.includes('stdout');
  const attachStderr = attach.length === 0 || attach.includes('stderr');

  let ports;
  try {
    readEnvFiles(flags.list('env-file'), []); // fail early, in docker's order
    ports = parsePorts(flags.list('publish'), flags.list('expose'));
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const restart = restartPolicy(flags.string('restart'));
  const autoRemove = flags.bool('rm');
  if (autoRemove && restart.Name !== 'no' && restart.Name !== '') {
    throw new ConfigError('conflicting options: cannot specify both --restart and --rm');
  }
  const endpoints = endpointsConfig(flags);
  const networks = [...flags.list('network'), ...flags.list('net')];
  const networkMode = networks.length ? parseNetworkOpt(networks[0] as string).target : 'default';
  const main = endpoints[networkMode] as { MacAddress?: string } | undefined;

  const entrypoint = flags.string('entrypoint');
  const openStdin = flags.bool('interactive');
  const list = (name: string): string[] | null => (flags.list(name).length ? flags.list(name) : null);
  const exposed = [...ports.exposed];
  const body = {
    Hostname: flags.string('hostname'),
    Domainname: flags.string('domainname'),
    User: flags.string('user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ExposedPorts: exposed.length ? sortedObject(exposed.map((p) => [p, {}])) : undefined,
    Tty: flags.bool('tty'),
    OpenStdin: openStdin,
    // When allocating stdin in attached mode, close stdin at client disconnect.
    StdinOnce: openStdin && attachStdin,
    Env: envList(readEnvFiles(flags.list('env-file'), flags.list('env'))),
    Cmd: args.length > 1 ? args.slice(1) : null,
    Image: args[0] ?? '',
    Volumes: {},
    WorkingDir: flags.string('workdir'),
    Entrypoint: entrypoint !== '' ? [entrypoint] : flags.changed('entrypoint') ? [''] : null,
    MacAddress: main?.MacAddress || undefined,
    OnBuild: null,
    Labels: kvMap(flags.list('label')),
    StopSignal: flags.string('stop-signal') || undefined,
    StopTimeout: flags.changed('stop-timeout') ? flags.int('stop-timeout') : undefined,
    HostConfig: hostConfig(flags, { networkMode, autoRemove, restart, bindings: ports.bindings }),
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
  const endpointMac = Object.values(endpoints).some((e) => (e as { MacAddress?: string }).MacAddress);
  return {
    body,
    attachStdin,
    attachStdout,
    attachStderr,
    tty: body.Tty,
    openStdin,
    autoRemove,
    endpointMac,
  };

  function hostConfig(
    f: ParsedFlags,
    o: { networkMode: string; autoRemove: boolean; restart: object; bindings: Map<string, unknown[]> },
  ): Record<string, unknown> {
    const initChanged = f.changed('init');
    return {
      Binds: null,
      ContainerIDFile: '',
      LogConfig: { Type: '', Config: {} },
      NetworkMode: o.networkMode,
      PortBindings: sortedObject(o.bindings),
      RestartPolicy: o.restart,
      AutoRemove: o.autoRemove,
      VolumeDriver: '',
      VolumesFrom: null,
      ConsoleSize: [0, 0],
      CapAdd: list('cap-add'),
      CapDrop: list('cap-drop'),
      CgroupnsMode: '',
      Dns: f.list('dns'),
      DnsOptions: [...f.list('dns-option'), ...f.list('dns-opt')],
      DnsSearch: f.list('dns-search'),
      ExtraHosts: list('add-host'),
      GroupAdd: null,
      IpcMode: '',
      Cgroup: '',
      Links: list('link'),
      OomScoreAdj: 0,
      PidMode: '',
      Privileged: f.bool('privileged'),
      PublishAllPorts: f.bool('publish-all'),
      ReadonlyRootfs: false,
      SecurityOpt: null,
      UTSMode: '',
      UsernsMode: '',
      ShmSize: 0,
      Runtime: f.string('runtime') || undefined,
      Isolation: '',
      CpuShares: 0,
      Memory: 0,
      NanoCpus: 0,
      CgroupParent: '',
      BlkioWeight: 0,
      BlkioWeightDevice: [],
      BlkioDeviceReadBps: [],
      BlkioDeviceWriteBps: [],
      BlkioDeviceReadIOps: [],
      BlkioDeviceWriteIOps: [],
      CpuPeriod: 0,
      CpuQuota: 0,
      CpuRealtimePeriod: 0,
      CpuRealtimeRuntime: 0,
      CpusetCpus: '',
      CpusetMems: '',
      Devices: [],
      DeviceCgroupRules: null,
      DeviceRequests: null,
      MemoryReservation: 0,
      MemorySwap: 0,
      MemorySwappiness: -1,
      OomKillDisable: false,
      PidsLimit: 0,
      Ulimits: [],
      CpuCount: 0,
      CpuPercent: 0,
      IOMaximumIOps: 0,
      IOMaximumBandwidth: 0,
      MaskedPaths: null,
      ReadonlyPaths: null,
      Init: initChanged ? f.bool('init') : undefined,
    };
  }
}
