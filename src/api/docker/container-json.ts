// Docker's container JSON: `GET /containers/{id}/json` and the items of `GET /containers/json`,
// from a ContainerRecord plus what the engine knows about it now (its endpoints, its sandbox).
// Key order, null-vs-{} and the legacy top-level network fields follow dockerd
// (10-api-trace/04-exec-lifecycle.log, INDEX 02/03/05). Go marshals maps with sorted keys, so
// every map-valued field (Networks, Ports, ExposedPorts) is emitted sorted.
import type { ContainerRecord, ContainerState, WantedAttachment } from '../../model/container.js';
import type { EndpointRecord } from '../../model/endpoint.js';
import type { NetworkRecord } from '../../model/network.js';
import { splitPortKey } from './container-create.js';

/** Everything the converters need besides the record; the routes assemble it from the engine. */
export interface ContainerView {
  c: ContainerRecord;
  /** The live endpoints with their networks (ContainerNetworking.attached); [] when stopped. */
  attached: Array<{ ep: EndpointRecord; net: NetworkRecord }>;
  /** A wanted network's record by id (a stopped container has no endpoints to read it from). */
  network: (id: string) => NetworkRecord | undefined;
  etc: { hosts: string; resolvConf: string; hostname: string };
  logPath: string;
  /** The netns path of a running container's sandbox ('' when it has none). */
  sandboxKey: string;
  /** The runtime that runs (or would run) it, for HostConfig.Runtime. */
  runtime: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Date.parse of RFC 3339 with nanoseconds (JS keeps milliseconds). */
function millis(t: string): number {
  return Date.parse(t.replace(/(\.\d{3})\d+/, '$1'));
}

function isZero(t: string): boolean {
  return !t || t.startsWith('0001-01-01');
}

function sortedObject<T>(entries: Array<[string, T]>): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isRunning(s: ContainerState): boolean {
  return s.status === 'running' || s.status === 'paused' || s.status === 'restarting';
}

function isSharedNetns(c: ContainerRecord): boolean {
  return c.hostConfig.networkMode.startsWith('container:');
}

/** go-units HumanDuration, which `docker ps` STATUS uses ("Up 3 seconds", "About a minute"). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** Docker's State.String(): the STATUS column. */
export function statusText(s: ContainerState, now: number): string {
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(now - millis(s.startedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - millis(s.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(now - millis(s.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      return isZero(s.finishedAt) ? '' : `Exited (${s.exitCode}) ${humanDuration(now - millis(s.finishedAt))} ago`;
  }
}

/** NetworkSettings.Ports: every exposed port of a running container, null when unpublished. */
function portsJson(v: ContainerView): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const { c } = v;
  if (!isRunning(c.state) || isSharedNetns(c) || c.hostConfig.networkMode === 'host' || c.hostConfig.networkMode === 'none') return {};
  const map = new Map<string, Array<{ HostIp: string; HostPort: string }> | null>(c.config.exposedPorts.map((k) => [k, null]));
  for (const p of c.published ?? []) {
    const key = `${p.containerPort}/${p.proto}`;
    map.set(key, [...(map.get(key) ?? []), { HostIp: p.hostIp, HostPort: String(p.hostPort) }]);
  }
  return sortedObject([...map]);
}

interface EndpointJsonOpts {
  /** `GET /containers/json` shows Aliases as null (dockerd 20.10's list does). */
  list: boolean;
}

/** Docker's EndpointSettings for one network, live (ep) or as wanted by a stopped container. */
function endpointJson(v: ContainerView, net: NetworkRecord, want: WantedAttachment | undefined, ep: EndpointRecord | undefined, o: EndpointJsonOpts) {
  const { c } = v;
  const shortId = c.id.slice(0, 12);
  const ipv4 = want?.ipv4 ?? ep?.requestedIpv4;
  const ipv6 = want?.ipv6 ?? ep?.requestedIpv6;
  const linkLocal = want?.linkLocalIPs ?? ep?.linkLocalIPs ?? [];
  const userNet = !net.predefined;
  // A container that ran once keeps the NetworkID after it stops (05 transcript); one that
  // never started shows it empty.
  const everStarted = !isZero(c.state.startedAt);
  const userAliases = want?.aliases ?? ep?.aliases ?? [];
  // On user networks the daemon adds the short id and a user-given hostname (INDEX 03/04) when
  // the endpoint is first built, at start: before that Docker 20.10 shows the user's own only.
  const aliases = !userNet ? null
    : ep || everStarted ? [...new Set([...userAliases, shortId, c.config.hostname].filter(Boolean))]
    : userAliases.length > 0 ? userAliases : null;
  const links = want?.links ?? [];
  const driverOpts = want?.driverOpts ?? {};
  return {
    IPAMConfig: ipv4 || ipv6 || linkLocal.length > 0
      ? { ...(ipv4 ? { IPv4Address: ipv4 } : {}), ...(ipv6 ? { IPv6Address: ipv6 } : {}), ...(linkLocal.length > 0 ? { LinkLocalIPs: linkLocal } : {}) }
      : null,
    Links: links.length > 0 ? links : null,
    Aliases: o.list ? null : aliases,
    NetworkID: ep || everStarted ? net.id : '',
    EndpointID: ep?.id ?? '',
    Gateway: ep?.gateway4 ?? '',
    IPAddress: ep?.ipv4 ?? '',
    IPPrefixLen: ep?.ipv4 ? (ep.prefix4 ?? 0) : 0,
    IPv6Gateway: ep?.gateway6 ?? '',
    GlobalIPv6Address: ep?.ipv6 ?? '',
    GlobalIPv6PrefixLen: ep?.ipv6 ? (ep.prefix6 ?? 0) : 0,
    MacAddress: ep?.mac ?? '',
    DriverOpts: Object.keys(driverOpts).length > 0 ? driverOpts : null,
    DNSNames: ep && userNet ? ep.dnsNames : null,
  };
}

/** NetworkSettings.Networks: wanted networks in order, with live data where an endpoint exists. */
function networksJson(v: ContainerView, o: EndpointJsonOpts) {
  if (isSharedNetns(v.c)) return {}; // container:X shows nothing of X's (INDEX 02)
  const entries: Array<[string, ReturnType<typeof endpointJson>]> = [];
  const seen = new Set<string>();
  for (const want of v.c.networks) {
    const live = v.attached.find((a) => a.ep.networkId === want.networkId);
    const net = live?.net ?? v.network(want.networkId);
    if (!net) continue;
    seen.add(net.id);
    entries.push([net.name, endpointJson(v, net, want, live?.ep, o)]);
  }
  for (const { ep, net } of v.attached) {
    if (!seen.has(net.id)) entries.push([net.name, endpointJson(v, net, undefined, ep, o)]);
  }
  return sortedObject(entries);
}

/** The default bridge's endpoint fills the legacy top-level fields; others leave them empty. */
function defaultBridgeEndpoint(v: ContainerView): EndpointRecord | undefined {
  return v.attached.find(({ net }) => net.predefined && net.driver === 'bridge')?.ep;
}

function networkSettingsJson(v: ContainerView) {
  const running = isRunning(v.c.state) && !isSharedNetns(v.c);
  const ep = defaultBridgeEndpoint(v);
  return {
    Bridge: '',
    SandboxID: running ? v.c.id : '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: portsJson(v),
    SandboxKey: running ? v.sandboxKey : '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: ep?.id ?? '',
    Gateway: ep?.gateway4 ?? '',
    GlobalIPv6Address: ep?.ipv6 ?? '',
    GlobalIPv6PrefixLen: ep?.ipv6 ? (ep.prefix6 ?? 0) : 0,
    IPAddress: ep?.ipv4 ?? '',
    IPPrefixLen: ep?.ipv4 ? (ep.prefix4 ?? 0) : 0,
    IPv6Gateway: ep?.gateway6 ?? '',
    MacAddress: ep?.mac ?? '',
    Networks: networksJson(v, { list: false }),
  };
}

/** HostConfig.Links in Docker's stored form: "/target:/name/alias". */
function linksJson(c: ContainerRecord): string[] | null {
  if (c.hostConfig.links.length === 0) return null;
  return c.hostConfig.links.map((l) => {
    const [target, alias] = l.split(':');
    return `/${target}:/${c.name}/${alias ?? target}`;
  });
}

// dockerd's defaults for the HostConfig fields this daemon does not implement (refused or
// ignored at create), so clients that read them find the values they expect.
const MASKED_PATHS = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function hostConfigJson(v: ContainerView) {
  const hc = v.c.hostConfig;
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: hc.networkMode,
    PortBindings: sortedObject(Object.entries(hc.portBindings).map(([k, bs]) => [k, bs.map((b) => ({ HostIp: b.hostIp, HostPort: b.hostPort }))])),
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: hc.autoRemove,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: 'host',
    Dns: hc.dns,
    DnsOptions: hc.dnsOptions,
    DnsSearch: hc.dnsSearch,
    ExtraHosts: hc.extraHosts.length > 0 ? hc.extraHosts : null,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: linksJson(v.c),
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: hc.publishAllPorts,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 67108864,
    Runtime: v.runtime,
    ConsoleSize: [0, 0],
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
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: MASKED_PATHS,
    ReadonlyPaths: READONLY_PATHS,
  };
}

function configJson(c: ContainerRecord) {
  const cfg = c.config;
  return {
    Hostname: cfg.hostname,
    Domainname: cfg.domainname,
    User: cfg.user,
    AttachStdin: cfg.attachStdin,
    AttachStdout: cfg.attachStdout,
    AttachStderr: cfg.attachStderr,
    ...(cfg.exposedPorts.length > 0 ? { ExposedPorts: sortedObject(cfg.exposedPorts.map((k) => [k, {}])) } : {}),
    Tty: cfg.tty,
    OpenStdin: cfg.openStdin,
    StdinOnce: cfg.stdinOnce,
    Env: cfg.env.length > 0 ? cfg.env : null,
    Cmd: cfg.cmd.length > 0 ? cfg.cmd : null,
    Image: cfg.image,
    Volumes: null,
    WorkingDir: cfg.workingDir,
    Entrypoint: cfg.entrypoint.length > 0 ? cfg.entrypoint : null,
    OnBuild: null,
    Labels: cfg.labels,
  };
}

function argv(c: ContainerRecord): string[] {
  return [...c.config.entrypoint, ...c.config.cmd];
}

/** `GET /containers/{id}/json`. */
export function toContainerInspect(v: ContainerView) {
  const { c } = v;
  const s = c.state;
  const [path = '', ...args] = argv(c);
  return {
    Id: c.id,
    Created: c.created,
    Path: path,
    Args: args,
    State: {
      Status: s.status,
      Running: isRunning(s),
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: false,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt || ZERO_TIME,
      FinishedAt: s.finishedAt || ZERO_TIME,
    },
    Image: c.config.imageId,
    ResolvConfPath: v.etc.resolvConf,
    HostnamePath: v.etc.hostname,
    HostsPath: v.etc.hosts,
    LogPath: v.logPath,
    Name: `/${c.name}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigJson(v),
    GraphDriver: { Data: {}, Name: 'overlay2' },
    Mounts: [],
    Config: configJson(c),
    NetworkSettings: networkSettingsJson(v),
  };
}

/** The Ports array of the list: published bindings, then exposed ports nobody published. */
function listPorts(v: ContainerView) {
  const ports = portsJson(v);
  return Object.entries(ports).flatMap(([key, bindings]) => {
    const spec = splitPortKey(key);
    if (!spec) return [];
    if (bindings === null) return [{ PrivatePort: spec.port, Type: spec.proto }];
    return bindings.map((b) => ({ IP: b.HostIp, PrivatePort: spec.port, PublicPort: Number(b.HostPort), Type: spec.proto }));
  });
}

/** One item of `GET /containers/json`. */
export function toContainerSummary(v: ContainerView, now: number = Date.now()) {
  const { c } = v;
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.config.image,
    ImageID: c.config.imageId,
    Command: argv(c).join(' '),
    Created: Math.floor(millis(c.created) / 1000),
    Ports: listPorts(v),
    Labels: c.config.labels,
    State: c.state.status,
    Status: statusText(c.state, now),
    HostConfig: { NetworkMode: c.hostConfig.networkMode },
    NetworkSettings: { Networks: networksJson(v, { list: true }) },
    Mounts: [],
  };
}
