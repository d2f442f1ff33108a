import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from '../../model/container.js';
import type { EndpointRecord } from '../../model/endpoint.js';
import { NETWORK_DEFAULTS, type NetworkRecord } from '../../model/network.js';
import { humanDuration, statusText, toContainerInspect, toContainerSummary, type ContainerView } from './container-json.js';

// dockerd 20.10 answers, verbatim from reference/docker/10-api-trace/04-exec-lifecycle.log:
// GET /containers/trace-x/json, GET /containers/trace-web/json and GET /containers/json.
const TRACE_INSPECT_X = "{\"Id\":\"6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c\",\"Created\":\"2026-11-23T03:33:03.176582924Z\",\"Path\":\"sleep\",\"Args\":[\"300\"],\"State\":{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":6224,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"2026-11-23T03:33:03.392413467Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"},\"Image\":\"sha256:c04f09cdff25d726904f2c85982da1d0eec45b93d88992dd15a7f7544dfaa4cc\",\"ResolvConfPath\":\"/var/lib/docker/containers/6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c/resolv.conf\",\"HostnamePath\":\"/var/lib/docker/containers/6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c/hostname\",\"HostsPath\":\"/var/lib/docker/containers/6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c/hosts\",\"LogPath\":\"/var/lib/docker/containers/6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c/6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c-json.log\",\"Name\":\"/trace-x\",\"RestartCount\":0,\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"MountLabel\":\"\",\"ProcessLabel\":\"\",\"AppArmorProfile\":\"\",\"ExecIDs\":null,\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"host\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"private\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":67108864,\"Runtime\":\"runc\",\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":null,\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":[\"/proc/asound\",\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmware\"],\"ReadonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]},\"GraphDriver\":{\"Data\":{\"LowerDir\":\"/var/lib/docker/overlay2/9fdc43766e1e7774fee1058b72c2c3a98de3ad409e2d1845ec308f49e666e717-init/diff:/var/lib/docker/overlay2/64827b26327f151cf31e5c961cd7434c77990015755bdc4546618d59d268f2a5/diff\",\"MergedDir\":\"/var/lib/docker/overlay2/9fdc43766e1e7774fee1058b72c2c3a98de3ad409e2d1845ec308f49e666e717/merged\",\"UpperDir\":\"/var/lib/docker/overlay2/9fdc43766e1e7774fee1058b72c2c3a98de3ad409e2d1845ec308f49e666e717/diff\",\"WorkDir\":\"/var/lib/docker/overlay2/9fdc43766e1e7774fee1058b72c2c3a98de3ad409e2d1845ec308f49e666e717/work\"},\"Name\":\"overlay2\"},\"Mounts\":[],\"Config\":{\"Hostname\":\"6942fc0ef920\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"sleep\",\"300\"],\"Image\":\"busybox:latest\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"NetworkSettings\":{\"Bridge\":\"\",\"SandboxID\":\"172dedf07e8e045d99c923277d0d1fb60db7d405308eaa3a59432e21cd50484b\",\"HairpinMode\":false,\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{},\"SandboxKey\":\"/var/run/docker/netns/172dedf07e8e\",\"SecondaryIPAddresses\":null,\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"c73708d168f2de6346aed843858f2d09d82399e37b391839e70a1b6b22e1d80f\",\"Gateway\":\"172.17.0.1\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"172.17.0.2\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"MacAddress\":\"02:42:ac:11:00:02\",\"Networks\":{\"bridge\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"NetworkID\":\"1ac369c2887c83e701abd9d597801782631c7c9c68fda5aef36b268b59d56f8f\",\"EndpointID\":\"c73708d168f2de6346aed843858f2d09d82399e37b391839e70a1b6b22e1d80f\",\"Gateway\":\"172.17.0.1\",\"IPAddress\":\"172.17.0.2\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:ac:11:00:02\",\"DriverOpts\":null}}}}";
const TRACE_INSPECT_WEB = "{\"Id\":\"134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079\",\"Created\":\"2026-11-23T03:33:07.532148094Z\",\"Path\":\"httpd\",\"Args\":[\"-f\",\"-p\",\"80\",\"-h\",\"/www\"],\"State\":{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":6868,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"2026-11-23T03:33:07.815968004Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"},\"Image\":\"sha256:c04f09cdff25d726904f2c85982da1d0eec45b93d88992dd15a7f7544dfaa4cc\",\"ResolvConfPath\":\"/var/lib/docker/containers/134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079/resolv.conf\",\"HostnamePath\":\"/var/lib/docker/containers/134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079/hostname\",\"HostsPath\":\"/var/lib/docker/containers/134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079/hosts\",\"LogPath\":\"/var/lib/docker/containers/134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079/134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079-json.log\",\"Name\":\"/trace-web\",\"RestartCount\":0,\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"MountLabel\":\"\",\"ProcessLabel\":\"\",\"AppArmorProfile\":\"\",\"ExecIDs\":null,\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}},\"NetworkMode\":\"trace-net\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"host\",\"Dns\":[\"1.1.1.1\"],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":[\"foo:1.2.3.4\"],\"GroupAdd\":null,\"IpcMode\":\"private\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":67108864,\"Runtime\":\"runc\",\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":null,\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":[\"/proc/asound\",\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmware\"],\"ReadonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]},\"GraphDriver\":{\"Data\":{\"LowerDir\":\"/var/lib/docker/overlay2/62406a9615c449081754d32e8c1b4cdf9a900e0e9998472c48d68a4b7a25e61c-init/diff:/var/lib/docker/overlay2/64827b26327f151cf31e5c961cd7434c77990015755bdc4546618d59d268f2a5/diff\",\"MergedDir\":\"/var/lib/docker/overlay2/62406a9615c449081754d32e8c1b4cdf9a900e0e9998472c48d68a4b7a25e61c/merged\",\"UpperDir\":\"/var/lib/docker/overlay2/62406a9615c449081754d32e8c1b4cdf9a900e0e9998472c48d68a4b7a25e61c/diff\",\"WorkDir\":\"/var/lib/docker/overlay2/62406a9615c449081754d32e8c1b4cdf9a900e0e9998472c48d68a4b7a25e61c/work\"},\"Name\":\"overlay2\"},\"Mounts\":[],\"Config\":{\"Hostname\":\"h\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"],\"Image\":\"busybox:latest\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"NetworkSettings\":{\"Bridge\":\"\",\"SandboxID\":\"86ebe84b341c842c073483cea796ec663cd09121cdef815d530288147529793d\",\"HairpinMode\":false,\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},{\"HostIp\":\"::\",\"HostPort\":\"8080\"}]},\"SandboxKey\":\"/var/run/docker/netns/86ebe84b341c\",\"SecondaryIPAddresses\":null,\"SecondaryIPv6Addresses\":null,\"EndpointID\":\"\",\"Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"MacAddress\":\"\",\"Networks\":{\"trace-net\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":[\"a\",\"134d6cd1cfce\",\"h\"],\"NetworkID\":\"8080809dd72a60f9e12046d5d8283a2d9b3cb0a90843436abb352a9037ed1751\",\"EndpointID\":\"d506aa231a39cf1acebed73700f1d9835471a6132756e87f549d94945ddf096a\",\"Gateway\":\"172.28.0.1\",\"IPAddress\":\"172.28.0.2\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:ac:1c:00:02\",\"DriverOpts\":null}}}}";
const TRACE_LIST = "[{\"Id\":\"134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079\",\"Names\":[\"/trace-web\"],\"Image\":\"busybox:latest\",\"ImageID\":\"sha256:c04f09cdff25d726904f2c85982da1d0eec45b93d88992dd15a7f7544dfaa4cc\",\"Command\":\"httpd -f -p 80 -h /www\",\"Created\":1795404787,\"Ports\":[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},{\"IP\":\"::\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"}],\"Labels\":{},\"State\":\"running\",\"Status\":\"Up 32 seconds\",\"HostConfig\":{\"NetworkMode\":\"trace-net\"},\"NetworkSettings\":{\"Networks\":{\"trace-net\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"NetworkID\":\"8080809dd72a60f9e12046d5d8283a2d9b3cb0a90843436abb352a9037ed1751\",\"EndpointID\":\"d506aa231a39cf1acebed73700f1d9835471a6132756e87f549d94945ddf096a\",\"Gateway\":\"172.28.0.1\",\"IPAddress\":\"172.28.0.2\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:ac:1c:00:02\",\"DriverOpts\":null}}},\"Mounts\":[]},{\"Id\":\"6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c\",\"Names\":[\"/trace-x\"],\"Image\":\"busybox:latest\",\"ImageID\":\"sha256:c04f09cdff25d726904f2c85982da1d0eec45b93d88992dd15a7f7544dfaa4cc\",\"Command\":\"sleep 300\",\"Created\":1795404783,\"Ports\":[],\"Labels\":{},\"State\":\"running\",\"Status\":\"Up 37 seconds\",\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"NetworkID\":\"1ac369c2887c83e701abd9d597801782631c7c9c68fda5aef36b268b59d56f8f\",\"EndpointID\":\"c73708d168f2de6346aed843858f2d09d82399e37b391839e70a1b6b22e1d80f\",\"Gateway\":\"172.17.0.1\",\"IPAddress\":\"172.17.0.2\",\"IPPrefixLen\":16,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"02:42:ac:11:00:02\",\"DriverOpts\":null}}},\"Mounts\":[]}]";

