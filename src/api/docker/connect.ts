// `POST /networks/{id}/connect|disconnect` bodies. The docker CLI 28 sends the whole
// EndpointSettings with empty values ("", 0, null); empty means unset.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { ConnectRequest, DisconnectRequest } from '../../model/endpoint.js';
import { parseBody, validationError } from './validate.js';

export const endpointSettings = z
  .object({
    IPAMConfig: z
      .object({
        IPv4Address: z.string().nullish(),
        IPv6Address: z.string().nullish(),
        LinkLocalIPs: z.array(z.string()).nullish(),
      })
      .nullish(),
    Links: z.array(z.string()).nullish(),
    Aliases: z.array(z.string()).nullish(),
    MacAddress: z.string().nullish(),
    DriverOpts: z.record(z.string()).nullish(),
    GwPriority: z.number().int().nullish(),
    DNSNames: z.array(z.string()).nullish(),
  })
  .passthrough(); // NetworkID, EndpointID, IPAddress…: output fields the CLI echoes back

const connectBody = z.object({ Container: z.string(), EndpointConfig: endpointSettings.nullish() });
const disconnectBody = z.object({ Container: z.string(), Force: z.boolean().nullish() });

const MAC = /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/;

export type EndpointSettingsBody = z.output<typeof endpointSettings>;

/** The endpoint part shared by connect and container create's NetworkingConfig. */
export function toEndpointRequest(es: EndpointSettingsBody | null | undefined): Omit<ConnectRequest, 'container'> {
  const mac = es?.MacAddress || undefined;
  if (mac !== undefined && !MAC.test(mac)) throw validationError(`invalid MacAddress: ${mac}`);
  const linkLocal = (es?.IPAMConfig?.LinkLocalIPs ?? []).filter(Boolean);
  const badLinkLocal = linkLocal.find((ip) => isIP(ip) === 0);
  if (badLinkLocal !== undefined) throw validationError(`invalid IPAMConfig.LinkLocalIPs: ${badLinkLocal} is not an IP address`);
  return {
    ipv4: es?.IPAMConfig?.IPv4Address || undefined,
    ipv6: es?.IPAMConfig?.IPv6Address || undefined,
    ...(linkLocal.length > 0 ? { linkLocalIPs: linkLocal } : {}),
    aliases: es?.Aliases ?? [],
    links: es?.Links ?? [],
    mac: mac?.toLowerCase(),
    driverOpts: es?.DriverOpts ?? {},
  };
}

export function parseConnect(body: unknown): ConnectRequest {
  const b = parseBody(connectBody, body);
  if (b.Container === '') throw validationError('invalid Container: a container name or id is required');
  return { container: b.Container, ...toEndpointRequest(b.EndpointConfig) };
}

export function parseDisconnect(body: unknown): DisconnectRequest {
  const b = parseBody(disconnectBody, body);
  if (b.Container === '') throw validationError('invalid Container: a container name or id is required');
  return { container: b.Container, force: b.Force ?? false };
}
