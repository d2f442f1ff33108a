// The relays on real loopback sockets: an IPv6 client of the socket holding a published port
// reaches an IPv4 server through it, over TCP and UDP, and nothing is relayed after release.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { tryParseIp, type Ip } from '../ipam/address.js';
import { PortReservations } from './port-reservations.js';

const ip = (t: string): Ip => tryParseIp(t)!;

describe('IPv6 → IPv4 relay', () => {
  it('relays a TCP connection both ways, and stops with the reservation', async () => {
    const upstream = createServer((s) => s.on('data', (d) => s.end(`echo ${d.toString()}`)));
    await new Promise<void>((r) => upstream.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const target = { ip: ip('127.0.0.1'), port: (upstream.address() as AddressInfo).port };
    const held = await new PortReservations({ start: 32768, end: 60999 }).reserve({ proto: 'tcp', hostIps: [ip('::1')], hostPort: 0, relay: { from: 6, to: target } });
    const ask = () =>
      new Promise<string>((resolve) => {
        let got = '';
        const c = connect({ host: '::1', port: held.hostPort }, () => c.write('hi'));
        c.on('data', (d) => (got += d.toString()));
        c.on('close', () => resolve(got));
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    try {
      assert.equal(await ask(), 'echo hi');
    } finally {
      await held.release();
    }
    assert.equal(await ask(), 'ECONNREFUSED');
    upstream.close();
  });

  it('relays UDP datagrams and their replies', async () => {
    const upstream = createSocket('udp4');
    upstream.on('message', (m, from) => upstream.send(`echo ${m.toString()}`, from.port, from.address));
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    const target = { ip: ip('127.0.0.1'), port: upstream.address().port };
    const held = await new PortReservations({ start: 32768, end: 60999 }).reserve({ proto: 'udp', hostIps: [ip('::1')], hostPort: 0, relay: { from: 6, to: target } });
    const client = createSocket('udp6');
    try {
      const reply = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
      client.send('ping', held.hostPort, '::1');
      assert.equal(await reply, 'echo ping');
    } finally {
      client.close();
      await held.release();
      upstream.close();
    }
  });
});
