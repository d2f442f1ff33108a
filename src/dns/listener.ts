// Serves one sandbox's resolver sockets (bound inside its netns, handed to us). The socket a
// query arrives on is what tells us which sandbox asked; every sandbox has its own pair.
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server, Socket as TcpSocket } from 'node:net';
import type { QueryHandler, SandboxContext } from './query-handler.js';
import { FrameReader, frame } from './tcp-frames.js';
import { MAX_QUERY_BYTES } from './wire.js';

export interface SandboxSockets {
  udp: UdpSocket;
  tcp: Server;
}

export interface TcpLimits {
  /** A connection with nothing to say for this long is closed (RFC 7766 suggests seconds). */
  idleMs: number;
  /** Connections per sandbox; more are refused by the kernel's accept path. */
  maxConnections: number;
  /** Queries one connection may have unanswered before we stop reading it. */
  maxPipelined: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = { idleMs: 10_000, maxConnections: 64, maxPipelined: 32 };

export class SandboxListener {
  private readonly connections = new Set<TcpSocket>();
  private closed = false;

  constructor(
    private readonly sockets: SandboxSockets,
    private readonly context: () => SandboxContext,
    private readonly handler: QueryHandler,
    private readonly limits: TcpLimits = DEFAULT_TCP_LIMITS,
  ) {
    const { udp, tcp } = sockets;
    udp.on('error', () => undefined); // e.g. ECONNREFUSED echoes from a client that went away
    udp.on('message', (msg, rinfo) => {
      this.handler.handle(this.context(), msg, 'udp', (packet) => {
        // A forwarded answer may arrive after the sandbox went: send() on a closed socket throws.
        // No callback: a failed send goes to the 'error' listener above, and a callback costs a
        // tick per query.
        if (packet && !this.closed) udp.send(packet, rinfo.port, rinfo.address);
      });
    });
    tcp.maxConnections = limits.maxConnections;
    tcp.on('error', () => undefined);
    tcp.on('connection', (sock) => this.serveConnection(sock));
  }

  /** Closes both sockets and every connection: an open socket would keep the netns alive. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    this.sockets.udp.close();
    this.sockets.tcp.close();
  }

  private serveConnection(sock: TcpSocket): void {
    this.connections.add(sock);
    const reader = new FrameReader(MAX_QUERY_BYTES);
    let unanswered = 0;
    sock.setNoDelay(true);
    sock.setTimeout(this.limits.idleMs, () => sock.destroy());
    sock.on('error', () => undefined);
    sock.on('close', () => this.connections.delete(sock));
    sock.on('data', (chunk: Buffer) => {
      const messages = reader.push(chunk);
      if (!messages) {
        sock.destroy(); // a frame longer than any query: not a DNS client
        return;
      }
      for (const m of messages) {
        unanswered += 1;
        this.handler.handle(this.context(), m, 'tcp', (packet) => {
          unanswered -= 1;
          if (packet && !sock.destroyed) sock.write(frame(packet));
          if (unanswered < this.limits.maxPipelined && sock.isPaused()) sock.resume();
        });
      }
      if (unanswered >= this.limits.maxPipelined) sock.pause();
    });
  }
}
