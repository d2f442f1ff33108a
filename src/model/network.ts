// Networks as every layer sees them: the stored record, the create request after edge
// validation, list filters. Plain data; nothing here knows Docker's PascalCase (api/docker/
// converts) or HTTP.

export type DriverName = 'bridge' | 'host' | 'null' | 'macvlan' | 'ipvlan' | 'overlay';
/** Where a network lives: this host only, or the cluster ('swarm' is Docker's spelling of it). */
export type Scope = 'local' | 'global' | 'swarm';

/** One IPAM pool of a network as stored (ipam/network-config.ts turns it into typed values). */
export interface PoolConfigRecord {
  family: 4 | 6;
  subnet: string;
  ipRange?: string;
  gateway: string;
  gatewayExplicit: boolean;
  poolAssigned: boolean;
  active: boolean;
  auxAddresses: Record<string, string>;
}

export interface NetworkRecord {
  id: string;
  name: string;
  driver: DriverName;
  scope: Scope;
  /** RFC 3339 with nanoseconds, as Docker prints it. */
  created: string;
  enableIPv6: boolean;
  /** Docker 28's EnableIPv4; false makes an IPv6-only network. Absent (records from before it) is true. */
  enableIPv4?: boolean;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  configOnly: boolean;
  configFrom: string;
  ipamDriver: string;
  /** null for predefined networks and API creates without IPAM.Options (Docker shows null). */
  ipamOptions: Record<string, string> | null;
  /** IPv4 first, then IPv6, as Docker orders IPAM.Config. */
  pools: PoolConfigRecord[];
  options: Record<string, string>;
  labels: Record<string, string>;
  /** bridge, host and none: created by the daemon, cannot be removed. */
  predefined: boolean;
}

/** What a client asks for in `network create`, after edge validation. */
export interface CreateNetworkRequest
  extends Pick<
    NetworkRecord,
    'name' | 'driver' | 'enableIPv6' | 'enableIPv4' | 'internal' | 'attachable' | 'ingress' | 'configOnly' | 'configFrom' | 'ipamDriver' | 'ipamOptions' | 'options' | 'labels'
  > {
  scope?: Scope;
  ipamConfig: Array<{
    subnet?: string;
    ipRange?: string;
    gateway?: string;
    auxAddresses?: Record<string, string>;
  }>;
}

export interface NetworkFilters {
  name?: string[];
  id?: string[];
  driver?: string[];
  label?: string[];
  scope?: string[];
  type?: string[];
  dangling?: string[];
}

/** One container on a network, as `network inspect` lists it. */
export interface NetworkAttachment {
  containerId: string;
  name: string;
  endpointId: string;
  mac: string;
  ipv4Cidr: string;
  ipv6Cidr: string;
}

/** What a network is when nothing asks otherwise: Docker's defaults for `network create`. */
export const NETWORK_DEFAULTS = {
  enableIPv6: false,
  internal: false,
  attachable: false,
  ingress: false,
  configOnly: false,
  configFrom: '',
  ipamDriver: 'default',
  ipamOptions: null,
  labels: {},
} as const satisfies Partial<NetworkRecord>;
