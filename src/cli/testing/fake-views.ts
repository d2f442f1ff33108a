// JSON views of a fake container in dockerd 20.10's key order: GET /containers/{id}/json
// (container.InspectResponse) and the GET /containers/json summary, as recorded in
// /work/shared/reference/docker/10-api-trace/04-exec-lifecycle.log.

import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Chunk } from './fake-script.js';

export interface FakeContainer {
  Id: string;
  Name: string;
  Created: string;
  ImageId: string;
  Config: Record<string, unknown>;
  HostConfig: Record<string, unknown>;
  State: { Status: string; Running: boolean; ExitCode: number; StartedAt: string; FinishedAt: string; Error?: string };
  logs: Chunk[];
  attached: Array<{ socket: Duplex; stdout: boolean; stderr: boolean }>;
  waiters: Array<{ condition: string; res: http.ServerResponse }>;
  /** Resolves with what an attached client sent on stdin, once it half-closes. */
  stdin: Promise<Buffer> | undefined;
}

/** 172.17.0.2 and up, by position: stable across two identical fake engines. */
function address(c: FakeContainer): { ip: string; mac: string } {
  const n = 2 + (Number.parseInt(c.Id.slice(0, 2), 16) % 200);
  return { ip: `172.17.0.${n}`, mac: `02:42:ac:11:00:${n.toString(16).padStart(2, '0')}` };
}

type Bindings = Record<string, Array<{ HostIp: string; HostPort: string }>>;

/** NetworkSettings.Ports of a running container: each binding on 0.0.0.0 and ::, like dockerd. */
function publishedPorts(c: FakeContainer): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  if (!c.State.Running) return {};
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const p of Object.keys((c.Config.ExposedPorts as object | undefined) ?? {})) out[p] = null;
  for (const [p, bs] of Object.entries((c.HostConfig.PortBindings as Bindings | undefined) ?? {})) {
    out[p] = bs.flatMap((b) => (b.HostIp ? [b] : [{ HostIp: '0.0.0.0', HostPort: b.HostPort }, { HostIp: '::', HostPort: b.HostPort }]));
  }
  return out;
}

function networkName(c: FakeContainer): string {
  const mode = String(c.HostConfig.NetworkMode ?? 'default');
  return mode === 'default' ? 'bridge' : mode;
}

function endpoint(c: FakeContainer): Record<string, unknown> {
  const { ip, mac } = address(c);
  const up = c.State.Running;
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: 'c48056864c901d057ebad6a8e6bf719f979917544c3512f9455c6c1331960c78',
    EndpointID: up ? c.Id.split('').reverse().join('') : '',
    Gateway: up ? '172.17.0.1' : '',
    IPAddress: up ? ip : '',
    IPPrefixLen: up ? 16 : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: up ? mac : '',
    DriverOpts: null,
  };
}

export function containerJSON(c: FakeContainer): unknown {
  const argv = [...((c.Config.Entrypoint as string[] | null) ?? []), ...((c.Config.Cmd as string[] | null) ?? [])];
  const dir = `/var/lib/docker/containers/${c.Id}`;
  const { ip, mac } = address(c);
  const up = c.State.Running;
  return {
    Id: c.Id,
    Created: c.Created,
    Path: argv[0] ?? '',
    Args: argv.slice(1),
    State: {
      Status: c.State.Status,
      Running: up,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: up ? 4242 : 0,
      ExitCode: c.State.ExitCode,
      Error: c.State.Error ?? '',
      StartedAt: c.State.StartedAt === 'STARTED_AT' ? '2020-01-01T00:00:01.000000000Z' : c.State.StartedAt,
      FinishedAt: c.State.FinishedAt === 'STARTED_AT' ? '2020-01-01T00:00:02.000000000Z' : c.State.FinishedAt,
    },
    Image: c.ImageId,
    ResolvConfPath: `${dir}/resolv.conf`,
    HostnamePath: `${dir}/hostname`,
    HostsPath: `${dir}/hosts`,
    LogPath: `${dir}/${c.Id}-json.log`,
    Name: c.Name,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: { ...c.HostConfig, LogConfig: { Type: 'json-file', Config: {} } },
    GraphDriver: { Data: null, Name: 'overlay2' },
    Mounts: [],
    Config: {
      Hostname: (c.Config.Hostname as string) || c.Id.slice(0, 12),
      Domainname: c.Config.Domainname ?? '',
      User: c.Config.User ?? '',
      AttachStdin: c.Config.AttachStdin ?? false,
      AttachStdout: c.Config.AttachStdout ?? false,
      AttachStderr: c.Config.AttachStderr ?? false,
      ExposedPorts: c.Config.ExposedPorts,
      Tty: c.Config.Tty ?? false,
      OpenStdin: c.Config.OpenStdin ?? false,
      StdinOnce: c.Config.StdinOnce ?? false,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...((c.Config.Env as string[] | null) ?? [])],
      Cmd: c.Config.Cmd ?? null,
      Image: c.Config.Image,
      Volumes: null,
      WorkingDir: c.Config.WorkingDir ?? '',
      Entrypoint: c.Config.Entrypoint ?? null,
      OnBuild: null,
      Labels: c.Config.Labels ?? {},
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: up ? c.Id.slice(8) + c.Id.slice(0, 8) : '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: publishedPorts(c),
      SandboxKey: up ? `/var/run/docker/netns/${c.Id.slice(8, 20)}` : '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: up ? c.Id.split('').reverse().join('') : '',
      Gateway: up ? '172.17.0.1' : '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: up ? ip : '',
      IPPrefixLen: up ? 16 : 0,
      IPv6Gateway: '',
      MacAddress: up ? mac : '',
      Networks: { [networkName(c)]: endpoint(c) },
    },
  };
}

/** Status texts are fixed (the fake's clock does not move). */
function status(c: FakeContainer): string {
  if (c.State.Running) return 'Up 2 hours';
  if (c.State.Status === 'created') return 'Created';
  return `Exited (${c.State.ExitCode}) 2 hours ago`;
}

export function containerSummary(c: FakeContainer, size: boolean): unknown {
  const ports = Object.entries(publishedPorts(c)).flatMap(([p, bs]) => {
    const [port, type] = p.split('/') as [string, string];
    if (!bs) return [{ PrivatePort: Number(port), Type: type }];
    return bs.map((b) => ({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type }));
  });
  const argv = [...((c.Config.Entrypoint as string[] | null) ?? []), ...((c.Config.Cmd as string[] | null) ?? [])];
  return {
    Id: c.Id,
    Names: [c.Name],
    Image: c.Config.Image,
    ImageID: c.ImageId,
    Command: argv.join(' '),
    Created: Date.parse(c.Created) / 1000,
    Ports: ports,
    ...(size ? { SizeRw: 12, SizeRootFs: 1984138 } : {}),
    Labels: c.Config.Labels ?? {},
    State: c.State.Status,
    Status: status(c),
    HostConfig: { NetworkMode: c.HostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: { [networkName(c)]: endpoint(c) } },
    Mounts: [],
  };
}
