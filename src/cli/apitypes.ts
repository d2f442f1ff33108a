// Go type descriptions of Engine API objects as the docker CLI (v28) declares them, used to give
// `inspect -f` templates the typed view docker evaluates first (see format/gotype.ts). Field order
// is the Go struct order; it decides `{{json .}}` output and `{{.}}` printing.

import { f, type StructType } from './format/gotype.js';

const stringMap = { map: 'string' } as const;

const ipamConfig: StructType = {
  struct: 'network.IPAMConfig',
  fields: [
    f('Subnet', 'string', { omitempty: true }),
    f('IPRange', 'string', { omitempty: true }),
    f('Gateway', 'string', { omitempty: true }),
    f('AuxAddress', stringMap, { json: 'AuxiliaryAddresses', omitempty: true }),
  ],
};

const endpointResource: StructType = {
  struct: 'network.EndpointResource',
  fields: [f('Name', 'string'), f('EndpointID', 'string'), f('MacAddress', 'string'), f('IPv4Address', 'string'), f('IPv6Address', 'string')],
};

const task: StructType = {
  struct: 'network.Task',
  fields: [f('Name', 'string'), f('EndpointID', 'string'), f('EndpointIP', 'string'), f('Info', stringMap)],
};

/** github.com/docker/docker/api/types/network.Inspect (v28). */
export const networkInspectType: StructType = {
  struct: 'network.Inspect',
  fields: [
    f('Name', 'string'),
    f('ID', 'string', { json: 'Id' }),
    f('Created', 'time'),
    f('Scope', 'string'),
    f('Driver', 'string'),
    f('EnableIPv4', 'bool'),
    f('EnableIPv6', 'bool'),
    f('IPAM', {
      struct: 'network.IPAM',
      fields: [f('Driver', 'string'), f('Options', stringMap), f('Config', { slice: ipamConfig })],
    }),
    f('Internal', 'bool'),
    f('Attachable', 'bool'),
    f('Ingress', 'bool'),
    f('ConfigFrom', { struct: 'network.ConfigReference', fields: [f('Network', 'string')] }),
    f('ConfigOnly', 'bool'),
    f('Containers', { map: endpointResource }),
    f('Options', stringMap),
    f('Labels', stringMap),
    f('Peers', { slice: { struct: 'network.PeerInfo', fields: [f('Name', 'string'), f('IP', 'string')] } }, { omitempty: true }),
    f(
      'Services',
      {
        map: {
          struct: 'network.ServiceInfo',
          fields: [f('VIP', 'string'), f('Ports', { slice: 'string' }), f('LocalLBIndex', 'int'), f('Tasks', { slice: task })],
        },
      },
      { omitempty: true },
    ),
  ],
};

/** The fields of a network summary as `network ls` reads them (a subset of Inspect). */
export interface NetworkSummary {
  Name: string;
  Id: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Ingress?: boolean;
  Labels?: Record<string, string> | null;
}
