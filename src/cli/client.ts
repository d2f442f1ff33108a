// The Engine API client: HTTP over the daemon's unix socket (or tcp://), docker-style API version
// negotiation, and docker's error texts. Commands call request()/json() for ordinary calls,
// stream() for long responses (logs -f, events, load progress) and hijack() for attach/exec,
// where the connection is upgraded and becomes a raw bidirectional stream.

import http from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from './status.js';

/** The newest API version this client speaks; negotiated down to the daemon's. */
export const MAX_API_VERSION = '1.43';
/** What docker assumes when a daemon's /_ping has no Api-Version header. */
const FALLBACK_API_VERSION = '1.24';
/** Docker's placeholder host for socket connections; it appears in Host headers and error URLs. */
const DUMMY_HOST = 'api.moby.localhost';
export const DEFAULT_HOST = 'unix:///run/tether/tether.sock';
export const CLI_VERSION = '0.1.0';
const USER_AGENT = `Tether-Client/${CLI_VERSION} (${process.platform})`;

/** An HTTP error answered by the daemon, printed as `Error response from daemon: <message>`. */
export class DaemonError extends StatusError {
  constructor(
    readonly statusCode: number,
    readonly daemonMessage: string,
  ) {
    super(`Error response from daemon: ${daemonMessage}`, 1);
  }

  get notFound(): boolean {
    return this.statusCode === 404;
  }
}

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  /** Query parameters in the order docker sends them; an array repeats the key (url.Values.Add). */
  query?: Record<string, string | string[] | undefined>;
  /** A JSON body (serialised with JSON.stringify; build objects in the key order docker sends). */
  json?: unknown;
  /** A raw body (load/import tarballs): bytes, or a stream piped through as it is read. */
  body?: Buffer | NodeJS.ReadableStream;
  headers?: Record<string, string>;
}

