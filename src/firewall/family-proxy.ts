// The userland relays tetherd runs, for the two cases nftables cannot serve (decisions.md):
// - host clients of [::1]: IPv6 has no route_localnet, so a ::1 source cannot be DNATed out of
//   `lo` into a container; the socket holding the published port accepts them and relays;
// - IPv6 clients of an IPv4-only container (opt-in, `--userland-proxy`): netfilter cannot
//   translate between families, so the same socket serves every IPv6 client and relays to the
//   container's IPv4 address.
// Everything else (IPv4, and IPv6 to IPv6 containers from anywhere but ::1) stays on the nft DNAT
// path and never reaches these sockets.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { formatIp, type Ip } from '../ipam/address.js';

export interface ProxyTarget {
  readonly ip: Ip;
  readonly port: number;
}

/** Send errors (a container gone, a full buffer) lose the datagram, as the network would. */
const ignore = (): void => undefined;

/** A relay flow whose client sent nothing for this long is closed (Docker's proxy uses 90 s). */
const UDP_IDLE_MS = 90_000;

/** A TCP server that pipes each connection to the target; either side closing closes both. */
export function tcpRelay(target: ProxyTarget): Server {
  return createServer((client: Socket) => {
    const upstream = connect({ host: formatIp(target.ip), port: target.port });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
}

/**
 * Relays datagrams arriving on `socket`: one socket towards the target per client address, so
 * the target's replies find their client; flows idle for UDP_IDLE_MS are closed.
 */
export function udpRelay(socket: UdpSocket, target: ProxyTarget): () => void {
  const flows = new Map<string, { out: UdpSocket; timer: NodeJS.Timeout }>();
  const drop = (key: string) => {
    const flow = flows.get(key);
    if (!flow) return;
    flows.delete(key);
    clearTimeout(flow.timer);
    flow.out.close();
  };
  const targetAddress = formatIp(target.ip);
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const key = `${from.address}/${from.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const out = createSocket(target.ip.family === 4 ? 'udp4' : 'udp6');
      out.on('message', (reply, rinfo) => {
        if (rinfo.port === target.port && rinfo.address === targetAddress) socket.send(reply, from.port, from.address, ignore);
      });
      out.on('error', () => drop(key));
      flow = { out, timer: setTimeout(() => drop(key), UDP_IDLE_MS) };
      flows.set(key, flow);
    }
    flow.timer.refresh();
    flow.out.send(msg, target.port, targetAddress, ignore);
  });
  return () => [...flows.keys()].forEach(drop);
}
