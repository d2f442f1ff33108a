// Holding a published host port: a socket bound by tetherd in its own (the host's) namespace, so
// another program cannot take the port while it is published and a port someone else holds fails
// with the kernel's own answer. Traffic never reaches these sockets while the DNAT rules are in
// place (prerouting and output translate before local delivery); if it does (a flushed table),
// TCP connections are closed at once and datagrams dropped. The exception is a socket given a
// relay target (family-proxy.ts): it serves the IPv6 clients of an IPv4-only container.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { formatIp, type Ip } from '../ipam/address.js';
import { type ProxyTarget, tcpRelay, udpRelay } from './family-proxy.js';
import type { Proto } from './firewaller.js';

export interface BoundPort {
  close(): Promise<void>;
}

export interface HostPortBinder {
  /**
   * Binds proto/ip:port; rejects with the socket error (its `code`, e.g. EADDRINUSE). With a
   * relay target the socket serves its clients by relaying to it.
   */
  bind(proto: Proto, ip: Ip, port: number, relay?: ProxyTarget): Promise<BoundPort>;
}

function listenTcp(ip: Ip, port: number, relay: ProxyTarget | undefined): Promise<BoundPort> {
  const server: Server = relay ? tcpRelay(relay) : createServer((conn) => conn.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: formatIp(ip), port, ipv6Only: ip.family === 6 }, () => {
      server.off('error', reject);
      resolve({ close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function bindUdp(ip: Ip, port: number, relay: ProxyTarget | undefined): Promise<BoundPort> {
  const socket: UdpSocket = createSocket({ type: ip.family === 4 ? 'udp4' : 'udp6', ipv6Only: ip.family === 6 });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: formatIp(ip), port, exclusive: true }, () => {
      socket.off('error', reject);
      const stopRelay = relay ? udpRelay(socket, relay) : () => undefined;
      resolve({
        close: () => {
          stopRelay();
          return new Promise((done) => socket.close(() => done()));
        },
      });
    });
  });
}

/** Real sockets in this process's network namespace. Node has no SCTP sockets: SCTP ports are held in the allocator only. */
export const socketBinder: HostPortBinder = {
  bind(proto, ip, port, relay) {
    if (proto === 'tcp') return listenTcp(ip, port, relay);
    if (proto === 'udp') return bindUdp(ip, port, relay);
    return Promise.resolve({ close: async () => undefined });
  },
};