/** Compare dotted API versions numerically ("1.9" < "1.41"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Go's url.QueryEscape, so the wire bytes match docker's (`%7B%22name%22…`). */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Escape one path segment as Go's url.URL.EscapedPath does (docker puts names into paths verbatim). */
export function esc(segment: string): string {
  return encodeURIComponent(segment).replace(/%(2F|3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (_m, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
}

/** Where the daemon listens: `-H`, then TETHER_HOST, then DOCKER_HOST, else the default socket. */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.TETHER_HOST || env.DOCKER_HOST || DEFAULT_HOST;
}

export class EngineClient {
  private readonly target: { socketPath: string } | { hostname: string; port: number };
  private version: string | undefined;

  constructor(readonly host: string) {
    if (host.startsWith('unix://')) {
      this.target = { socketPath: host.slice('unix://'.length) };
    } else if (host.startsWith('tcp://')) {
      const u = new URL(`http://${host.slice('tcp://'.length)}`);
      this.target = { hostname: u.hostname, port: Number(u.port || 2375) };
    } else {
      throw new StatusError(`invalid host "${host}": only unix:// and tcp:// daemon addresses are supported`, 1);
    }
  }

  /** The negotiated API version: min(daemon's Api-Version, MAX_API_VERSION), pinging once. */
  async apiVersion(): Promise<string> {
    if (this.version === undefined) {
      const ping = await this.ping();
      const server = ping.apiVersion || FALLBACK_API_VERSION;
      this.version = compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
    }
    return this.version;
  }

  /** Like docker: HEAD /_ping, falling back to GET when HEAD is not answered with 200 or 500. */
  async ping(): Promise<{ apiVersion?: string; osType?: string }> {
    let res: ApiResponse | undefined;
    try {
      res = await this.send('HEAD', '/_ping', {});
    } catch (e) {
      if (e instanceof ConnectionError) throw e;
    }
    if (!res || (res.status !== 200 && res.status !== 500)) res = await this.send('GET', '/_ping', {});
    if (res.status >= 400 && res.status !== 500) throw daemonError(res, '/_ping');
    const header = (n: string): string | undefined => {
      const v = res?.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    return { apiVersion: header('api-version'), osType: header('ostype') };
  }

  /** A versioned API call; throws DaemonError for 4xx/5xx answers. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const full = await this.versionedPath(path, opts.query);
    const res = await this.send(method, full, opts);
    if (res.status >= 400) throw daemonError(res, full);
    return res;
  }

  /** A versioned call whose JSON answer is returned parsed. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /** A long-running response (logs -f, events): resolved once headers arrive and the status is OK. */
  async stream(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const full = await this.versionedPath(path, opts.query);
    return new Promise((resolve, reject) => {
      const req = this.open(method, full, opts);
      req.on('response', (res) => {
        if ((res.statusCode ?? 500) < 400) return resolve(res);
        collect(res).then((r) => reject(daemonError(r, full)), reject);
      });
      req.on('error', (e) => reject(this.connectionError(e)));
      this.writeBody(req, opts);
    });
  }

  /**
   * Attach-style calls (attach, exec start): docker sends `Connection: Upgrade` / `Upgrade: tcp`
   * and the daemon answers 101, after which the socket carries the raw (or multiplexed) streams.
   * `head` holds any bytes that arrived with the 101 response.
   */
  async hijack(method: string, path: string, opts: RequestOptions = {}): Promise<{ socket: Duplex; head: Buffer }> {
    const full = await this.versionedPath(path, opts.query);
    const headers = { Connection: 'Upgrade', Upgrade: 'tcp', ...opts.headers };
    return new Promise((resolve, reject) => {
      const req = this.open(method, full, { ...opts, headers });
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', (res) => {
        collect(res).then((r) => {
          if (r.status >= 400) reject(daemonError(r, full));
          else reject(new StatusError(`${method} ${full}: expected 101 Switching Protocols, got ${r.status}`, 1));
        }, reject);
      });
      req.on('error', (e) => reject(this.connectionError(e)));
      this.writeBody(req, opts);
    });
  }

  private async versionedPath(path: string, query: RequestOptions['query']): Promise<string> {
    const v = await this.apiVersion();
    const qs = Object.entries(query ?? {})
      .flatMap(([k, val]) => (val === undefined ? [] : Array.isArray(val) ? val : [val]).map((v) => `${queryEscape(k)}=${queryEscape(v)}`))
      .join('&');
    return `/v${v}${path}${qs ? `?${qs}` : ''}`;
  }

  private open(method: string, path: string, opts: RequestOptions): http.ClientRequest {
    const headers: Record<string, string> = { Host: DUMMY_HOST, 'User-Agent': USER_AGENT, ...opts.headers };
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    return http.request({ ...this.target, method, path, headers, agent: false });
  }

  private writeBody(req: http.ClientRequest, opts: RequestOptions): void {
    if (opts.body !== undefined && !Buffer.isBuffer(opts.body)) {
      opts.body.pipe(req);
      return;
    }
    // Go's json.Encoder ends the body with a newline; send the same bytes.
    req.end(opts.json === undefined ? opts.body : goJSON(opts.json) + '\n');
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, opts);
      req.on('response', (res) => collect(res).then(resolve, reject));
      req.on('error', (e) => reject(this.connectionError(e)));
      this.writeBody(req, opts);
    });
  }

  private connectionError(e: Error & { code?: string }): Error {
    if (e.code === 'EACCES') {
      return new ConnectionError(
        `permission denied while trying to connect to the Tether daemon socket at ${this.host}: ${e.message}`,
      );
    }
    if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ENOTSOCK' || e.code === 'ECONNRESET') {
      return new ConnectionError(`Cannot connect to the Tether daemon at ${this.host}. Is the tether daemon running?`);
    }
    return new ConnectionError(`error during connect: ${e.message}`);
  }
}

/**
 * JSON.stringify with encoding/json's HTML escaping (`<`, `>`, `&` as \u003c…, and U+2028/9),
 * so bodies match docker's bytes. Those characters can only occur inside JSON strings.
 */
export function goJSON(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The daemon could not be reached (docker's errConnectionFailed). */
export class ConnectionError extends StatusError {
  constructor(message: string) {
    super(message, 1);
  }
}

function collect(res: http.IncomingMessage): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    res.on('error', reject);
  });
}

/** docker's checkResponseErr: a JSON `{"message"}` body, else the trimmed text, else the status. */
function daemonError(res: ApiResponse, path: string): DaemonError {
  const statusText = `${res.status} ${http.STATUS_CODES[res.status] ?? ''}`.trim();
  const url = `http://${DUMMY_HOST}${path}`;
  if (res.body.length === 0) {
    return new DaemonError(
      res.status,
      `request returned ${statusText} for API route and version ${url}, check if the server supports the requested API version`,
    );
  }
  const text = res.body.toString('utf8');
  if (res.headers['content-type'] === 'application/json') {
    let msg: unknown;
    try {
      msg = (JSON.parse(text) as { message?: unknown } | null)?.message;
    } catch (e) {
      return new DaemonError(res.status, `Error reading JSON: ${(e as Error).message}`);
    }
    if (typeof msg !== 'string' || msg === '') {
      return new DaemonError(
        res.status,
        `API returned a ${res.status} (${http.STATUS_CODES[res.status] ?? ''}) but provided no error-message`,
      );
    }
    return new DaemonError(res.status, msg.trim());
  }
  return new DaemonError(res.status, text.trim());
}
