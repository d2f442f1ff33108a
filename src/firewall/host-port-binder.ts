// Holding a published host port: a socket bound by tetherd in its own (the host's) namespace, so
// another program cannot take the port while it is published and a port someone else holds fails
// with the kernel's own answer. Traffic never reaches these sockets while the DNAT rules are in
// place (prerouting and output translate before local delivery); if it does (a flushed table),
// TCP connections are closed at once and datagrams dropped.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { formatIp, type Ip } from '../ipam/address.js';
import type { Proto } from './firewaller.js';

export interface BoundPort {
  close(): Promise<void>;
}

export interface HostPortBinder {
  /** Binds proto/ip:port; rejects with the socket error (its `code`, e.g. EADDRINUSE). */
  bind(proto: Proto, ip: Ip, port: number): Promise<BoundPort>;
}

function listenTcp(ip: Ip, port: number): Promise<BoundPort> {
  const server: Server = createServer((conn) => conn.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: formatIp(ip), port, ipv6Only: ip.family === 6 }, () => {
      server.off('error', reject);
      resolve({ close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function bindUdp(ip: Ip, port: number): Promise<BoundPort> {
  const socket: UdpSocket = createSocket({ type: ip.family === 4 ? 'udp4' : 'udp6', ipv6Only: ip.family === 6 });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: formatIp(ip), port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve({ close: () => new Promise((done) => socket.close(() => done())) });
    });
  });
}

/** Real sockets in this process's network namespace. Node has no SCTP sockets: SCTP ports are held in the allocator only. */
export const socketBinder: HostPortBinder = {
  bind(proto, ip, port) {
    if (proto === 'tcp') return listenTcp(ip, port);
    if (proto === 'udp') return bindUdp(ip, port);
    return Promise.resolve({ close: async () => undefined });
  },
};
