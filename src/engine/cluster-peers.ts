// The cluster's data plane as this host sees it: for every global network with an endpoint
// here, the endpoints of the other hosts, programmed into the driver (peer(): FDB and neighbour
// entries for the overlay) and the embedded DNS, from the cluster store's watch. As Kubernetes'
// informers: list at revision R, apply, watch from R+1; when the store ends the watch (its
// revision compacted away) list again, apply the difference, and watch on. While the store is
// unreachable its client resumes the watch from its revision by itself, so nothing is missed;
// a listing that fails is retried until the store answers.
//
// Membership: this host's endpoints carry its host lease (the cluster store's), so when it
// dies they vanish from every peer's watch within the TTL; at start it reclaims the ones it
// still has, under its new lease, before the old one expires.
import type { DnsRecords } from '../dns/records.js';
import type { DriverContext, RemoteEndpoint } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { ClusterHost, EndpointRecord } from '../model/endpoint.js';
import type { Logger } from '../model/logger.js';
import type { NetworkRecord } from '../model/network.js';
import type { ClusterStore, EndpointEvent, EndpointWatch } from '../store/cluster-store.js';
import { serial, type Serial } from '../store/serial.js';
import type { Row, Store } from '../store/store.js';
import { dnsEndpoint } from './dns-endpoint.js';
import type { EndpointObserver } from './endpoints.js';

export interface ClusterDeps {
  /** The cluster store: watches and reclaim. */
  cluster: ClusterStore;
  /** The engine's store (records of both scopes). */
  store: Store;
  self: ClusterHost;
  drivers: DriverRegistry;
  ctx: DriverContext;
  dns: DnsRecords;
  log: Logger;
}

/** How long to wait before listing again after the store failed to answer. */
const RETRY_MS = 1000;

/** One global network followed: the remote endpoints as programmed, and its watch. */
class Follow {
  /** endpoint id → what peer() was told. */
  private readonly remotes = new Map<string, RemoteEndpoint>();
  private watch: EndpointWatch | undefined;
  private closed = false;
  /** Events and relists apply one at a time, in order. */
  private readonly queue: Serial = serial();

  constructor(
    private readonly net: NetworkRecord,
    private readonly d: ClusterDeps,
  ) {}

  /**
   * Lists, applies, watches. A failure is retried in the background until closed: the caller
   * (a join, the start) goes on with what the last listing programmed.
   */
  sync(): Promise<void> {
    return this.queue(async () => {
      if (this.closed) return;
      try {
        await this.relist();
      } catch (e) {
        this.d.log.warn('cannot follow the endpoints of a global network; retrying', { network: this.net.name, error: String(e) });
        setTimeout(() => void this.sync(), RETRY_MS).unref();
      }
    });
  }

  private async relist(): Promise<void> {
    await this.watch?.close().catch(() => undefined);
    const { rows, revision } = await this.d.cluster.endpointsAt(this.net.id);
    const present = new Set<string>();
    for (const row of rows) if (await this.apply(row.doc.id, row)) present.add(row.doc.id);
    for (const id of [...this.remotes.keys()]) if (!present.has(id)) await this.apply(id, undefined);
    if (this.closed) return;
    this.watch = await this.d.cluster.watchEndpoints(
      this.net.id,
      revision + 1,
      (e: EndpointEvent) => void this.queue(() => this.apply(e.endpointId, e.row)),
      (e: Error) => {
        this.d.log.warn('the watch of a global network ended; listing again', { network: this.net.name, error: String(e) });
        void this.sync();
      },
    );
  }

  /** Brings one endpoint in line with its row (undefined: gone). True when it is a live remote one. */
  private async apply(id: string, row: Row<EndpointRecord> | undefined): Promise<boolean> {
    const ep = row?.doc;
    const live = ep !== undefined && row!.status !== 'removing' && ep.host !== undefined && ep.host.address !== this.d.self.address;
    const before = this.remotes.get(id);
    if (live) {
      const remote: RemoteEndpoint = { endpointId: id, host: ep.host!.address, mac: ep.mac, ...(ep.ipv4 ? { ipv4: ep.ipv4 } : {}), ...(ep.ipv6 ? { ipv6: ep.ipv6 } : {}) };
      if (!before || JSON.stringify(before) !== JSON.stringify(remote)) {
        if (before) await this.peer(before, false); // moved or re-addressed
        this.remotes.set(id, remote);
        await this.peer(remote, true);
      }
      // The name only once the path is there: a client that resolved it before its neighbour
      // entry existed would see its ARP go unanswered and retry a second later.
      this.d.dns.upsertEndpoint(dnsEndpoint(ep, this.net));
      return true;
    }
    if (before) {
      this.remotes.delete(id);
      this.d.dns.removeEndpoint(id);
      await this.peer(before, false);
    }
    return false;
  }