const ZERO = '0001-01-01T00:00:00Z';
const ID_X = '6942fc0ef92049a8b66a50bd20a76181d75a134eb5bb2fd35854ab1230b8c98c';
const ID_WEB = '134d6cd1cfcefe6d69face2588a68438c625f95c202b5a967bc3f72c51465079';
const IMAGE_ID = 'sha256:c04f09cdff25d726904f2c85982da1d0eec45b93d88992dd15a7f7544dfaa4cc';
/** When the trace's `GET /containers/json` ran: "Up 37 seconds" for trace-x, "Up 32 seconds" for trace-web. */
const LIST_NOW = Date.parse('2026-11-23T03:33:40.500Z');

function network(over: Partial<NetworkRecord> & Pick<NetworkRecord, 'id' | 'name'>): NetworkRecord {
  return {
    driver: 'bridge',
    scope: 'local',
    created: '2026-11-23T03:00:00.000000000Z',
    ...NETWORK_DEFAULTS,
    pools: [],
    options: {},
    predefined: false,
    ...over,
  };
}

const BRIDGE = network({ id: '1ac369c2887c83e701abd9d597801782631c7c9c68fda5aef36b268b59d56f8f', name: 'bridge', predefined: true });
const HOST = network({ id: '899a42ab0660c16f7ab4d68d5bee62c60ccfd49bd94244cc50eba334fde04a99', name: 'host', driver: 'host', predefined: true });
const TRACE_NET = network({ id: '8080809dd72a60f9e12046d5d8283a2d9b3cb0a90843436abb352a9037ed1751', name: 'trace-net' });
const NET2 = network({ id: '490e037ec006bc78f2c2b0a1f0f3047e88d8febcbe53210da595add1973ac885', name: 'ref-net2' });
const NETS = [BRIDGE, HOST, TRACE_NET, NET2];

