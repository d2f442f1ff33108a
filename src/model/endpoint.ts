// Endpoints: a container's attachment to one network while it runs, and the connect and
// disconnect requests that make and remove them, after edge validation.

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
  /** This endpoint's gateway is the sandbox's default route. */
  defaultRoute: boolean;
  /** On a global (cluster) network: the host it lives on, so every other host can reach it. */
  host?: ClusterHost;
}

/** A tetherd of a cluster: its name (Docker's Peers[].Name) and underlay address (--cluster-advertise). */
export interface ClusterHost {
  name: string;
  address: string;
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
