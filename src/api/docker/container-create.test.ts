import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isTetherError } from '../../errors.js';
import { toHttpError } from '../errors.js';
import { parseCreateContainer, parseExtraHost, splitPortKey } from './container-create.js';

// Bodies the docker CLI sent, verbatim from reference/docker/10-api-trace/03-run.log:
// CLI 28 `run -d --name trace-x busybox sleep 300`, CLI 28 and 20.10 `run -d -p 8080:80
// --network trace-net --network-alias a --hostname h --dns 1.1.1.1 --add-host foo:1.2.3.4 …`.
const CLI28_DEFAULT = "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"sleep\",\"300\"],\"Image\":\"busybox:latest\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}";
const CLI28_WEB = "{\"Hostname\":\"h\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"],\"Image\":\"busybox:latest\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"trace-net\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[\"1.1.1.1\"],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":[\"foo:1.2.3.4\"],\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"trace-net\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":[\"a\"],\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}";
const CLI20_WEB = "{\"Hostname\":\"h\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"],\"Image\":\"busybox:latest\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"trace-net\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8081\"}]},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[\"1.1.1.1\"],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":[\"foo:1.2.3.4\"],\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":null,\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null,\"BlkioDeviceWriteIOps\":null,\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":null,\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"trace-net\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":[\"a\"],\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"\",\"DriverOpts\":null}}}}";

// shared/ sits beside the repository (as in CI's clone); the test is compiled to dist/src/api/docker.
const TRACE = resolve(import.meta.dirname, '../../../../../shared/reference/docker/10-api-trace');

function body(json: string, patch: (b: Record<string, any>) => void = () => undefined): Record<string, any> {
  const b = JSON.parse(json) as Record<string, any>;
  patch(b);
  return b;
}

/** Asserts a 400 whose message names `field`. */
function refused(b: unknown, field: string | RegExp, name: string | null = null): void {
  assert.throws(
    () => parseCreateContainer(b, name),
    (e: unknown) => {
      assert.ok(isTetherError(e), `not a TetherError: ${String(e)}`);
      assert.equal(toHttpError(e).status, 400);
      if (typeof field === 'string') assert.ok(e.message.includes(field), `message "${e.message}" does not name ${field}`);
      else assert.match(e.message, field);
      return true;
    },
  );
}

test('the CLI 28 default run body parses, with no warnings for its empty fields', () => {
  const { request, warnings } = parseCreateContainer(JSON.parse(CLI28_DEFAULT), 'trace-x');
  assert.deepEqual(warnings, []);
  assert.equal(request.name, 'trace-x');
  assert.equal(request.config.image, 'busybox:latest');
  assert.deepEqual(request.config.cmd, ['sleep', '300']);
  assert.deepEqual(request.config.entrypoint, []);
  assert.deepEqual(request.config.env, []);
  assert.equal(request.hostConfig.networkMode, 'default');
  assert.deepEqual(request.hostConfig.portBindings, {});
  assert.deepEqual(request.hostConfig.extraHosts, []);
  assert.deepEqual(request.hostConfig.links, []);
  assert.deepEqual(Object.keys(request.endpoints), ['default']);
  assert.deepEqual(request.endpoints['default'], { aliases: [], links: [], driverOpts: {} });
});

test('the CLI 28 and 20.10 bodies with -p, --network, alias, hostname, dns, add-host parse alike', () => {
  for (const [json, port] of [
    [CLI28_WEB, '8080'],
    [CLI20_WEB, '8081'],
  ] as const) {
    const { request, warnings } = parseCreateContainer(JSON.parse(json), 'trace-web');
    assert.deepEqual(warnings, []);
    assert.equal(request.config.hostname, 'h');
    assert.deepEqual(request.config.exposedPorts, ['80/tcp']);
    assert.deepEqual(request.config.cmd, ['httpd', '-f', '-p', '80', '-h', '/www']);
    assert.equal(request.hostConfig.networkMode, 'trace-net');
    assert.deepEqual(request.hostConfig.portBindings, { '80/tcp': [{ hostIp: '', hostPort: port }] });
    assert.deepEqual(request.hostConfig.dns, ['1.1.1.1']);
    assert.deepEqual(request.hostConfig.extraHosts, ['foo:1.2.3.4']);
    assert.deepEqual(request.endpoints['trace-net']?.aliases, ['a']);
    assert.equal(request.endpoints['trace-net']?.mac, undefined);
  }
});

test('every create body recorded in the trace parses without warnings (when the trace is present)', (t) => {
  const files = ['03-run.log', '04-exec-lifecycle.log'].map((f) => `${TRACE}/${f}`).filter((f) => existsSync(f));
  if (files.length === 0) return t.skip('reference trace not on this machine');
  const bodies = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('    {"Hostname"')));
  assert.ok(bodies.length >= 10);
  for (const line of bodies) assert.deepEqual(parseCreateContainer(JSON.parse(line), null).warnings, []);
});

test('normalisation: port keys, HostPort 0, extra hosts with = and IPv6, links, string Entrypoint', () => {
  const { request } = parseCreateContainer(
    body(CLI28_DEFAULT, (b) => {
      b['Entrypoint'] = '/bin/sh';
      b['ExposedPorts'] = { '53/udp': {}, '90': {} };
      b['HostConfig'].PortBindings = { '80': [{ HostIp: '::1', HostPort: '0' }], '81/tcp': null, '82/tcp': [{ HostIp: '[::]', HostPort: '9000-9010' }] };
      b['HostConfig'].ExtraHosts = ['foo=1.2.3.4', 'v6:::1', 'gw:host-gateway', 'br:[fd00::1]'];
      b['HostConfig'].Links = ['db', '/cache:/me/c'];
    }),
    null,
  );
  assert.deepEqual(request.config.entrypoint, ['/bin/sh']);
  assert.deepEqual(request.config.exposedPorts, ['53/udp', '90/tcp']);
  assert.deepEqual(request.hostConfig.portBindings, {
    '80/tcp': [{ hostIp: '::1', hostPort: '' }],
    '81/tcp': [],
    '82/tcp': [{ hostIp: '::', hostPort: '9000-9010' }],
  });
  assert.deepEqual(request.hostConfig.extraHosts, ['foo:1.2.3.4', 'v6:::1', 'gw:host-gateway', 'br:fd00::1']);
  assert.deepEqual(request.hostConfig.links, ['db:db', 'cache:c']);
  assert.equal(request.name, undefined);
});

test('EndpointsConfig: several networks, static IPs and MAC; the deprecated Config.MacAddress goes to the primary', () => {
  const { request } = parseCreateContainer(
    body(CLI28_WEB, (b) => {
      b['MacAddress'] = '02:42:AC:11:00:99';
      b['NetworkingConfig'].EndpointsConfig['other'] = { IPAMConfig: { IPv4Address: '10.1.1.50' }, MacAddress: '02:42:0A:01:01:32', Aliases: null, DriverOpts: { k: 'v' } };
    }),
    null,
  );
  assert.equal(request.endpoints['trace-net']?.mac, '02:42:ac:11:00:99');
  assert.deepEqual(request.endpoints['other'], { aliases: [], links: [], driverOpts: { k: 'v' }, ipv4: '10.1.1.50', mac: '02:42:0a:01:01:32' });
});

test('non-empty fields this daemon lacks: resource limits warn, semantic ones are refused', () => {
  const { warnings } = parseCreateContainer(
    body(CLI28_DEFAULT, (b) => {
      b['HostConfig'].Memory = 1 << 20;
      b['Healthcheck'] = { Test: ['CMD', 'true'] };
      b['HostConfig'].ConsoleSize = [40, 120]; // cosmetic: silent
    }),
    null,
  );
  assert.deepEqual(warnings, ['Healthcheck is not supported by tether and was ignored', 'HostConfig.Memory is not supported by tether and was ignored']);
  refused(body(CLI28_DEFAULT, (b) => (b['HostConfig'].Binds = ['/etc:/host-etc'])), 'HostConfig.Binds');
  refused(body(CLI28_DEFAULT, (b) => (b['HostConfig'].Privileged = true)), 'HostConfig.Privileged');
  refused(body(CLI28_DEFAULT, (b) => (b['HostConfig'].RestartPolicy = { Name: 'always', MaximumRetryCount: 0 })), 'HostConfig.RestartPolicy');
  refused(body(CLI28_DEFAULT, (b) => (b['Volumes'] = { '/data': {} })), 'Volumes');
});

test('bad bodies are 400s that name the field', () => {
  const hc = (patch: (h: Record<string, any>) => void) => body(CLI28_DEFAULT, (b) => patch(b['HostConfig']));
  refused(hc((h) => (h.PortBindings = { '80/tcp': [{ HostIp: '', HostPort: '99999' }] })), 'HostConfig.PortBindings.80/tcp.0.HostPort');
  refused(hc((h) => (h.PortBindings = { '99999/tcp': [] })), 'HostConfig.PortBindings.99999/tcp');
  refused(hc((h) => (h.PortBindings = { '80/sctpx': [] })), 'HostConfig.PortBindings.80/sctpx');
  refused(hc((h) => (h.PortBindings = { '80/tcp': [{ HostIp: '300.1.1.1', HostPort: '80' }] })), 'HostConfig.PortBindings.80/tcp.0.HostIp');
  refused(hc((h) => (h.PortBindings = { '80/tcp': [{ HostIp: '', HostPort: '9010-9000' }] })), 'HostPort');
  refused(hc((h) => (h.PortBindings = { '80/tcp': [{ HostIp: '', HostPort: 8080 }] })), 'HostConfig.PortBindings.80/tcp.0.HostPort');
  refused(body(CLI28_DEFAULT, (b) => (b['ExposedPorts'] = { '0/tcp': {} })), 'ExposedPorts.0/tcp');
  refused(hc((h) => (h.ExtraHosts = ['foo'])), 'HostConfig.ExtraHosts.0');
  refused(hc((h) => (h.ExtraHosts = ['foo:1.2.3'])), 'HostConfig.ExtraHosts.0');
  refused(hc((h) => (h.ExtraHosts = ['bad name:1.2.3.4'])), 'HostConfig.ExtraHosts.0');
  refused(hc((h) => (h.Dns = ['not-an-ip'])), 'HostConfig.Dns.0');
  // A newline would add a line to the container's resolv.conf.
  refused(hc((h) => (h.DnsOptions = ['ndots:1\nnameserver 6.6.6.6'])), 'HostConfig.DnsOptions.0');
  refused(hc((h) => (h.DnsSearch = ['a b'])), 'HostConfig.DnsSearch.0');
  refused(hc((h) => (h.Links = ['a b'])), 'HostConfig.Links.0');
  refused(hc((h) => (h.Runtime = 'kata')), 'Unknown runtime specified kata');
  refused(hc((h) => (h.NetworkMode = 'container:')), 'HostConfig.NetworkMode');
  refused(hc((h) => (h.AutoRemove = 'yes')), 'HostConfig.AutoRemove');
  refused(body(CLI28_DEFAULT, (b) => (b['Cmd'] = 42)), 'Cmd');
  refused(body(CLI28_DEFAULT, (b) => (b['Tty'] = 'yes')), 'Tty');
  refused(body(CLI28_DEFAULT, (b) => (b['Env'] = ['=x'])), 'Env.0');
  refused(body(CLI28_DEFAULT, (b) => (b['Labels'] = { team: 7 })), 'Labels.team');
  refused(body(CLI28_DEFAULT, (b) => delete b['Image']), 'Image');
  refused(body(CLI28_DEFAULT, (b) => (b['Hostname'] = 'my host')), 'Hostname');
  refused(body(CLI28_DEFAULT, (b) => (b['Hostname'] = 'h'.repeat(65))), 'Hostname');
  refused(body(CLI28_DEFAULT, (b) => (b['WorkingDir'] = 'relative/dir')), 'WorkingDir');
  refused(body(CLI28_DEFAULT, (b) => (b['MacAddress'] = 'zz:zz')), 'MacAddress');
  refused(body(CLI28_WEB, (b) => (b['NetworkingConfig'].EndpointsConfig['trace-net'].MacAddress = '02:42:ac:11:00')), /EndpointsConfig\.trace-net: invalid MacAddress/);
  refused(
    body(CLI28_WEB, (b) => (b['NetworkingConfig'].EndpointsConfig['trace-net'].IPAMConfig = { IPv4Address: '10.1.1.999' })),
    'NetworkingConfig.EndpointsConfig.trace-net.IPAMConfig.IPv4Address',
  );
  refused(body(CLI28_WEB, (b) => (b['NetworkingConfig'].EndpointsConfig['trace-net'].Aliases = 'a')), 'NetworkingConfig.EndpointsConfig.trace-net.Aliases');
  refused(JSON.parse(CLI28_DEFAULT), 'Invalid container name', 'bad name!');
  refused(JSON.parse(CLI28_DEFAULT), 'Invalid container name', '-leading-dash');
  refused([1, 2], '(body)');
  refused(null, 'request body is empty');
});

test('splitPortKey and parseExtraHost, the helpers shared with inspect', () => {
  assert.deepEqual(splitPortKey('80'), { port: 80, proto: 'tcp' });
  assert.deepEqual(splitPortKey('53/udp'), { port: 53, proto: 'udp' });
  assert.equal(splitPortKey('65536/tcp'), undefined);
  assert.equal(splitPortKey('80/TCP'), undefined);
  assert.equal(parseExtraHost('a:b:c'), undefined);
  assert.equal(parseExtraHost(':1.2.3.4'), undefined);
});
