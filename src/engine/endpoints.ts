// Endpoints: a container's attachment to one network while it runs. The address is leased and
// the row written 'creating' in one transaction before any kernel work; the row turns 'ready'
// when the veth is in place, so a crash in between is rolled back by reconcile.
import { isIP } from 'node:net';
import { forbidden, invalid } from '../errors.js';
import type { DriverContext, JoinSpec } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { formatIp } from '../ipam/address.js';
import { allocateEndpoint, macFromIPv4 } from '../ipam/address-allocator.js';
import { poolConfigFromRecord } from '../ipam/network-config.js';
import type { Store, StoreTx } from '../store/store.js';
import type { ContainerRecord, WantedAttachment } from '../model/container.js';
import { crashPoint } from './crash-points.js';
import { newId } from '../model/ids.js';
import type { ClusterHost, EndpointRecord } from '../model/endpoint.js';
import type { NetworkRecord } from '../model/network.js';

export interface SandboxRef {
  containerId: string;
  netnsPath: string;
}

/** Told about every endpoint that comes up or goes down (embedded DNS, firewall ports). */
export interface EndpointObserver {
  /** Before the driver joins an endpoint to net (the cluster makes a global network's kernel side here). */
  joining?(net: NetworkRecord): Promise<void>;
  endpointUp(ep: EndpointRecord, net: NetworkRecord): Promise<void> | void;
  endpointDown(ep: EndpointRecord, net: NetworkRecord): Promise<void> | void;
  /** After the driver let the endpoint go (its row is still there, 'removing'). */
  left?(ep: EndpointRecord, net: NetworkRecord): Promise<void>;
}

/** The names the embedded DNS answers for an endpoint (INDEX 04); link aliases are the linker's own view, kept by the resolver. */
function dnsNames(c: ContainerRecord, want: WantedAttachment): string[] {
  const names = [c.name, c.id.slice(0, 12), ...want.aliases];
  if (c.config.hostname && c.config.hostname !== c.id.slice(0, 12)) names.push(c.config.hostname);
  return [...new Set(names)];
}

export class Endpoints {
  private readonly observers: EndpointObserver[] = [];

  constructor(
    private readonly store: Store,
    private readonly ctx: DriverContext,
    private readonly drivers: DriverRegistry,
    /** Cluster mode: this host, which endpoints of global networks name as theirs. */
    private readonly host?: ClusterHost,
  ) {}

  observe(o: EndpointObserver): void {
    this.observers.push(o);
  }

  async attach(c: ContainerRecord, want: WantedAttachment, sb: SandboxRef, ifIndex: number, defaultRoute: boolean): Promise<EndpointRecord> {
    const net = (await this.store.network(want.networkId))?.doc;
    if (!net) throw invalid(`network ${want.networkId} not found`, 'network.notFound');
    if (net.configOnly) throw forbidden('cannot create endpoint on configuration-only network', 'network.configOnly');
    const ep = await this.store.tx((t) => this.reserve(t, c, net, want, ifIndex, defaultRoute));
    try {
      await crashPoint('endpoint.reserved');
      for (const o of this.observers) await o.joining?.(net);
      await this.drivers.of(net).join(this.ctx, net, this.joinSpec(ep, sb, net));
      await crashPoint('endpoint.joined');
      await this.store.setEndpointStatus(ep.id, 'ready');
      for (const o of this.observers) await o.endpointUp(ep, net);
    } catch (e) {
      await this.detach(ep, sb.netnsPath).catch((ue: unknown) => this.ctx.log.error('rollback of endpoint failed', { endpoint: ep.id, error: String(ue) }));
      throw e;
    }
    return ep;
  }

  /**
   * Removes an endpoint: kernel side, observers, row and lease. Idempotent. netnsPath: the
   * sandbox when it outlives the endpoint (a disconnect), so a driver whose link lives only in
   * there can remove it; '' when the sandbox goes too and takes such links with it.
   */
  async detach(ep: EndpointRecord, netnsPath = ''): Promise<void> {
    const net = (await this.store.network(ep.networkId))?.doc;
    await this.store.setEndpointStatus(ep.id, 'removing');
    if (net) {
      for (const o of this.observers) await o.endpointDown(ep, net);
      await this.drivers.of(net).leave(this.ctx, net, this.joinSpec(ep, { containerId: ep.containerId, netnsPath }, net));
      for (const o of this.observers) await o.left?.(ep, net);
    }
    await this.store.deleteEndpoint(ep.id);
  }

