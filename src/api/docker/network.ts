// Docker's network JSON: NetworkRecord → the exact keys, order and null/{} conventions of
// dockerd (INDEX 01/03/09), and the create body → a typed CreateNetworkRequest.
import { z } from 'zod';
import type { ClusterHost } from '../../model/endpoint.js';
import type { CreateNetworkRequest, DriverName, NetworkAttachment, NetworkRecord } from '../../model/network.js';
import { parseBody, validationError } from './validate.js';

/** peers: the hosts with endpoints on a cluster network; Docker's inspect shows Peers only when there are some. */
export function toDockerNetwork(net: NetworkRecord, attachments: NetworkAttachment[] = [], peers: ClusterHost[] = []) {
  const containers = Object.fromEntries(
    attachments.map((a) => [a.containerId, { Name: a.name, EndpointID: a.endpointId, MacAddress: a.mac, IPv4Address: a.ipv4Cidr, IPv6Address: a.ipv6Cidr }]),
  );
  return {
    Name: net.name,
    Id: net.id,
    Created: net.created,
    Scope: net.scope,
    Driver: net.driver,
    // Docker 28 (API 1.48) shows EnableIPv4 before EnableIPv6. Shown to every client: older ones
    // ignore an unknown key, and hiding it would make an IPv6-only network look dual-stack.
    EnableIPv4: net.enableIPv4 !== false,
    EnableIPv6: net.enableIPv6,
    IPAM: {
      Driver: net.ipamDriver,
      Options: net.ipamOptions,
      Config: net.pools.map((p) => ({
        Subnet: p.subnet,
        ...(p.ipRange !== undefined ? { IPRange: p.ipRange } : {}),
        ...(p.gatewayExplicit || p.poolAssigned ? { Gateway: p.gateway } : {}),
        ...(Object.keys(p.auxAddresses).length > 0 ? { AuxiliaryAddresses: p.auxAddresses } : {}),
      })),
    },
    Internal: net.internal,
    Attachable: net.attachable,
    Ingress: net.ingress,
    ConfigFrom: { Network: net.configFrom },
    ConfigOnly: net.configOnly,
    Containers: containers,
    Options: net.options,
    Labels: net.labels,
    ...(peers.length > 0 ? { Peers: peers.map((p) => ({ Name: p.name, IP: p.address })) } : {}),
  };
}

// What Docker accepts (decisions.md): any printable characters except `/`, which cannot be
// addressed in an API path; control characters could forge lines in logs and `network ls`.
// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const NAME = /^[^/\u0000-\u001f\u007f]+$/;
export const MAX_NAME = 128;

const stringMap = z.record(z.string()).nullish().transform((m) => m ?? {});

const ipamConfig = z.object({
  Subnet: z.string().nullish(),
  IPRange: z.string().nullish(),
  Gateway: z.string().nullish(),
  AuxiliaryAddresses: z.record(z.string()).nullish(),
});

const createBody = z.object({
  Name: z.string(),
  CheckDuplicate: z.boolean().nullish(), // deprecated; a duplicate name is always 409
  Driver: z.string().nullish(),
  Scope: z.string().nullish(),
  EnableIPv6: z.boolean().nullish(),
  EnableIPv4: z.boolean().nullish(),
  Internal: z.boolean().nullish(),
  Attachable: z.boolean().nullish(),
  Ingress: z.boolean().nullish(),
  ConfigOnly: z.boolean().nullish(),
  ConfigFrom: z.object({ Network: z.string() }).nullish(),
  IPAM: z
    .object({
      Driver: z.string().nullish(),
      Config: z.array(ipamConfig).nullish(),
      Options: z.record(z.string()).nullish(),
    })
    .nullish(),
  Options: stringMap,
  Labels: stringMap,
});

/** Validates a `POST /networks/create` body; every refusal names the field. */
export function parseCreateNetwork(body: unknown): CreateNetworkRequest {
  const b = parseBody(createBody, body);
  const name = b.Name;
  if (name === '') throw validationError('invalid name: ');
  if (name.length > MAX_NAME) throw validationError(`invalid network name: longer than ${MAX_NAME} characters`);
  if (!NAME.test(name)) {
    throw validationError(`invalid network name "${JSON.stringify(name).slice(1, -1)}": "/" and control characters are not allowed`);
  }
  // Docker 28's check (daemon/network.go): a network needs at least one address family.
  if (b.EnableIPv4 === false && b.EnableIPv6 !== true) throw validationError('IPv4 or IPv6 must be enabled');
  const ipamDriver = b.IPAM?.Driver || 'default';
  if (ipamDriver !== 'default') throw validationError(`IPAM.Driver: unknown IPAM driver "${ipamDriver}"; only "default" is available`);
  const scope = b.Scope || undefined;
  if (scope !== undefined && !['local', 'global', 'swarm'].includes(scope)) {
    throw validationError(`Scope: invalid network scope "${scope}"`);
  }
  return {
    name,
    driver: (b.Driver || 'bridge') as DriverName, // the registry refuses unknown drivers with 404
    scope: scope as CreateNetworkRequest['scope'],
    enableIPv6: b.EnableIPv6 ?? false,
    enableIPv4: b.EnableIPv4 ?? true,
    internal: b.Internal ?? false,
    attachable: b.Attachable ?? false,
    ingress: b.Ingress ?? false,
    configOnly: b.ConfigOnly ?? false,
    configFrom: b.ConfigFrom?.Network ?? '',
    ipamDriver,
    ipamOptions: b.IPAM?.Options ?? null,
    ipamConfig: (b.IPAM?.Config ?? []).map((c) => ({
      subnet: c.Subnet || undefined,
      ipRange: c.IPRange || undefined,
      gateway: c.Gateway || undefined,
      auxAddresses: c.AuxiliaryAddresses ?? undefined,
    })),
    options: b.Options,
    labels: b.Labels,
  };
}