function container(over: Partial<ContainerRecord> & Pick<ContainerRecord, 'id' | 'name'>, config: Partial<ContainerRecord['config']> = {}, hostConfig: Partial<ContainerRecord['hostConfig']> = {}): ContainerRecord {
  return {
    created: '2026-11-23T03:33:03.176582924Z',
    networks: [{ networkId: BRIDGE.id, aliases: [], links: [], driverOpts: {} }],
    nextIfIndex: 1,
    state: { status: 'running', pid: 6224, exitCode: 0, error: '', startedAt: '2026-11-23T03:33:03.392413467Z', finishedAt: ZERO },
    ...over,
    config: {
      image: 'busybox:latest',
      imageId: IMAGE_ID,
      cmd: [],
      entrypoint: [],
      env: [],
      workingDir: '',
      user: '',
      tty: false,
      openStdin: false,
      stdinOnce: false,
      attachStdin: false,
      attachStdout: false,
      attachStderr: false,
      hostname: over.id.slice(0, 12),
      domainname: '',
      labels: {},
      exposedPorts: [],
      ...config,
    },
    hostConfig: {
      networkMode: 'default',
      portBindings: {},
      publishAllPorts: false,
      links: [],
      dns: [],
      dnsSearch: [],
      dnsOptions: [],
      extraHosts: [],
      autoRemove: false,
      runtime: '',
      ...hostConfig,
    },
  };
}

