// Containers as the engine keeps them: what the client asked for (config, host config, wanted
// network attachments) and the live state. Docker's shapes live in api/docker/container-json.ts.

export interface PortBinding {
  hostIp: string; // '' = all addresses
  hostPort: string; // '' = ephemeral
}

export interface PortSpec {
  port: number;
  proto: 'tcp' | 'udp' | 'sctp';
}

export interface ContainerConfig {
  image: string;
  imageId: string;
  cmd: string[];
  entrypoint: string[];
  env: string[];
  workingDir: string;
  user: string;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  hostname: string;
  domainname: string;
  labels: Record<string, string>;
  /** "80/tcp" keys, Docker's ExposedPorts. */
  exposedPorts: string[];
}

export interface HostConfig {
  /** As Docker stores it: "default", "bridge", "host", "none", "container:<full id>", a network name. */
  networkMode: string;
  portBindings: Record<string, PortBinding[]>;
  publishAllPorts: boolean;
  links: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];
  autoRemove: boolean;
  runtime: string;
}

/** One network the container should be on; an endpoint exists for it while the container runs. */
export interface WantedAttachment {
  networkId: string;
  aliases: string[];
  links: string[];
  ipv4?: string;
  ipv6?: string;
  mac?: string;
  /** IPAMConfig.LinkLocalIPs (`--link-local-ip`): extra addresses on the interface. */
  linkLocalIPs?: string[];
  driverOpts: Record<string, string>;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: string;
  finishedAt: string;
}

export interface ContainerRecord {
  id: string;
  name: string; // without Docker's leading '/'
  created: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Wanted attachments in attach order (the first non-internal one gives the default route). */
  networks: WantedAttachment[];
  /** Next ethN index: Docker never reuses an index within a sandbox, failed connects included. */
  nextIfIndex: number;
  state: ContainerState;
  /** Ports published while the container runs (Docker's NetworkSettings.Ports). */
  published?: PublishedPort[];
}

export interface PublishedPort {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  networkId: string;
}

/** `POST /containers/create` after edge validation; network refs are resolved by the engine. */
export interface CreateContainerRequest {
  name?: string;
  config: Omit<ContainerConfig, 'imageId'>;
  hostConfig: HostConfig;
  /** NetworkingConfig.EndpointsConfig: network name/id → endpoint settings. */
  endpoints: Record<string, Omit<WantedAttachment, 'networkId'>>;
}
