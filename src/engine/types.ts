// The CNM domain objects as the engine keeps them. Plain data, validated once at the API edge;
// nothing here knows Docker's PascalCase (api/docker/ converts) or HTTP.

export type DriverName = 'bridge' | 'host' | 'null' | 'macvlan' | 'ipvlan' | 'overlay';
export type Scope = 'local' | 'global' | 'swarm';

import type { PoolConfigRecord } from '../ipam/network-config.js';

export interface NetworkRecord {
  id: string;
  name: string;
  driver: DriverName;
  scope: Scope;
  /** RFC 3339 with nanoseconds, as Docker prints it. */
  created: string;
  enableIPv6: boolean;
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
    'name' | 'driver' | 'enableIPv6' | 'internal' | 'attachable' | 'ingress' | 'configOnly' | 'configFrom' | 'ipamDriver' | 'ipamOptions' | 'options' | 'labels'
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

/** An attachment of a container to a network, while the container runs. */
export interface EndpointRecord {
  id: string;
  networkId: string;
  containerId: string;
  /** The container's name (Docker lists endpoints by it). */
  name: string;
  ipv4?: string; // address without prefix
  prefix4?: number;
  gateway4?: string;
  ipv6?: string;
  prefix6?: number;
  gateway6?: string;
  mac: string;
  /** Network-scoped aliases the user gave (--network-alias, connect --alias). */
  aliases: string[];
  /** Names the embedded DNS answers for this endpoint: name, short id, hostname, aliases, link aliases. */
  dnsNames: string[];
  /** The static addresses asked for (IPAMConfig), so inspect shows them. */
  requestedIpv4?: string;
  requestedIpv6?: string;
  /** `--link-local-ip`: added to the interface as given, outside IPAM. */
  linkLocalIPs?: string[];
  ifname: string;
  hostIfname: string;
  /** This endpoint's gateway is the sandbox's default route. */
  defaultRoute: boolean;
}

/** `network connect` (and one network of `run`), after edge validation. */
export interface ConnectRequest {
  container: string;
  ipv4?: string;
  ipv6?: string;
  aliases: string[];
  links: string[];
  mac?: string;
  linkLocalIPs?: string[];
  driverOpts: Record<string, string>;
}

export interface DisconnectRequest {
  container: string;
  force: boolean;
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