function endpoint(c: ContainerRecord, net: NetworkRecord, over: Partial<EndpointRecord>): EndpointRecord {
  return { id: '', networkId: net.id, containerId: c.id, name: c.name, mac: '', aliases: [], dnsNames: [c.name, c.id.slice(0, 12)], ifname: 'eth0', defaultRoute: true, ...over };
}

function view(c: ContainerRecord, eps: EndpointRecord[], over: Partial<ContainerView> = {}): ContainerView {
  const dir = `/var/lib/docker/containers/${c.id}`;
  return {
    c,
    attached: eps.map((ep) => ({ ep, net: NETS.find((n) => n.id === ep.networkId)! })),
    network: (id) => NETS.find((n) => n.id === id),
    etc: { hosts: `${dir}/hosts`, resolvConf: `${dir}/resolv.conf`, hostname: `${dir}/hostname` },
    logPath: `${dir}/${c.id}-json.log`,
    sandboxKey: '',
    runtime: 'runc',
    ...over,
  };
}

// trace-x: `docker run -d --name trace-x busybox sleep 300` on the default bridge.
const X = container({ id: ID_X, name: 'trace-x' }, { cmd: ['sleep', '300'] });
const X_EP = endpoint(X, BRIDGE, { id: 'c73708d168f2de6346aed843858f2d09d82399e37b391839e70a1b6b22e1d80f', ipv4: '172.17.0.2', prefix4: 16, gateway4: '172.17.0.1', mac: '02:42:ac:11:00:02' });
const X_VIEW = view(X, [X_EP], { sandboxKey: '/var/run/docker/netns/172dedf07e8e' });

// trace-web: `run -d -p 8080:80 --network trace-net --network-alias a --hostname h --dns 1.1.1.1 --add-host foo:1.2.3.4`.
const WEB = container(
  {
    id: ID_WEB,
    name: 'trace-web',
    created: '2026-11-23T03:33:07.532148094Z',
    networks: [{ networkId: TRACE_NET.id, aliases: ['a'], links: [], driverOpts: {} }],
    state: { status: 'running', pid: 6868, exitCode: 0, error: '', startedAt: '2026-11-23T03:33:07.815968004Z', finishedAt: ZERO },
  },
  { cmd: ['httpd', '-f', '-p', '80', '-h', '/www'], hostname: 'h', exposedPorts: ['80/tcp'] },
  { networkMode: 'trace-net', portBindings: { '80/tcp': [{ hostIp: '', hostPort: '8080' }] }, dns: ['1.1.1.1'], extraHosts: ['foo:1.2.3.4'] },
);
const WEB_EP = endpoint(WEB, TRACE_NET, {
  id: 'd506aa231a39cf1acebed73700f1d9835471a6132756e87f549d94945ddf096a',
  ipv4: '172.28.0.2',
  prefix4: 16,
  gateway4: '172.28.0.1',
  mac: '02:42:ac:1c:00:02',
  aliases: ['a'],
  dnsNames: ['trace-web', 'a', '134d6cd1cfce', 'h'],
});
WEB.published = [
  { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPort: 8080, containerIp: '172.28.0.2', networkId: TRACE_NET.id },
  { proto: 'tcp', containerPort: 80, hostIp: '::', hostPort: 8080, containerIp: 'fd00::2', networkId: TRACE_NET.id },
];
const WEB_VIEW = view(WEB, [WEB_EP], { sandboxKey: '/var/run/docker/netns/86ebe84b341c' });

type Json = Record<string, any>;
const roundTrip = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;

/** Drops what differs by design: dockerd's GraphDriver paths, its random SandboxID, and the
 * DNSNames that API ≥ 1.44 adds to every endpoint (20.10 had none). */
function comparable(inspect: Json, ours: boolean): Json {
  delete inspect['GraphDriver'];
  delete inspect['NetworkSettings']['SandboxID'];
  if (ours) for (const ep of Object.values(inspect['NetworkSettings']['Networks'] as Json)) delete ep['DNSNames'];
  return inspect;
}

