// network.EndpointSettings exactly as the docker CLI marshals it (Go field order, empty
// operational fields included), shared by `network connect` and `run`/`create`, whose
// NetworkingConfig.EndpointsConfig entries have the same shape.

export interface EndpointOptions {
  /** EndpointIPAMConfig; null marshals as `"IPAMConfig":null` (no address given to `run`). */
  ipam: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  links: string[] | null;
  aliases: string[] | null;
  macAddress?: string;
  driverOpts: Record<string, string> | null;
  gwPriority?: number;
}

export function endpointSettings(o: EndpointOptions): Record<string, unknown> {
  const ipam = o.ipam && {
    // omitempty on each address field
    IPv4Address: o.ipam.IPv4Address || undefined,
    IPv6Address: o.ipam.IPv6Address || undefined,
    LinkLocalIPs: o.ipam.LinkLocalIPs?.length ? o.ipam.LinkLocalIPs : undefined,
  };
  return {
    IPAMConfig: ipam,
    Links: o.links,
    Aliases: o.aliases,
    MacAddress: o.macAddress ?? '',
    DriverOpts: o.driverOpts,
    GwPriority: o.gwPriority ?? 0,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}
