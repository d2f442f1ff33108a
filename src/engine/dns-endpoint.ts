// An endpoint as the embedded DNS knows it: the same for a container here and one on another
// host of a global network (whose hostname is among its dnsNames already).
import type { DnsEndpoint } from '../dns/records.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { NetworkRecord } from '../model/network.js';

export function dnsEndpoint(ep: EndpointRecord, net: NetworkRecord, hostname?: string): DnsEndpoint {
  return {
    endpointId: ep.id,
    networkId: net.id,
    networkName: net.name,
    internal: net.internal,
    containerId: ep.containerId,
    containerName: ep.name,
    hostname,
    aliases: ep.dnsNames.filter((n) => n !== ep.name),
    ...(ep.ipv4 ? { ipv4: ep.ipv4 } : {}),
    ...(ep.ipv6 ? { ipv6: ep.ipv6 } : {}),
  };
}