test('inspect of a running default-bridge container is dockerd\'s, byte for byte (keys, order, values)', () => {
  const ours = roundTrip(toContainerInspect(X_VIEW));
  assert.equal(ours['NetworkSettings']['SandboxID'], ID_X);
  assert.equal(ours['NetworkSettings']['Networks']['bridge']['DNSNames'], null); // no embedded DNS on the default bridge
  assert.equal(JSON.stringify(comparable(ours, true)), JSON.stringify(comparable(JSON.parse(TRACE_INSPECT_X), false)));
});

test('inspect on a user network: aliases with short id and hostname, published ports, empty legacy fields', () => {
  const ours = roundTrip(toContainerInspect(WEB_VIEW));
  assert.deepEqual(ours['NetworkSettings']['Networks']['trace-net']['DNSNames'], ['trace-web', 'a', '134d6cd1cfce', 'h']);
  assert.equal(JSON.stringify(comparable(ours, true)), JSON.stringify(comparable(JSON.parse(TRACE_INSPECT_WEB), false)));
});

test('the list is dockerd\'s, byte for byte: Names, Command, Created seconds, Ports, Status, Aliases null', () => {
  const ours = roundTrip([toContainerSummary(WEB_VIEW, LIST_NOW), toContainerSummary(X_VIEW, LIST_NOW)]) as unknown as Json[];
  for (const item of ours) for (const ep of Object.values(item['NetworkSettings']['Networks'] as Json)) delete ep['DNSNames'];
  assert.equal(JSON.stringify(ours), JSON.stringify(JSON.parse(TRACE_LIST)));
});

test('a created, never-started container shows its wanted networks with empty ids and addresses (INDEX 05)', () => {
  const c = container(
    { id: 'c6e46e3ea7c0'.padEnd(64, '0'), name: 'ref-cd-stopped', state: { status: 'created', pid: 0, exitCode: 0, error: '', startedAt: ZERO, finishedAt: ZERO } },
    { cmd: ['sleep', '3600'] },
  );
  // As `network connect` stores it: the engine adds the short id there (create's networks get it at start).
  c.networks.push({ networkId: NET2.id, aliases: ['c6e46e3ea7c0'], links: [], driverOpts: {}, ipv4: '10.1.1.77' });
  const ours = roundTrip(toContainerInspect(view(c, [])));
  const ns = ours['NetworkSettings'];
  assert.equal(ns['SandboxID'], '');
  assert.equal(ns['SandboxKey'], '');
  assert.equal(ns['IPAddress'], '');
  assert.deepEqual(ns['Ports'], {});
  assert.deepEqual(Object.keys(ns['Networks']), ['bridge', 'ref-net2']);
  assert.deepEqual(ns['Networks']['bridge'], {
    IPAMConfig: null, Links: null, Aliases: null, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0,
    IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: '', DriverOpts: null, DNSNames: null,
  });
  assert.deepEqual(ns['Networks']['ref-net2']['IPAMConfig'], { IPv4Address: '10.1.1.77' });
  assert.deepEqual(ns['Networks']['ref-net2']['Aliases'], ['c6e46e3ea7c0']);
  assert.equal(ns['Networks']['ref-net2']['NetworkID'], '');
  assert.equal(toContainerSummary(view(c, [])).Status, 'Created');
});

test('an exited container keeps NetworkIDs, loses endpoints; Status "Exited (137) 2 seconds ago"', () => {
  const now = Date.parse('2026-11-23T03:34:00.000Z');
  const c = container({ id: ID_X, name: 'trace-x', state: { status: 'exited', pid: 0, exitCode: 137, error: '', startedAt: '2026-11-23T03:33:03.392413467Z', finishedAt: '2026-11-23T03:33:57.9Z' } });
  const ours = roundTrip(toContainerInspect(view(c, [], { sandboxKey: '/ignored/when/stopped' })));
  assert.equal(ours['State']['Running'], false);
  assert.equal(ours['NetworkSettings']['SandboxKey'], '');
  assert.equal(ours['NetworkSettings']['Networks']['bridge']['NetworkID'], BRIDGE.id);
  assert.equal(ours['NetworkSettings']['Networks']['bridge']['EndpointID'], '');
  assert.equal(toContainerSummary(view(c, []), now).Status, 'Exited (137) 2 seconds ago');
  assert.deepEqual(toContainerSummary(view(c, []), now).Ports, []);
});

