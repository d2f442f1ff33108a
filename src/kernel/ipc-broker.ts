// Children that pass socket handles back over a Node IPC channel (the resolver's sockets, bound
// inside a sandbox) are started by a broker process, not by the daemon: a fork of the daemon
// costs more with every container it holds (spawner.ts), and these start once per sandbox. The
// broker is forked once, small, and relays each child's messages, handles, stderr and exit.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { internal } from '../errors.js';
import { helperEnv } from './owner.js';

const BROKER = fileURLToPath(new URL('./ipc-broker-child.js', import.meta.url));
/** How long an idle broker stays (the daemon's pool refills come in bursts with each start). */
const IDLE_MS = 10_000;

export type BrokerRequest =
  | { op: 'spawn'; id: number; argv: string[]; env: Record<string, string> }
  | { op: 'disconnect' | 'kill'; id: number };
export type BrokerReply =
  | { op: 'message'; id: number; msg: unknown }
  | { op: 'stderr'; id: number; text: string }
  | { op: 'error'; id: number; message: string }
  | { op: 'exit'; id: number; code: number | null };

/**
 * What the daemon sees of one brokered child: 'message' (msg, handle), 'error', 'exit' (code);
 * stderr text as 'stderr'. disconnect() closes its channel (it exits then), kill() ends it.
 */
export class BrokeredChild extends EventEmitter {
  connected = true;

  constructor(
    private readonly id: number,
    private readonly send: (r: BrokerRequest) => void,
  ) {
    super();
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.send({ op: 'disconnect', id: this.id });
  }

  kill(): void {
    this.send({ op: 'kill', id: this.id });
  }
}

export class IpcBroker {
  private broker: ChildProcess | undefined;
  private readonly children = new Map<number, BrokeredChild>();
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs = IDLE_MS) {}

  spawn(argv: readonly string[], env: Record<string, string>): BrokeredChild {
    const broker = this.ensure();
    const id = this.nextId++;
    const child = new BrokeredChild(id, (r) => {
      if (broker.connected) broker.send(r);
    });
    this.children.set(id, child);
    child.once('exit', () => {
      child.connected = false;
      this.children.delete(id);
      this.retain();
    });
    this.retain();
    broker.send({ op: 'spawn', id, argv: [...argv], env } satisfies BrokerRequest);
    return child;
  }

  private ensure(): ChildProcess {
    if (this.broker?.connected) return this.broker;
    // Nothing of the daemon's environment: NODE_EXTRA_CA_CERTS alone (set on many machines)
    // makes a Node start parse a CA bundle.
    const broker = spawn(process.execPath, [BROKER], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: helperEnv({ PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }),
    });
    this.broker = broker;
    broker.on('message', (r: BrokerReply, handle?: UdpSocket | Server) => {
      const child = this.children.get(r.id);
      if (!child) {
        handle?.close(); // its waiter gave up already
        return;
      }
      if (r.op === 'message') child.emit('message', r.msg, handle);
      else if (r.op === 'stderr') child.emit('stderr', r.text);
      else if (r.op === 'error') child.emit('error', internal(r.message));
      else child.emit('exit', r.code);
    });
    const gone = (): void => {
      if (this.broker !== broker) return;
      this.broker = undefined;
      for (const c of [...this.children.values()]) c.emit('exit', null);
    };
    broker.on('exit', gone);
    broker.on('error', gone);
    return broker;
  }

  /**
   * The broker keeps the daemon alive only while it has children of ours to relay, and leaves
   * after a quiet spell: a Node process is ~45 MiB, and one fork of the daemon per burst is cheap.
   */
  private retain(): void {
    const b = this.broker;
    if (!b) return;
    clearTimeout(this.idle);
    const channel = b.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (this.children.size > 0) {
      b.ref();
      channel?.ref?.();
      return;
    }
    b.unref();
    channel?.unref?.();
    this.idle = setTimeout(() => {
      if (this.broker !== b || this.children.size > 0) return;
      this.broker = undefined; // the next spawn starts another
      b.disconnect(); // the broker leaves when its channel closes
    }, this.idleMs).unref();
  }
}