  private async peer(ep: RemoteEndpoint, present: boolean): Promise<void> {
    try {
      await this.d.drivers.of(this.net).peer?.(this.d.ctx, this.net, ep, present);
    } catch (e) {
      this.d.log.error('the driver could not program a peer', { network: this.net.name, endpoint: ep.endpointId, present, error: String(e) });
    }
  }

  /** Stops following; with forget, every remote endpoint is unprogrammed too. */
  async close(forget: boolean): Promise<void> {
    this.closed = true;
    await this.watch?.close().catch(() => undefined);
    if (forget) await this.queue(async () => void (await Promise.all([...this.remotes.keys()].map((id) => this.apply(id, undefined)))));
  }
}

export class ClusterPeers implements EndpointObserver {
  private readonly follows = new Map<string, Follow>();
  /** A network's kernel side comes with the first endpoint here and goes with the last: one at a time. */
  private readonly here: Serial = serial();

  constructor(private readonly d: ClusterDeps) {}

  private isGlobal(net: NetworkRecord): boolean {
    return this.d.drivers.of(net).scope === 'global';
  }

  /** At start: reclaims this host's endpoints and follows their networks. */
  async start(): Promise<void> {
    const mine = await this.reclaim().catch((e: unknown) => {
      this.d.log.error('cannot reclaim this host’s endpoints; they expire with the old lease', { error: String(e) });
      return [];
    });
    for (const networkId of new Set(mine.map((ep) => ep.networkId))) {
      const net = (await this.d.store.network(networkId))?.doc;
      if (net) await this.joining(net).catch((e: unknown) => this.d.log.error('cannot restore a global network here', { network: net.name, error: String(e) }));
    }
  }

  /**
   * Puts this host's endpoints still in the store under its current lease (after a restart, or
   * a lease lost while the store was out of reach); returns them. Throws while the store is
   * unreachable. Those already expired are the engine's to rejoin (rejoin-expired.ts).
   */
  async reclaim(): Promise<EndpointRecord[]> {
    const mine = (await this.d.store.endpoints()).map((r) => r.doc).filter((ep) => ep.host?.address === this.d.self.address);
    const gone = await this.d.cluster.reclaim(mine.map((ep) => ep.id));
    for (const id of gone) this.d.log.error('an endpoint of this host expired while it was away', { endpoint: id });
    return mine.filter((ep) => !gone.includes(ep.id));
  }

  /** Before an endpoint here joins a global network: its kernel side on this host, and its peers. */
  async joining(net: NetworkRecord): Promise<void> {
    if (!this.isGlobal(net)) return;
    await this.here(async () => {
      await this.d.drivers.of(net).createNetwork(this.d.ctx, net);
      await this.follow(net);
    });
  }

  endpointUp(): void {}

  endpointDown(): void {}

  /**
   * The last endpoint here left: the network's other hosts no longer matter to this one, and its
   * kernel side goes too, as libnetwork's overlay drops a host's sandbox with its last endpoint.
   * Only then may the network be removed (its endpoints, on any host, refuse the remove), so a
   * remove on another host leaves nothing here.
   */
  async left(ep: EndpointRecord, net: NetworkRecord): Promise<void> {
    if (!this.isGlobal(net)) return;
    await this.here(async () => {
      const others = (await this.d.store.endpoints({ networkId: net.id })).filter((r) => r.doc.id !== ep.id && r.doc.host?.address === this.d.self.address);
      if (others.length > 0) return;
      const f = this.follows.get(net.id);
      this.follows.delete(net.id);
      await f?.close(true);
      await this.d.drivers.of(net).deleteNetwork(this.d.ctx, net);
    });
  }

  private follow(net: NetworkRecord): Promise<void> {
    let f = this.follows.get(net.id);
    if (f) return Promise.resolve();
    f = new Follow(net, this.d);
    this.follows.set(net.id, f);
    return f.sync();
  }

  async close(): Promise<void> {
    await Promise.all([...this.follows.values()].map((f) => f.close(false)));
    this.follows.clear();
  }
}