  /** A container was renamed: its endpoints answer to the new name at once (DNS included). */
  async rename(containerId: string, oldName: string, newName: string): Promise<void> {
    for (const { doc: ep, status } of await this.store.endpoints({ containerId })) {
      const renamed = { ...ep, name: newName, dnsNames: ep.dnsNames.map((n) => (n === oldName ? newName : n)) };
      await this.store.putEndpoint(renamed, status);
      const net = (await this.store.network(ep.networkId))?.doc;
      if (net && status === 'ready') for (const o of this.observers) await o.endpointUp(renamed, net);
    }
  }

  /** Gives the sandbox a new default route through ep (after the previous provider left). */
  async takeDefaultRoute(ep: EndpointRecord, net: NetworkRecord, sb: SandboxRef): Promise<void> {
    if (net.internal || (!ep.gateway4 && !ep.gateway6)) return;
    await this.drivers.of(net).routeDefault(this.ctx, net, { ...this.joinSpec(ep, sb, net), gateways: gatewaysOf(ep) });
    const updated = { ...ep, defaultRoute: true };
    await this.store.putEndpoint(updated, 'ready');
  }

  private async reserve(t: StoreTx, c: ContainerRecord, net: NetworkRecord, want: WantedAttachment, ifIndex: number, defaultRoute: boolean): Promise<EndpointRecord> {
    if ((await t.network(net.id))?.status !== 'ready') throw invalid(`network ${net.name} not found`, 'network.notFound');
    if ((await t.endpoints({ containerId: c.id })).some((r) => r.doc.networkId === net.id)) {
      throw forbidden(`endpoint with name ${c.name} already exists in network ${net.name}`, 'endpoint.exists');
    }
    const id = newId();
    const base: EndpointRecord = {
      id,
      networkId: net.id,
      containerId: c.id,
      name: c.name,
      mac: '',
      aliases: want.aliases,
      dnsNames: dnsNames(c, want),
      ...(want.ipv4 ? { requestedIpv4: want.ipv4 } : {}),
      ...(want.ipv6 ? { requestedIpv6: want.ipv6 } : {}),
      ...(want.linkLocalIPs?.length ? { linkLocalIPs: want.linkLocalIPs } : {}),
      ifname: `eth${ifIndex}`,
      defaultRoute: false,
      ...(this.host && this.drivers.of(net).scope === 'global' ? { host: this.host } : {}),
    };
    if (this.drivers.of(net).ipam === 'none') {
      await t.putEndpoint(base, 'creating');
      return base;
    }
    if ((want.ipv4 || want.ipv6) && net.predefined) {
      throw invalid('user specified IP address is supported on user defined networks only', 'ipam.staticOnDefault');
    }
    const pools = net.pools.map(poolConfigFromRecord);
    const got = allocateEndpoint(pools, { ipv4: want.ipv4, ipv6: want.ipv6 }, await t.leases(net.id), net);
    const ep: EndpointRecord = {
      ...base,
      mac: want.mac ?? (got.ipv4 ? macFromIPv4(got.ipv4.address) : randomMac()),
      // An IPv6-only endpoint gives the default route too (Docker 28, EnableIPv4=false).
      defaultRoute: defaultRoute && !net.internal && (got.ipv4 !== undefined || got.ipv6 !== undefined),
      ...(got.ipv4 ? { ipv4: formatIp(got.ipv4.address), prefix4: got.ipv4.prefixLength, gateway4: formatIp(got.ipv4.gateway) } : {}),
      ...(got.ipv6 ? { ipv6: formatIp(got.ipv6.address), prefix6: got.ipv6.prefixLength, gateway6: formatIp(got.ipv6.gateway) } : {}),
    };
    await t.putEndpoint(ep, 'creating');
    for (const a of [ep.ipv4, ep.ipv6]) if (a) await t.addLease(net.id, a, ep.id);
    return ep;
  }

  private joinSpec(ep: EndpointRecord, sb: SandboxRef, net: NetworkRecord): JoinSpec {
    const addresses = [
      ...(ep.ipv4 ? [`${ep.ipv4}/${ep.prefix4}`] : []),
      ...(ep.ipv6 ? [`${ep.ipv6}/${ep.prefix6}`] : []),
      // Link-local addresses take their range's prefix (169.254/16, fe80::/64), as libnetwork's do.
      ...(ep.linkLocalIPs ?? []).map((ip) => `${ip}/${isIP(ip) === 6 ? 64 : 16}`),
    ];
    const gateways = ep.defaultRoute && !net.internal ? gatewaysOf(ep) : [];
    return { endpointId: ep.id, netnsPath: sb.netnsPath, ifname: ep.ifname, mac: ep.mac, addresses, gateways };
  }
}

function gatewaysOf(ep: EndpointRecord): string[] {
  return [ep.gateway4, ep.gateway6].filter((g): g is string => !!g);
}

function randomMac(): string {
  const b = [...crypto.getRandomValues(new Uint8Array(6))];
  b[0] = (b[0]! & 0xfe) | 0x02; // locally administered, unicast
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
