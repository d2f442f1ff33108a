// /_ping, /version, /info: enough for `docker version` and `docker info` to work against us.
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Engine } from '../../engine/engine.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import { API_VERSION, baseHeaders, MIN_API_VERSION, SERVER_VERSION } from '../http.js';
import type { Route } from '../router.js';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** Whether bridged traffic passes netfilter here (br_netfilter loaded and on), as dockerd reports it. */
function bridgeNf(which: 'iptables' | 'ip6tables'): boolean {
  try {
    return readFileSync(`/proc/sys/net/bridge/bridge-nf-call-${which}`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

export function systemRoutes(engine: Engine, runtime: ContainerRuntime | undefined): Route[] {
  const ping: Route['handler'] = async ({ req, res }) => {
    const head = req.method === 'HEAD';
    res.writeHead(200, {
      ...baseHeaders(),
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': head ? 0 : 2,
    });
    res.end(head ? undefined : 'OK');
    return 'handled';
  };
  const engineDetails = {
    ApiVersion: API_VERSION,
    Arch: GO_ARCH[arch()] ?? arch(),
    BuildTime: '',
    Experimental: 'false',
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    KernelVersion: release(),
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
  };
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
    {
      method: 'GET',
      path: '/version',
      handler: async () => ({
        status: 200,
        body: {
          Platform: { Name: 'Tether' },
          Components: [{ Name: 'Engine', Version: SERVER_VERSION, Details: engineDetails }],
          Version: SERVER_VERSION,
          ApiVersion: API_VERSION,
          MinAPIVersion: MIN_API_VERSION,
          GitCommit: '',
          GoVersion: engineDetails.GoVersion,
          Os: 'linux',
          Arch: engineDetails.Arch,
          KernelVersion: release(),
          BuildTime: '',
        },
      }),
    },
    {
      method: 'GET',
      path: '/info',
      handler: async () => {
        const c = await engine.containerCounts();
        return {
          status: 200,
          body: {
            ID: engine.daemonId,
            Containers: c.total,
            ContainersRunning: c.running,
            ContainersPaused: 0,
            ContainersStopped: c.total - c.running,
            Images: runtime?.images.list().length ?? 0,
            Driver: 'overlay',
            DriverStatus: [],
            Plugins: { Volume: [], Network: engine.drivers.available(), Authorization: null, Log: ['k8s-file'] },
            IPv4Forwarding: engine.config.ipForward,
            BridgeNfIptables: bridgeNf('iptables'),
            BridgeNfIp6tables: bridgeNf('ip6tables'),
            Debug: false,
            LoggingDriver: 'k8s-file',
            CgroupDriver: 'cgroupfs',
            CgroupVersion: '',
            KernelVersion: release(),
            OperatingSystem: osName(),
            OSType: 'linux',
            Architecture: arch() === 'x64' ? 'x86_64' : arch(),
            NCPU: cpus().length,
            MemTotal: totalmem(),
            DockerRootDir: engine.config.dataRoot,
            Name: hostname(),
            Labels: [],
            ExperimentalBuild: false,
            ServerVersion: SERVER_VERSION,
            Runtimes: Object.fromEntries((runtime?.runtimes ?? []).map((r) => [r.name, { path: r.path }])),
            DefaultRuntime: engine.config.defaultRuntime,
            Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
            LiveRestoreEnabled: engine.config.liveRestore,
            Isolation: '',
            SecurityOptions: [],
            DefaultAddressPools: engine.config.defaultAddressPools.length > 0 ? engine.config.defaultAddressPools.map((p) => ({ Base: p.base, Size: p.size })) : null,
            Warnings: engine.config.iptables ? null : ['WARNING: the firewall is disabled (--iptables=false): no NAT, no port publishing, no isolation'],
          },
        };
      },
    },
  ];
}
