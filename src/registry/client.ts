// HTTP for the OCI distribution API: which endpoint serves a registry (mirrors, HTTPS with the
// certs.d CA, dockerd's insecure fallback to HTTP), keep-alive agents, the 401 challenge (Bearer
// token from the realm the registry names, or Basic), redirects (blob storage), and retries of
// requests that failed before any answer.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DOCKER_HUB } from './reference.js';
import { readBody, RegistryHttpError, transportError } from './wire.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** A ready bearer token (registrytoken). */
  registryToken?: string;
}

export interface RegistryOptions {
  insecureRegistries: string[];
  registryMirrors: string[];
  certsDir: string;
}

export interface Endpoint {
  /** Base URL without a trailing slash, e.g. https://registry-1.docker.io */
  base: string;
  /** host:port as certs.d names it. */
  hostPort: string;
  ca?: Buffer;
  /** TLS without verification (an insecure registry). */
  skipVerify: boolean;
}

const MAX_REDIRECTS = 5;
const ATTEMPTS = 3;

export class RegistryClient {
  private readonly agents = new Map<string, http.Agent>();

  constructor(private readonly opts: RegistryOptions) {}

  /** Endpoints to try for a registry domain, in dockerd's order. */
  endpoints(domain: string): Endpoint[] {
    const list: Endpoint[] = [];
    if (domain === DOCKER_HUB) {
      for (const m of this.opts.registryMirrors) list.push(...this.forHost(new URL(m).host, m.startsWith('http:')));
      list.push(...this.forHost('registry-1.docker.io', false));
      return list;
    }
    return this.forHost(domain, false);
  }

  private forHost(hostPort: string, plainHttp: boolean): Endpoint[] {
    if (plainHttp) return [{ base: `http://${hostPort}`, hostPort, skipVerify: false }];
    const ca = this.caFor(hostPort);
    const insecure = this.isInsecure(hostPort);
    const tls: Endpoint = { base: `https://${hostPort}`, hostPort, skipVerify: insecure, ...(ca ? { ca } : {}) };
    // An insecure registry may speak plain HTTP: dockerd tries HTTPS first, then HTTP.
    return insecure ? [tls, { base: `http://${hostPort}`, hostPort, skipVerify: false }] : [tls];
  }

  private caFor(hostPort: string): Buffer | undefined {
    try {
      return readFileSync(join(this.opts.certsDir, hostPort.replace(/[/\\]/g, '_'), 'ca.crt'));
    } catch {
      return undefined;
    }
  }

  private isInsecure(hostPort: string): boolean {
    const host = hostPort.replace(/:[0-9]+$/, '').replace(/^\[|\]$/g, '');
    return this.opts.insecureRegistries.some((entry) => entry === hostPort || entry === host || (entry.includes('/') && isIP(host) === 4 && inCidr4(host, entry)));
  }

  /** One request, following redirects; Authorization goes only to the registry's own host. */
  async send(ep: Endpoint, url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer | NodeJS.ReadableStream } = {}): Promise<IncomingMessage> {
    let target = new URL(url, ep.base);
    const origin = new URL(ep.base).host;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers = { ...init.headers };
      if (target.host !== origin) delete headers['Authorization'];
      const res = await this.once(ep, target, init.method ?? 'GET', headers, init.body);
      const location = res.headers.location;
      if (res.statusCode && [301, 302, 303, 307, 308].includes(res.statusCode) && location) {
        res.resume();
        target = new URL(location, target);
        continue;
      }
      return res;
    }
    throw new RegistryHttpError(0, [], `too many redirects for ${url}`);
  }

  /** GET/HEAD with retries: a connection that fails before answering is tried again. */
  async sendIdempotent(ep: Endpoint, url: string, headers: Record<string, string>, method = 'GET'): Promise<IncomingMessage> {
    let last: unknown;
    for (let i = 0; i < ATTEMPTS; i++) {
      try {
        return await this.send(ep, url, { method, headers });
      } catch (e) {
        last = e;
        if (e instanceof RegistryHttpError) throw e;
        await new Promise((r) => setTimeout(r, 100 * 2 ** i));
      }
    }
    throw last;
  }

  private once(ep: Endpoint, url: URL, method: string, headers: Record<string, string>, body?: Buffer | NodeJS.ReadableStream): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    const mod = secure ? https : http;
    const agent = this.agent(secure, ep);
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers: { 'User-Agent': 'tether', ...headers }, agent }, resolve);
      req.setTimeout(60_000, () => req.destroy(new Error('i/o timeout')));
      req.on('error', (e) => reject(transportError(method, url, e)));
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else body.pipe(req);
    });
  }

  private agent(secure: boolean, ep: Endpoint): http.Agent {
    // certs.d is read at each pull: a CA added or replaced later gets an agent of its own.
    const caKey = ep.ca ? createHash('sha256').update(ep.ca).digest('hex') : '';
    const key = `${secure}|${ep.hostPort}|${ep.skipVerify}|${caKey}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = secure
        ? new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: !ep.skipVerify, ...(ep.ca ? { ca: ep.ca } : {}) })
        : new http.Agent({ keepAlive: true, maxSockets: 8 });
      this.agents.set(key, agent);
    }
    return agent;
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/** The token a Bearer challenge asks for, fetched from its realm (with Basic credentials if any). */
export async function fetchToken(client: RegistryClient, ep: Endpoint, challenge: Record<string, string>, creds: Credentials | undefined): Promise<string> {
  const realm = challenge['realm'];
  if (!realm) throw new RegistryHttpError(401, [], 'unauthorized: the registry sent a Bearer challenge without a realm');
  const url = new URL(realm);
  if (challenge['service']) url.searchParams.set('service', challenge['service']);
  if (challenge['scope']) url.searchParams.set('scope', challenge['scope']);
  const headers: Record<string, string> = {};
  if (creds?.username) headers['Authorization'] = basic(creds);
  // The realm is usually another host: no certs.d CA of the registry applies to it.
  const realmEp: Endpoint = { base: url.origin, hostPort: url.host, skipVerify: false };
  const res = await client.sendIdempotent(realmEp, url.toString(), headers);
  const body = await readBody(res, 1 << 20);
  if (res.statusCode !== 200) throw RegistryHttpError.from(res.statusCode ?? 0, body);
  const parsed = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
  const token = typeof parsed.token === 'string' ? parsed.token : parsed.access_token;
  if (typeof token !== 'string' || token === '') throw new RegistryHttpError(401, [], 'unauthorized: the token server sent no token');
  return token;
}

export function basic(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64')}`;
}

/** `Bearer realm="…",service="…"` → { scheme: 'bearer', realm, service }. */
export function parseChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m?.[1]) return undefined;
  const out: Record<string, string> = { scheme: m[1].toLowerCase() };
  for (const p of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) if (p[1]) out[p[1]] = p[2] ?? '';
  return out;
}

function inCidr4(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  if (isIP(base) !== 4) return false;
  const n = Number(bits);
  const toInt = (a: string): number => a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}
