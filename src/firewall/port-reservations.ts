// Host ports of published container ports, allocated the way Docker's port allocator does it and
// held by a bound socket (decisions.md), so the errors are Docker's:
//   same ip/proto/port published twice      → `Bind for 0.0.0.0:8080 failed: port is already allocated`
//   the port is held by another socket      → `Error starting userland proxy: listen tcp4 0.0.0.0:8091: bind: address already in use`
//   `-p 80` (host port 0)                   → sequential from the start of ip_local_port_range
//                                             (32768, 32769, …), one counter per protocol (INDEX 07).
// Unlike Docker 20.10, an ephemeral or ranged request skips a port some other program holds
// instead of failing.
import { conflict, internal, invalid, TetherError } from '../errors.js';
import { type Family, formatIp, type Ip } from '../ipam/address.js';
import type { ProxyTarget } from './family-proxy.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Proto } from './firewaller.js';
import { socketBinder, type BoundPort, type HostPortBinder } from './host-port-binder.js';

export interface PortRange {
  start: number;
  end: number;
}

export interface HostPortRequest {
  proto: Proto;
  /** Every host address to hold the port on, e.g. 0.0.0.0 and :: for `-p 8080:80` on a dual-stack container. */
  hostIps: readonly Ip[];
  /** 0 for an ephemeral port; with hostPortEnd, the first free port of hostPort..hostPortEnd. */
  hostPort: number;
  hostPortEnd?: number;
  /**
   * The sockets on host addresses of this family relay the clients that reach them to `to`
   * (family-proxy.ts: ::1 clients, and IPv6 clients of an IPv4-only container); `to.port` is the
   * container port.
   */
  relay?: { from: Family; to: ProxyTarget };
}

export interface HostPortReservation {
  proto: Proto;
  hostIps: readonly Ip[];
  hostPort: number;
  /** Closes the sockets and frees the port; safe to call twice. */
  release(): Promise<void>;
}

/** The kernel's ephemeral range (`net.ipv4.ip_local_port_range`, e.g. "32768\t60999"). */
export async function readEphemeralRange(kernel: Pick<Kernel, 'readSysctl'>): Promise<PortRange> {
  const [start, end] = (await kernel.readSysctl('net.ipv4.ip_local_port_range')).split(/\s+/).map(Number);
  if (!Number.isInteger(start) || !Number.isInteger(end)) throw internal('cannot read net.ipv4.ip_local_port_range');
  return { start: start as number, end: end as number };
}

// Go's texts for the errnos a bind can meet, as Docker's proxy prints them.
const ERRNO_TEXT: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
};

/** Go's `listen tcp4 0.0.0.0:8091` / `listen udp6 [::]:53`. */
function listenText(proto: Proto, ip: Ip, port: number): string {
  const host = ip.family === 6 ? `[${formatIp(ip)}]` : formatIp(ip);
  return `listen ${proto}${ip.family} ${host}:${port}`;
}

class PortTaken extends Error {
  constructor(readonly error: TetherError) {
    super(error.message);
  }
}

export class PortReservations {
  private readonly allocated = new Set<string>();
  private readonly last = new Map<Proto, number>();
  private readonly binder: HostPortBinder;

  constructor(private readonly range: PortRange, binder: HostPortBinder = socketBinder) {
    if (!(range.start > 0 && range.start <= range.end && range.end <= 65535)) {
      throw invalid(`invalid port range ${range.start}-${range.end}`, 'port.range');
    }
    this.binder = binder;
  }

  async reserve(req: HostPortRequest): Promise<HostPortReservation> {
    if (req.hostIps.length === 0) throw internal('reserve: no host address');
    const end = req.hostPortEnd ?? req.hostPort;
    for (const p of [req.hostPort, end]) {
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw invalid(`invalid hostPort: ${p}`, 'port.invalid');
    }
    if (end < req.hostPort || (req.hostPort === 0 && end !== 0)) throw invalid(`invalid hostPort: ${req.hostPort}-${end}`, 'port.invalid');
    if (req.hostPort === 0) return this.first(req, this.ephemeralCandidates(req.proto), true);
    const candidates = Array.from({ length: end - req.hostPort + 1 }, (_, i) => req.hostPort + i);
    return this.first(req, candidates, candidates.length > 1);
  }

  /** Docker's order: after the last port handed out for this protocol, wrapping at the end. */
  private *ephemeralCandidates(proto: Proto): Generator<number> {
    const { start, end } = this.range;
    const size = end - start + 1;
    const from = (this.last.get(proto) ?? end) + 1;
    for (let i = 0; i < size; i++) yield start + ((from - start + i) % size);
  }

  /** The first candidate free for every address; a single explicit port reports why it is not. */
  private async first(req: HostPortRequest, candidates: Iterable<number>, skipTaken: boolean): Promise<HostPortReservation> {
    let lastError: TetherError | undefined;
    for (const port of candidates) {
      try {
        const reservation = await this.take(req, port);
        if (req.hostPort === 0) this.last.set(req.proto, port);
        return reservation;
      } catch (e) {
        if (!(e instanceof PortTaken)) throw e;
        if (!skipTaken) throw e.error;
        lastError = e.error;
      }
    }
    throw req.hostPort === 0 || lastError === undefined ? conflict('all ports are allocated', 'port.exhausted') : lastError;
  }

  private async take(req: HostPortRequest, port: number): Promise<HostPortReservation> {
    const keys = req.hostIps.map((ip) => `${req.proto}/${formatIp(ip)}/${port}`);
    const dup = req.hostIps.find((_, i) => this.allocated.has(keys[i] ?? ''));
    if (dup !== undefined) {
      throw new PortTaken(conflict(`Bind for ${formatIp(dup)}:${port} failed: port is already allocated`, 'port.allocated'));
    }
    for (const k of keys) this.allocated.add(k);
    const bound: BoundPort[] = [];
    const free = async () => {
      for (const k of keys) this.allocated.delete(k);
      await Promise.all(bound.splice(0).map((b) => b.close()));
    };
    try {
      for (const ip of req.hostIps) bound.push(await this.bindOne(req.proto, ip, port, req.relay?.from === ip.family ? req.relay.to : undefined));
    } catch (e) {
      await free();
      throw e;
    }
    let released = false;
    return {
      proto: req.proto,
      hostIps: req.hostIps,
      hostPort: port,
      release: async () => {
        if (released) return;
        released = true;
        await free();
      },
    };
  }

  private async bindOne(proto: Proto, ip: Ip, port: number, relay: ProxyTarget | undefined): Promise<BoundPort> {
    try {
      return await this.binder.bind(proto, ip, port, relay);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      const text = `Error starting userland proxy: ${listenText(proto, ip, port)}: bind: ${ERRNO_TEXT[code] ?? code}`;
      if (code === 'EADDRINUSE') throw new PortTaken(conflict(text, 'port.inUse'));
      if (code === 'EADDRNOTAVAIL') throw invalid(text, 'port.address');
      throw internal(text, e);
    }
  }
}
