// Forwards a query the records cannot answer to the upstream servers, from tetherd's namespace.
// All upstreams are asked at once and the first good answer (NOERROR or NXDOMAIN) wins; a
// SERVFAIL/REFUSED only counts when nobody does better before the deadline. Each query gets a
// fresh socket (random source port) and a fresh random id, and a reply is accepted only from an
// address we asked, with our id and our question — the usual defence against spoofed answers.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { connect, type Socket as TcpSocket } from 'node:net';
import { FrameReader, frame } from './tcp-frames.js';
import { isResponse, isTruncated, RCODE, rcodeOf } from './wire.js';
import type { Upstream } from './upstreams.js';

export interface ForwarderOptions {
  /** After this the query fails (the caller answers SERVFAIL). Docker's clients retry after 5 s. */
  timeoutMs?: number;
  /** Queries in flight at once; more are refused at once instead of piling up sockets. */
  maxInFlight?: number;
}

export class Forwarder {
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  /** The finish function of each query in flight (close() ends them all). */
  private readonly active = new Set<(reply?: Buffer) => void>();

  constructor(opts: ForwarderOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.maxInFlight = opts.maxInFlight ?? 1024;
  }

  get inFlight(): number {
    return this.active.size;
  }

  /**
   * Sends `query` (bytes [12, questionEnd) are its question) to the upstreams; resolves with the
   * answer carrying the client's id, or undefined when no upstream answered in time.
   */
  forward(query: Buffer, questionEnd: number, upstreams: readonly Upstream[]): Promise<Buffer | undefined> {
    if (upstreams.length === 0 || this.active.size >= this.maxInFlight) return Promise.resolve(undefined);
    const id = randomBytes(2).readUInt16BE(0);
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    const question = query.subarray(12, questionEnd);
    return new Promise((resolve) => {
      const sockets: UdpSocket[] = [];
      const tcps = new Set<TcpSocket>();
      let fallback: Buffer | undefined;
      // Per upstream: 'tcp' while its truncated answer is fetched again, 'done' once it answered
      // or failed; a duplicate datagram must not count twice.
      const state = new Map<Upstream, 'tcp' | 'done'>();
      const finish = (reply?: Buffer): void => {
        if (!this.active.delete(finish)) return;
        clearTimeout(timer);
        for (const s of sockets) s.close();
        for (const t of tcps) t.destroy();
        if (reply) query.copy(reply, 0, 0, 2); // the client's id back
        resolve(reply);
      };
      this.active.add(finish);
      const timer = setTimeout(() => finish(fallback), this.timeoutMs);
      const giveUp = (up: Upstream): void => {
        state.set(up, 'done');
        if ([...state.values()].filter((v) => v === 'done').length === upstreams.length) finish(fallback);
      };
      const settle = (up: Upstream, reply: Buffer): void => {
        const rcode = rcodeOf(reply);
        if (rcode === RCODE.noError || rcode === RCODE.nxDomain) return finish(reply);
        fallback = reply;
        giveUp(up);
      };
      const onUdpReply = (up: Upstream, msg: Buffer): void => {
        if (state.has(up) || !matches(msg, id, question)) return;
        if (!isTruncated(msg)) return settle(up, msg);
        // Too big for UDP: ask the same upstream again over TCP.
        state.set(up, 'tcp');
        const t = exchangeTcp(up, out, this.timeoutMs, (reply) => {
          tcps.delete(t);
          if (reply && matches(reply, id, question)) settle(up, reply);
          else giveUp(up);
        });
        tcps.add(t);
      };
      for (const family of ['udp4', 'udp6'] as const) {
        const targets = upstreams.filter((u) => isIPv6(u.address) === (family === 'udp6'));
        if (targets.length === 0) continue;
        const s = createSocket(family);
        sockets.push(s);
        s.on('error', () => undefined); // e.g. no IPv6 route: the other upstreams may still answer
        s.on('message', (msg, rinfo) => {
          const up = targets.find((u) => u.port === rinfo.port && sameAddress(u.address, rinfo.address));
          if (up) onUdpReply(up, msg);
        });
        for (const up of targets) s.send(out, up.port, up.address, (err) => err && giveUp(up));
      }
    });
  }

  /** Ends every query in flight (they resolve undefined) and closes their sockets. */
  close(): void {
    for (const finish of [...this.active]) finish();
  }
}

/** One DNS exchange over TCP; `done` gets the reply or undefined (error, timeout, bad frame). */
function exchangeTcp(up: Upstream, query: Buffer, timeoutMs: number, done: (r: Buffer | undefined) => void): TcpSocket {
  const sock = connect({ host: up.address, port: up.port });
  const reader = new FrameReader(65535);
  let called = false;
  const end = (r: Buffer | undefined): void => {
    if (called) return;
    called = true;
    sock.destroy();
    done(r);
  };
  sock.setTimeout(timeoutMs, () => end(undefined));
  sock.on('error', () => end(undefined));
  sock.on('close', () => end(undefined));
  sock.on('connect', () => sock.write(frame(query)));
  sock.on('data', (chunk: Buffer) => {
    const frames = reader.push(chunk);
    const first = frames?.[0];
    if (!frames) end(undefined);
    else if (first) end(Buffer.from(first));
  });
  return sock;
}

/** A reply to our query: a response with our id whose question equals ours (case-insensitively). */
function matches(reply: Buffer, id: number, question: Buffer): boolean {
  if (!isResponse(reply) || reply.readUInt16BE(0) !== id || reply.readUInt16BE(4) !== 1) return false;
  if (reply.length < 12 + question.length) return false;
  for (let i = 0; i < question.length; i++) {
    if (lower(reply[12 + i] ?? 0) !== lower(question[i] ?? 0)) return false;
  }
  return true;
}

function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}

function sameAddress(configured: string, seen: string): boolean {
  return configured === seen || configured.split('%')[0]?.toLowerCase() === seen.split('%')[0]?.toLowerCase();
}
