// The names the embedded DNS answers, indexed for the query path. The engine updates it
// synchronously in the same step that creates or removes an endpoint, so a name resolves as soon
// as that step returns; queries only read it.
//
// Scope (Docker's rules, reference INDEX 04): a sandbox sees the names of endpoints on the
// networks it is attached to — container name (case-insensitive), `name.network`, the 12-char
// short id, the `--hostname`, and network aliases only on the network where they were given —
// plus its own hostname. PTR of a container IP answers `<container name>.<network name>`.
import { isIPv4, isIPv6 } from 'node:net';
import { invalid } from '../errors.js';

export interface DnsEndpoint {
  endpointId: string;
  networkId: string;
  networkName: string;
  /** The network is `--internal`: a sandbox only on such networks gets no forwarding. */
  internal?: boolean;
  containerId: string;
  containerName: string;
  hostname?: string;
  aliases: readonly string[];
  ipv4?: string;
  ipv6?: string;
}

export interface DnsSandbox {
  sandboxId: string;
  /** The container owning the sandbox; its endpoints (by containerId) define the sandbox's networks. */
  containerId: string;
  hostname?: string;
  /** Legacy `--link target:alias` on user networks: alias (lower-case) → target container id, seen by this sandbox only. */
  links?: Readonly<Record<string, string>>;
}

export interface Addresses {
  ipv4: string[];
  ipv6: string[];
}

interface NetworkNames {
  name: string;
  /** lower-cased name → endpoint ids, in attach order. */
  byName: Map<string, string[]>;
  /** address text → endpoint id, for PTR. */
  byAddress: Map<string, string>;
}

interface StoredEndpoint {
  ep: DnsEndpoint;
  names: string[];
}

/** One change to the index, as a copy elsewhere (the resolver process's) replays it. */
export type RecordsChange =
  | { op: 'upsertEndpoint'; ep: DnsEndpoint }
  | { op: 'removeEndpoint'; endpointId: string }
  | { op: 'upsertSandbox'; sb: DnsSandbox }
  | { op: 'removeSandbox'; sandboxId: string };

export class DnsRecords {
  private readonly endpoints = new Map<string, StoredEndpoint>();
  private readonly networks = new Map<string, NetworkNames>();
  /** containerId → endpoint ids in attach order (the order Docker searches networks in). */
  private readonly byContainer = new Map<string, string[]>();
  private readonly sandboxes = new Map<string, DnsSandbox>();

  private changes = 0;

  /** onChange hears every change that took effect, in order (a copy replays them with apply). */
  constructor(private readonly onChange?: (change: RecordsChange) => void) {}

  /** Grows with every change: anything derived from the index holds while it stays the same. */
  get version(): number {
    return this.changes;
  }

  /** Replays a change heard from another index. */
  apply(change: RecordsChange): void {
    if (change.op === 'upsertEndpoint') this.upsertEndpoint(change.ep);
    else if (change.op === 'removeEndpoint') this.removeEndpoint(change.endpointId);
    else if (change.op === 'upsertSandbox') this.upsertSandbox(change.sb);
    else this.removeSandbox(change.sandboxId);
  }

  /** The whole index as changes that rebuild it in an empty one, attach order kept. */
  snapshot(): RecordsChange[] {
    return [
      ...[...this.endpoints.values()].map(({ ep }): RecordsChange => ({ op: 'upsertEndpoint', ep })),
      ...[...this.sandboxes.values()].map((sb): RecordsChange => ({ op: 'upsertSandbox', sb })),
    ];
  }

  /** Adds or replaces an endpoint (replacing covers renames and re-addressing). */
  upsertEndpoint(ep: DnsEndpoint): void {
    // Addresses become answer bytes on the query path: refuse anything that is not one.
    if (ep.ipv4 !== undefined && !isIPv4(ep.ipv4)) throw invalid(`dns: bad IPv4 address ${ep.ipv4}`, 'dns.address');
    if (ep.ipv6 !== undefined && !isIPv6(ep.ipv6)) throw invalid(`dns: bad IPv6 address ${ep.ipv6}`, 'dns.address');
    this.drop(ep.endpointId);
    const stored: StoredEndpoint = { ep: { ...ep, aliases: [...ep.aliases] }, names: namesOf(ep) };
    this.endpoints.set(ep.endpointId, stored);
    let net = this.networks.get(ep.networkId);
    if (!net) {
      net = { name: ep.networkName, byName: new Map(), byAddress: new Map() };
      this.networks.set(ep.networkId, net);
    }
    net.name = ep.networkName;
    for (const n of stored.names) pushTo(net.byName, n, ep.endpointId);
    if (ep.ipv4) net.byAddress.set(ep.ipv4, ep.endpointId);
    if (ep.ipv6) net.byAddress.set(canonicalV6(ep.ipv6), ep.endpointId);
    pushTo(this.byContainer, ep.containerId, ep.endpointId);
    this.changed({ op: 'upsertEndpoint', ep: stored.ep });
  }

  /** Removes an endpoint; removing an unknown one is a no-op (the engine's undo may repeat it). */
  removeEndpoint(endpointId: string): void {
    if (this.drop(endpointId)) this.changed({ op: 'removeEndpoint', endpointId });
  }

