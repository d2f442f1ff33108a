// The remote endpoints of one overlay network on this host (libnetwork's peerdb): what the VXLAN
// device must know so that nothing floods — a static FDB entry (MAC → the host it lives on) and a
// permanent neighbour entry (IP → MAC, answered by the device's ARP/ND proxy) for each. Kept in
// memory so that calls are idempotent, so that a late "absent" for an address another endpoint
// has since taken does not delete the newcomer's entry, and so that a namespace made after the
// peers arrived (or remade after a restart) is programmed with all of them at once.
import type { IpLine } from '../../kernel/kernel.js';
import type { RemoteEndpoint } from '../driver.js';

export interface PeerLines {
  /** `ip` lines: neighbour entries. */
  neigh: IpLine[];
  /** `bridge` lines: FDB entries. */
  fdb: IpLine[];
}

const same = (a: RemoteEndpoint, b: RemoteEndpoint): boolean => a.host === b.host && a.mac === b.mac && a.ipv4 === b.ipv4 && a.ipv6 === b.ipv6;
const ips = (ep: RemoteEndpoint): string[] => [ep.ipv4, ep.ipv6].filter((a): a is string => !!a);

export class PeerTable {
  private readonly byEndpoint = new Map<string, RemoteEndpoint>();
  /** Endpoints claiming an address, latest last (the one programmed). */
  private readonly ipOwners = new Map<string, string[]>();
  /** Endpoints behind a MAC on a host: the FDB entry stays while any is left. */
  private readonly fdbUsers = new Map<string, number>();

  constructor(private readonly vxlan: string) {}

  get size(): number {
    return this.byEndpoint.size;
  }

  /** Records the change and returns the lines that make the kernel match it. */
  change(ep: RemoteEndpoint, present: boolean): PeerLines {
    const out: PeerLines = { neigh: [], fdb: [] };
    const old = this.byEndpoint.get(ep.endpointId);
    if (old && present && same(old, ep)) {
      this.add(ep, out); // replace lines again: converges a kernel that lost them, counts nothing twice
      return out;
    }
    if (old) this.remove(old, out);
    if (present) {
      this.byEndpoint.set(ep.endpointId, ep);
      for (const ip of ips(ep)) this.ipOwners.set(ip, [...(this.ipOwners.get(ip) ?? []), ep.endpointId]);
      const key = `${ep.mac} ${ep.host}`;
      this.fdbUsers.set(key, (this.fdbUsers.get(key) ?? 0) + 1);
      this.add(ep, out);
    }
    return out;
  }

  /** Every entry, for a namespace just made. */
  all(): PeerLines {
    const out: PeerLines = { neigh: [], fdb: [] };
    for (const ep of this.byEndpoint.values()) this.add(ep, out);
    return out;
  }

  private add(ep: RemoteEndpoint, out: PeerLines): void {
    for (const ip of ips(ep)) out.neigh.push(['neigh', 'replace', ip, 'lladdr', ep.mac, 'dev', this.vxlan, 'nud', 'permanent']);
    out.fdb.push(['fdb', 'replace', ep.mac, 'dev', this.vxlan, 'dst', ep.host, 'self', 'permanent']);
  }

  private remove(ep: RemoteEndpoint, out: PeerLines): void {
    this.byEndpoint.delete(ep.endpointId);
    for (const ip of ips(ep)) {
      const owners = (this.ipOwners.get(ip) ?? []).filter((id) => id !== ep.endpointId);
      const heir = owners.length > 0 ? this.byEndpoint.get(owners[owners.length - 1]!) : undefined;
      if (owners.length > 0) this.ipOwners.set(ip, owners);
      else this.ipOwners.delete(ip);
      out.neigh.push(heir ? ['neigh', 'replace', ip, 'lladdr', heir.mac, 'dev', this.vxlan, 'nud', 'permanent'] : ['neigh', 'del', ip, 'dev', this.vxlan]);
    }
    const key = `${ep.mac} ${ep.host}`;
    const users = (this.fdbUsers.get(key) ?? 1) - 1;
    if (users > 0) {
      this.fdbUsers.set(key, users);
      return;
    }
    this.fdbUsers.delete(key);
    // The bridge also learned the MAC on the VXLAN port from the endpoint's frames: that entry
    // would outlive the peer until it aged out (5 min), so it goes too.
    out.fdb.push(['fdb', 'del', ep.mac, 'dev', this.vxlan, 'dst', ep.host, 'self'], ['fdb', 'del', ep.mac, 'dev', this.vxlan, 'master']);
  }
}

/** Deletes of entries already gone are fine: every change is idempotent both ways. */
export function isDeleteOfMissing(line: IpLine, why: string): boolean {
  return line[1] === 'del' && /No such file|not found|Cannot find/i.test(why);
}
