import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { IpcBroker } from './ipc-broker.js';

// Binds a UDP socket, sends it with its parent's pid, and leaves once disconnected.
const CHILD = `
const s = require('node:dgram').createSocket('udp4');
s.bind(0, '127.0.0.1', () => process.send({ ppid: process.ppid }, s));
process.on('disconnect', () => process.exit(0));
if (process.argv[1] === 'fail') { console.error('refused'); process.exit(7); }
`;
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('IPC broker', () => {
  it('relays a child\'s socket handle to us; the child is the broker\'s, which leaves when idle', async () => {
    const broker = new IpcBroker(300);
    const child = broker.spawn([process.execPath, '-e', CHILD], env);
    const [msg, sock] = await new Promise<[{ ppid: number }, UdpSocket]>((r) => child.once('message', (m, h) => r([m, h])));
    assert.notEqual(msg.ppid, process.pid);
    const exited = new Promise((r) => child.once('exit', r));
    child.disconnect();
    assert.equal(await exited, 0);
    // The relayed socket still works here after both the child and the broker let go of theirs.
    const port = sock.address().port;
    const got = new Promise<string>((r) => sock.once('message', (b) => r(b.toString())));
    const client = createSocket('udp4');
    client.send('ping', port, '127.0.0.1');
    assert.equal(await got, 'ping');
    client.close();
    sock.close();
    // msg.ppid is the broker: gone after its idle time, and the next spawn starts another.
    const alive = (): boolean => {
      try {
        process.kill(msg.ppid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const until = Date.now() + 5000; alive() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    assert.throws(() => process.kill(msg.ppid, 0), /ESRCH/);
    const next = broker.spawn([process.execPath, '-e', CHILD], env);
    const [again, sock2] = await new Promise<[{ ppid: number }, UdpSocket]>((r) => next.once('message', (m, h) => r([m, h])));
    assert.notEqual(again.ppid, msg.ppid);
    sock2.close();
    next.disconnect();
  });

  it('reports stderr and the exit code of a child that fails', async () => {
    const child = new IpcBroker().spawn([process.execPath, '-e', CHILD, 'fail'], env);
    let stderr = '';
    child.on('stderr', (t: string) => (stderr += t));
    child.on('message', (_m, h?: UdpSocket) => h?.close());
    assert.equal(await new Promise((r) => child.once('exit', r)), 7);
    assert.match(stderr, /refused/);
  });
});