test('container:X mode shows empty NetworkSettings (INDEX 02)', () => {
  const c = container({ id: 'eebfa34dc75c'.padEnd(64, '1'), name: 'ref-mode-ctr', networks: [] }, {}, { networkMode: `container:${ID_X}` });
  const ns = roundTrip(toContainerInspect(view(c, [], { sandboxKey: '' })))['NetworkSettings'];
  assert.equal(ns['SandboxID'], '');
  assert.equal(ns['SandboxKey'], '');
  assert.deepEqual(ns['Networks'], {});
  assert.deepEqual(ns['Ports'], {});
});

test('host mode: the host netns as SandboxKey, an endpoint without addresses, no ports (INDEX 02)', () => {
  const c = container({ id: '8d97ccafc48a'.padEnd(64, '2'), name: 'ref-mode-host', networks: [{ networkId: HOST.id, aliases: [], links: [], driverOpts: {} }] }, { hostname: 'vm' }, {
    networkMode: 'host',
    portBindings: { '80/tcp': [{ hostIp: '', hostPort: '8081' }] },
  });
  const ep = endpoint(c, HOST, { id: 'aac08a21d95a7f272ea92a24d4de79cdb5344f33bdb6df87dec3938ac77570b3' });
  const ours = roundTrip(toContainerInspect(view(c, [ep], { sandboxKey: '/run/tether/netns/default' })));
  const ns = ours['NetworkSettings'];
  assert.equal(ns['SandboxKey'], '/run/tether/netns/default');
  assert.equal(ns['EndpointID'], '');
  assert.deepEqual(ns['Ports'], {});
  assert.equal(ns['Networks']['host']['EndpointID'], ep.id);
  assert.equal(ns['Networks']['host']['IPAddress'], '');
  assert.equal(ns['Networks']['host']['Aliases'], null);
  assert.deepEqual(ours['HostConfig']['PortBindings'], { '80/tcp': [{ HostIp: '', HostPort: '8081' }] });
});

test('links in Docker\'s stored form; exposed-but-unpublished ports are null in inspect and bare in the list', () => {
  const c = container({ id: ID_X, name: 'ref-r-e' }, { exposedPorts: ['90/udp', '443/tcp'] }, { links: ['ref-r-d:dalias'] });
  c.published = [{ proto: 'tcp', containerPort: 443, hostIp: '127.0.0.1', hostPort: 8443, containerIp: '172.17.0.2', networkId: BRIDGE.id }];
  const v = view(c, [X_EP]);
  const ours = roundTrip(toContainerInspect(v));
  assert.deepEqual(ours['HostConfig']['Links'], ['/ref-r-d:/ref-r-e/dalias']);
  assert.deepEqual(ours['Config']['ExposedPorts'], { '443/tcp': {}, '90/udp': {} });
  assert.deepEqual(ours['NetworkSettings']['Ports'], { '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }], '90/udp': null });
  assert.deepEqual(toContainerSummary(v).Ports, [
    { IP: '127.0.0.1', PrivatePort: 443, PublicPort: 8443, Type: 'tcp' },
    { PrivatePort: 90, Type: 'udp' },
  ]);
});

test('humanDuration and statusText follow go-units and State.String()', () => {
  const cases: Array<[number, string]> = [
    [500, 'Less than a second'],
    [1000, '1 second'],
    [32_900, '32 seconds'],
    [60_000, 'About a minute'],
    [125_000, '2 minutes'],
    [3_600_000, 'About an hour'],
    [5 * 3_600_000, '5 hours'],
    [3 * 86_400_000, '3 days'],
    [20 * 86_400_000, '2 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms} ms`);
  const started = '2026-11-23T03:33:03.000000001Z';
  const now = Date.parse('2026-11-23T03:33:13.5Z');
  const s = { pid: 1, exitCode: 0, error: '', startedAt: started, finishedAt: ZERO };
  assert.equal(statusText({ ...s, status: 'running' }, now), 'Up 10 seconds');
  assert.equal(statusText({ ...s, status: 'paused' }, now), 'Up 10 seconds (Paused)');
  assert.equal(statusText({ ...s, status: 'removing' }, now), 'Removal In Progress');
  assert.equal(statusText({ ...s, status: 'dead' }, now), 'Dead');
  assert.equal(statusText({ ...s, status: 'exited' }, now), '');
});
