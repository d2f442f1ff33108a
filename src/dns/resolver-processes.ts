// The daemon's side of the resolver processes (resolver-child.ts): they answer the queries, the
// daemon keeps the records. Every change of the daemon's records is mirrored to each process in
// order over its IPC channel (a process started later gets a snapshot first); each sandbox's
// sockets are handed to every process, and the daemon closes its own copies once all of them
// serve the sockets. Several processes read the same sockets — whichever wakes first takes a
// query — so answering uses more than one core without SO_REUSEPORT (which Node 20 cannot set).
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../errors.js';
import type { Kernel, NodeHelper } from '../kernel/kernel.js';
import type { SandboxSockets } from './listener.js';
import type { SandboxContext } from './query-handler.js';
import type { DnsRecords, RecordsChange } from './records.js';
import type { Serving, ServingOptions } from './serving.js';

const CHILD = fileURLToPath(new URL('./resolver-child.js', import.meta.url));
/**
 * Every query leaves garbage (the datagram, its address, its reply). V8 starts the young
 * generation at 1 MiB and keeps it there while little survives: under dnsperf -c 10 a process
 * ran 70–150 scavenges a second, stalls of 0.5–5 ms each (measured with the gc entries and the
 * event-loop delay histogram). Fixed at 8 MiB they are rare; 16 MiB gave no more queries per
 * second (loopback, two processes: 178–188k either way) and 18 MiB more resident per process
 * (86 against 68 MiB after load; 53 MiB idle).
 */
const NODE_FLAGS = ['--min-semi-space-size=8', '--max-semi-space-size=8'];

export type ResolverRequest =
  | { op: 'records'; change: RecordsChange }
  | { op: 'udp'; sandboxId: string; context: SandboxContext }
  | { op: 'tcp'; sandboxId: string }
  | { op: 'drop'; sandboxId: string };
export type ResolverReply = { op: 'served' | 'failed'; sandboxId: string };

export interface ProcessesOptions extends ServingOptions {
  /** How many processes read every sandbox's sockets. */
  processes: number;
  /** A process that has not taken a sandbox's sockets by then fails the handover. */
  handoverTimeoutMs?: number;
}

interface Handover {
  sockets: SandboxSockets;
  /** The processes that have not said 'served' yet. */
  waitingOn: Set<NodeHelper>;
  done: (err?: Error) => void;
}

export class ResolverProcesses implements Serving {
  private readonly procs: NodeHelper[] = [];
  private readonly handovers = new Map<string, Handover>();

  constructor(
    private readonly kernel: Kernel,
    private readonly records: DnsRecords,
    private readonly opts: ProcessesOptions,
  ) {}

  /** A change of the daemon's records, in the order it happened; processes not started yet get a snapshot. */
  mirror(change: RecordsChange): void {
    for (const p of this.procs) send(p, { op: 'records', change });
  }

  serve(sandboxId: string, sockets: SandboxSockets, context: SandboxContext): Promise<void> {
    const procs = this.ensure();
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.handoverTimeoutMs ?? 5000;
      const timer = setTimeout(() => this.finish(sandboxId, unavailable(`dns: the resolver process did not take the sockets of ${sandboxId} in ${timeoutMs} ms`)), timeoutMs);
      const done = (err?: Error): void => {
        clearTimeout(timer);
        // Served by the processes now (or by nobody): ours would keep reading, and the netns alive.
        sockets.udp.close();
        sockets.tcp.close();
        if (err) reject(err);
        else resolve();
      };
      this.handovers.set(sandboxId, { sockets, waitingOn: new Set(procs), done });
      for (const p of procs) {
        send(p, { op: 'udp', sandboxId, context }, sockets.udp);
        send(p, { op: 'tcp', sandboxId }, sockets.tcp);
      }
    });
  }

  drop(sandboxId: string): void {
    this.finish(sandboxId); // removed while its sockets were on their way: nothing to wait for
    for (const p of this.procs) send(p, { op: 'drop', sandboxId });
  }

  close(): void {
    for (const id of [...this.handovers.keys()]) this.finish(id, unavailable('dns: the resolver is closing'));
    for (const p of this.procs.splice(0)) p.kill('SIGKILL'); // their sockets go with them
  }

  private finish(sandboxId: string, err?: Error): void {
    const h = this.handovers.get(sandboxId);
    if (!h) return;
    this.handovers.delete(sandboxId);
    if (err) for (const p of this.procs) send(p, { op: 'drop', sandboxId });
    h.done(err);
  }

  /** The processes, started when first needed and again after one died. */
  private ensure(): NodeHelper[] {
    while (this.procs.length < this.opts.processes) {
      const { processes: _, handoverTimeoutMs: __, ...serving } = this.opts;
      const p = this.kernel.spawnNodeHelper(CHILD, [JSON.stringify(serving)], NODE_FLAGS);
      this.procs.push(p);
      for (const change of this.records.snapshot()) send(p, { op: 'records', change });
      p.on('message', (r: ResolverReply) => this.heard(p, r));
      p.on('error', () => this.lost(p));
      p.on('exit', () => this.lost(p));
    }
    return [...this.procs];
  }

  private heard(p: NodeHelper, r: ResolverReply): void {
    const h = this.handovers.get(r.sandboxId);
    if (!h) return;
    if (r.op === 'failed') return this.finish(r.sandboxId, unavailable(`dns: the resolver process could not take the sockets of ${r.sandboxId}`));
    h.waitingOn.delete(p);
    if (h.waitingOn.size === 0) this.finish(r.sandboxId);
  }

  /** A process died: the sandboxes it served are left to the others; handovers waiting on it fail. */
  private lost(p: NodeHelper): void {
    const i = this.procs.indexOf(p);
    if (i < 0) return;
    this.procs.splice(i, 1);
    for (const [id, h] of [...this.handovers]) {
      if (h.waitingOn.has(p)) this.finish(id, unavailable(`dns: the resolver process (pid ${p.pid ?? '?'}) exited`));
    }
  }
}

function send(p: NodeHelper, msg: ResolverRequest, handle?: UdpSocket | Server): void {
  // A process that died has its 'exit' on the way; until then a send must not throw.
  if (p.connected) p.send(msg, handle, () => undefined);
}
