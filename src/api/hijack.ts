// Hijacked connections for attach and exec start. The docker CLI sends `Connection: Upgrade` and
// `Upgrade: tcp`; dockerd answers with exactly
//   HTTP/1.1 101 UPGRADED\r\nContent-Type: …\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n
// and from then on the connection carries raw bytes: output to the client, stdin from it
// (10-api-trace/03-run.log, 04-exec-lifecycle.log). The CLI half-closes its side at once when it
// has no stdin, so our side must stay writable after the client's EOF.
//
// Node gives requests with an Upgrade header to the server's 'upgrade' event with the bare socket
// instead of to the request handler. acceptUpgrades reads the (small, Content-Length) body off
// that socket, then hands the request to the router with a response object on the socket, so a
// route answers errors before the hijack as ordinary HTTP and calls hijack() to take the socket.
import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import { invalid } from '../errors.js';
import { MAX_JSON_BODY, baseHeaders, sendJson } from './http.js';
import { toHttpError } from './errors.js';

/** Requests that came through the 'upgrade' event, with their raw socket. */
const upgradedSockets = new WeakMap<IncomingMessage, Socket>();

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/**
 * dockerd's media type for attach, exec and logs streams: API 1.42 added the multiplexed type
 * for streams that carry 8-byte frame headers (no TTY); older clients get raw-stream always.
 */
export function streamMediaType(tty: boolean, apiVersion: string): string {
  const [major = 0, minor = 0] = apiVersion.split('.').map(Number);
  return !tty && (major > 1 || (major === 1 && minor >= 42)) ? MULTIPLEXED_STREAM : RAW_STREAM;
}

/** Open upgraded connections per server: server.close() waits for them, so shutdown must end them. */
const openUpgrades = new WeakMap<Server, Set<Socket>>();

/**
 * Ends every upgraded connection of a server (attach/exec streams that would otherwise hold
 * server.close() until their container exits). For the daemon's stop, with closeAllConnections().
 */
export function destroyUpgraded(server: Server): void {
  for (const s of openUpgrades.get(server) ?? []) s.destroy();
}

/** Registers the upgrade path on a server; handle is the router's request handler. */
export function acceptUpgrades(server: Server, handle: (req: IncomingMessage, res: ServerResponse) => void): void {
  const open = new Set<Socket>();
  openUpgrades.set(server, open);
  server.on('upgrade', (req: IncomingMessage, duplex: Duplex, head: Buffer) => {
    const socket = duplex as Socket;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy()); // a vanished client must not crash the daemon
    socket.setTimeout(0);
    if (head.length > 0) socket.unshift(head);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false; // one request per upgraded connection, as with dockerd
    res.assignSocket(socket);
    // Answered without a hijack (an error before it): close once the answer is out.
    res.on('finish', () => socket.end());
    readBody(req, socket).then(
      (body) => {
        const withBody = requestWithBody(req, socket, body);
        upgradedSockets.set(withBody, socket);
        handle(withBody, res);
      },
      (e: unknown) => {
        const he = toHttpError(e);
        sendJson(res, he.status, { message: he.message });
      },
    );
  });
}

/**
 * Node ends an upgrade request's body stream at once; the route handlers read bodies from the
 * request, so they get a copy carrying the body read off the socket.
 */
function requestWithBody(req: IncomingMessage, socket: Socket, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(socket);
  // IncomingMessage would resume the socket to read more, and lose the stdin bytes behind the body.
  copy._read = () => undefined;
  copy.method = req.method ?? 'POST';
  copy.url = req.url ?? '/';
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  // Marked complete: an incomplete message destroys its socket when it is destroyed (autoDestroy).
  copy.complete = true;
  if (body.length > 0) copy.push(body);
  copy.push(null);
  return copy;
}

/** The request body, read straight off the socket; the bytes after it stay for the stream. */
function readBody(req: IncomingMessage, socket: Socket): Promise<Buffer> {
  if (req.headers['transfer-encoding']) {
    return Promise.reject(invalid('chunked request bodies are not supported on upgraded connections', 'hijack.body'));
  }
  const length = Number(req.headers['content-length'] ?? '0');
  if (!Number.isSafeInteger(length) || length < 0) return Promise.reject(invalid('invalid Content-Length', 'hijack.body'));
  if (length > MAX_JSON_BODY) return Promise.reject(invalid(`request body too large: ${length} bytes, at most ${MAX_JSON_BODY}`, 'body.tooLarge'));
  if (length === 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
    };
    const onEnd = (): void => {
      done();
      reject(invalid('connection closed before the request body was complete', 'hijack.body'));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got < length) return;
      done();
      socket.pause(); // keep what follows (stdin) buffered until the route takes the socket
      const all = Buffer.concat(chunks);
      if (all.length > length) socket.unshift(all.subarray(length));
      resolve(all.subarray(0, length));
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/** A hijacked response: bytes out, the client's bytes in (upgraded requests only). */
export interface HijackedStream {
  out: Writable;
  /** The client's stdin; undefined when the request was not upgraded (no way to read more). */
  in: Readable | undefined;
  /** Aborts when the client has gone away (fully closed the connection). */
  gone: AbortSignal;
  /** Ends the stream: the client reads EOF and, for attach/exec, then asks for the exit code. */
  end(): void;
}

/**
 * Takes over the connection. Upgraded requests get dockerd's 101 and the raw socket; a request
 * without `Upgrade` (curl, old clients) gets dockerd's fallback: 200 with the raw-stream type and
 * the bytes as the body, without stdin.
 */
export function hijack(req: IncomingMessage, res: ServerResponse, contentType: string): HijackedStream {
  const ac = new AbortController();
  const socket = upgradedSockets.get(req);
  if (socket) {
    res.detachSocket(socket);
    socket.on('close', () => ac.abort());
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    return {
      out: socket,
      in: socket,
      gone: ac.signal,
      // dockerd closes the whole connection; close only once everything written is flushed.
      end: () => {
        if (!socket.destroyed) socket.end(() => socket.destroy());
      },
    };
  }
  res.on('close', () => ac.abort());
  res.writeHead(200, { ...baseHeaders(), 'Content-Type': contentType });
  res.flushHeaders();
  return {
    out: res,
    in: undefined,
    gone: ac.signal,
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}

/** Writes a chunk, waiting when the client reads slower than we produce. False: the client is gone. */
export async function writeStream(out: Writable, chunk: Buffer): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return false;
  if (out.write(chunk)) return true;
  return new Promise((resolve) => {
    const settle = (ok: boolean): void => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => settle(true);
    const onClose = (): void => settle(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}