  private changed(change: RecordsChange): void {
    this.changes += 1;
    this.onChange?.(change);
  }

  private drop(endpointId: string): boolean {
    const stored = this.endpoints.get(endpointId);
    if (!stored) return false;
    const { ep } = stored;
    this.endpoints.delete(endpointId);
    const net = this.networks.get(ep.networkId);
    if (net) {
      for (const n of stored.names) pullFrom(net.byName, n, endpointId);
      for (const a of [ep.ipv4, ep.ipv6 && canonicalV6(ep.ipv6)]) {
        if (a && net.byAddress.get(a) === endpointId) net.byAddress.delete(a);
      }
      if (net.byName.size === 0 && net.byAddress.size === 0) this.networks.delete(ep.networkId);
    }
    pullFrom(this.byContainer, ep.containerId, endpointId);
    return true;
  }

  upsertSandbox(sb: DnsSandbox): void {
    const copy = { ...sb };
    this.sandboxes.set(sb.sandboxId, copy);
    this.changed({ op: 'upsertSandbox', sb: copy });
  }

  removeSandbox(sandboxId: string): void {
    if (this.sandboxes.delete(sandboxId)) this.changed({ op: 'removeSandbox', sandboxId });
  }

  hasSandbox(sandboxId: string): boolean {
    return this.sandboxes.has(sandboxId);
  }

  /**
   * Addresses of `name` (lower-case, no trailing dot) as seen from the sandbox, or undefined when
   * the name is unknown there. Like Docker, the first network (in attach order) that knows the
   * name answers; `x.<network>` looks up x on that network only.
   */
  lookup(sandboxId: string, name: string): Addresses | undefined {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return undefined;
    const own = this.byContainer.get(sb.containerId) ?? [];
    for (const epId of own) {
      const net = this.networks.get(this.endpoints.get(epId)?.ep.networkId ?? '');
      const found = net && this.collect(net.byName.get(name));
      if (found) return found;
    }
    // Container names may hold dots too, so try every split point (as Docker does).
    for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
      const base = name.slice(0, dot);
      const netName = name.slice(dot + 1);
      for (const epId of own) {
        const net = this.networks.get(this.endpoints.get(epId)?.ep.networkId ?? '');
        if (net && net.name.toLowerCase() === netName) {
          const found = this.collect(net.byName.get(base));
          if (found) return found;
        }
      }
    }
    if (sb.hostname && sb.hostname.toLowerCase() === name) return this.collect(own.slice(0, 1));
    const linked = sb.links?.[name];
    if (linked) {
      // Only the target's endpoints on networks this sandbox shares: a link is no way around isolation.
      const mine = new Set(own.map((id) => this.endpoints.get(id)?.ep.networkId));
      return this.collect((this.byContainer.get(linked) ?? this.byContainer.get(this.containerNamed(linked) ?? '') ?? []).filter((id) => mine.has(this.endpoints.get(id)?.ep.networkId)));
    }
    return undefined;
  }

  /** The id of the container called `name` (a link made before its target existed). */
  private containerNamed(name: string): string | undefined {
    for (const { ep } of this.endpoints.values()) if (ep.containerName === name) return ep.containerId;
    return undefined;
  }

  /** `<container name>.<network name>` for an address on one of the sandbox's networks. */
  reverse(sandboxId: string, address: string): string | undefined {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return undefined;
    const key = address.includes(':') ? canonicalV6(address) : address;
    for (const epId of this.byContainer.get(sb.containerId) ?? []) {
      const net = this.networks.get(this.endpoints.get(epId)?.ep.networkId ?? '');
      const target = net && this.endpoints.get(net.byAddress.get(key) ?? '');
      if (net && target) return `${target.ep.containerName}.${net.name}`;
    }
    return undefined;
  }

  /** Whether queries from the sandbox may be forwarded: not when all its networks are internal. */
  mayForward(sandboxId: string): boolean {
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) return false;
    const own = this.byContainer.get(sb.containerId) ?? [];
    if (own.length === 0) return true; // not attached yet: nothing says it is internal
    return own.some((id) => !this.endpoints.get(id)?.ep.internal);
  }

  private collect(endpointIds: readonly string[] | undefined): Addresses | undefined {
    if (!endpointIds || endpointIds.length === 0) return undefined;
    const out: Addresses = { ipv4: [], ipv6: [] };
    for (const id of endpointIds) {
      const ep = this.endpoints.get(id)?.ep;
      if (ep?.ipv4) out.ipv4.push(ep.ipv4);
      if (ep?.ipv6) out.ipv6.push(ep.ipv6);
    }
    return out;
  }
}

/** Every name an endpoint answers to on its own network (lower-case, de-duplicated). */
function namesOf(ep: DnsEndpoint): string[] {
  const names = [ep.containerName, ep.containerId.slice(0, 12), ep.hostname ?? '', ...ep.aliases];
  return [...new Set(names.map((n) => n.replace(/^\//, '').toLowerCase()).filter((n) => n !== ''))];
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function pullFrom(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

/** One spelling per IPv6 address, so PTR lookups match however the engine wrote it. */
export function canonicalV6(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}
