// Published ports of running containers: the host port is reserved by a real socket (so another
// program holding it gives Docker's error), then mapped in the firewall as map elements. Done
// before the process starts, undone when it exits, re-reserved after a daemon restart.
import { conflict, TetherError } from '../errors.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { Firewaller, PortMapping, Proto } from '../firewall/firewaller.js';
import type { HostPortReservation, PortReservations } from '../firewall/port-reservations.js';
import { tryParseIp, type Ip } from '../ipam/address.js';
import type { ContainerRecord, PublishedPort } from '../model/container.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { NetworkRecord } from '../model/network.js';
import { Undo } from './undo.js';

interface PortRequest {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
  hostPortEnd?: number;
}

/** HostConfig.PortBindings plus, with -P, every exposed port without a binding. */
export function portRequests(c: ContainerRecord): PortRequest[] {
  const out: PortRequest[] = [];
  const keys = new Set(Object.keys(c.hostConfig.portBindings));
  const entries = Object.entries(c.hostConfig.portBindings);
  if (c.hostConfig.publishAllPorts) for (const k of c.config.exposedPorts) if (!keys.has(k)) entries.push([k, [{ hostIp: '', hostPort: '' }]]);
  for (const [key, bindings] of entries) {
    const [port, proto = 'tcp'] = key.split('/');
    for (const b of bindings.length > 0 ? bindings : [{ hostIp: '', hostPort: '' }]) {
      const [from, to] = (b.hostPort || '0').split('-').map(Number);
      out.push({ proto: proto as Proto, containerPort: Number(port), hostIp: b.hostIp, hostPort: from ?? 0, ...(to !== undefined ? { hostPortEnd: to } : {}) });
    }
  }
  return out;
}

const ip = (text: string): Ip => tryParseIp(text)!; // stored addresses were validated on the way in

export class PortPublisher {
  private readonly held = new Map<string, HostPortReservation[]>();

  constructor(
    private readonly firewall: Firewaller,
    private readonly reservations: PortReservations,
    private readonly drivers: DriverRegistry,
    /**
     * `--userland-proxy`: IPv6 clients of an IPv4-only container are relayed by tetherd
     * (family-proxy.ts), a case nft cannot translate. Off by default (decisions.md).
     */
    private readonly relayV6ToV4 = false,
  ) {}

  /** Publishes on the endpoint that carries the default route (Docker's gateway endpoint). */
  async publish(c: ContainerRecord, attached: Array<{ ep: EndpointRecord; net: NetworkRecord }>): Promise<PublishedPort[]> {
    const requests = portRequests(c);
    const publishable = attached.flatMap(({ ep, net }) => {
      const via = this.drivers.of(net).publishing(net);
      return via ? [{ ep, net, hostIpv4: via.hostIpv4 }] : [];
    });
    const target = publishable.find(({ ep }) => ep.defaultRoute) ?? publishable.find(({ ep }) => ep.ipv4);
    if (requests.length === 0 || !target) return [];
    const { ep, net, hostIpv4 } = target;
    const published: PublishedPort[] = [];
    const held: HostPortReservation[] = [];
    await Undo.run(async (undo) => {
      for (const r of requests) {
        // netfilter cannot translate between families: IPv6 host addresses serve an IPv4-only
        // container only through the opt-in relay; without it they are left out (decisions.md).
        // The IPv6 sockets relay ::1 clients in any case (family-proxy.ts).
        const target6 = ep.ipv6 ?? (ep.ipv4 && this.relayV6ToV4 ? ep.ipv4 : undefined);
        const hostIps = r.hostIp ? [r.hostIp] : [hostIpv4, ...(target6 ? ['::'] : [])];
        const usable = hostIps.filter((h) => (h.includes(':') ? !!target6 : !!ep.ipv4));
        if (usable.length === 0) continue;
        let res: HostPortReservation;
        try {
          res = await this.reservations.reserve({
            proto: r.proto,
            hostIps: usable.map(ip),
            hostPort: r.hostPort,
            ...(r.hostPortEnd ? { hostPortEnd: r.hostPortEnd } : {}),
            ...(target6 ? { relay: relayTo(target6, r.containerPort) } : {}),
          });
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          throw conflict(`driver failed programming external connectivity on endpoint ${c.name} (${ep.id}): ${msg}`, e instanceof TetherError ? e.code : 'port.taken');
        }
        undo.push('port reservation', () => res.release());
        held.push(res);
        for (const h of usable) {
          published.push({ proto: r.proto, containerPort: r.containerPort, hostIp: h, hostPort: res.hostPort, containerIp: h.includes(':') ? target6! : ep.ipv4!, networkId: net.id });
        }
      }
      const mappings = natMappings(published);
      if (mappings.length > 0) {
        await this.firewall.addPorts(mappings);
        undo.push('port mappings', () => this.firewall.removePorts(mappings));
      }
    });
    this.held.set(c.id, held);
    return published;
  }

  async unpublish(c: ContainerRecord): Promise<void> {
    const mappings = natMappings(c.published ?? []);
    if (mappings.length > 0) await this.firewall.removePorts(mappings);
    for (const r of this.held.get(c.id) ?? []) await r.release();
    this.held.delete(c.id);
  }

  /** After a restart: hold the ports of a container that kept running (the firewall is reconciled). */
  async restore(c: ContainerRecord): Promise<void> {
    const held: HostPortReservation[] = [];
    const byPort = new Map<string, PublishedPort[]>();
    for (const p of c.published ?? []) byPort.set(`${p.proto}/${p.hostPort}`, [...(byPort.get(`${p.proto}/${p.hostPort}`) ?? []), p]);
    for (const ps of byPort.values()) {
      const relayed = ps.find((p) => p.hostIp.includes(':'));
      held.push(await this.reservations.reserve({
        proto: ps[0]!.proto,
        hostIps: ps.map((p) => ip(p.hostIp)),
        hostPort: ps[0]!.hostPort,
        ...(relayed ? { relay: relayTo(relayed.containerIp, relayed.containerPort) } : {}),
      }));
    }
    this.held.set(c.id, held);
  }
}

/** An IPv6 host address published for an IPv4 container: served by the relay, not by nft. */
const crossesFamilies = (p: PublishedPort): boolean => p.hostIp.includes(':') !== p.containerIp.includes(':');

const relayTo = (containerIp: string, port: number) => ({ from: 6 as const, to: { ip: ip(containerIp), port } });

/** The DNAT map elements of published ports (relayed ones have none). */
export function natMappings(published: readonly PublishedPort[]): PortMapping[] {
  return published.filter((p) => !crossesFamilies(p)).map(toMapping);
}

function toMapping(p: PublishedPort): PortMapping {
  return { networkId: p.networkId, proto: p.proto, hostIp: ip(p.hostIp), hostPort: p.hostPort, containerIp: ip(p.containerIp), containerPort: p.containerPort };
}
