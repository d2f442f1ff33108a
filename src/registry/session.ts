// One conversation with one registry about one repository: the endpoint that answered the
// /v2/ ping, and the Authorization that the last 401 challenge asked for (a Bearer token scoped
// to repository:<path>:<actions>, or Basic), reused for every later request.
import type { IncomingMessage } from 'node:http';
import { basic, fetchToken, parseChallenge, type Credentials, type Endpoint, type RegistryClient } from './client.js';
import { isTransportError, readBody, RegistryHttpError } from './wire.js';

export class RegistrySession {
  private authorization: string | undefined;
  /** Whether a GET or HEAD that fails to connect is tried again (RegistryClient.sendIdempotent). */
  private retries = true;

  private constructor(
    readonly client: RegistryClient,
    readonly endpoint: Endpoint,
    readonly path: string,
    private readonly creds: Credentials | undefined,
    private readonly scope: string,
  ) {}

  /** Pings each endpoint of the domain in turn; the first that answers HTTP at all is used. */
  static async open(client: RegistryClient, domain: string, path: string, creds: Credentials | undefined, actions = 'pull'): Promise<RegistrySession> {
    let last: unknown;
    const endpoints = client.endpoints(domain);
    for (const [i, ep] of endpoints.entries()) {
      // No repository (a login): the token is asked for without a scope.
      const s = new RegistrySession(client, ep, path, creds, path ? `repository:${path}:${actions}` : '');
      // With an endpoint left to fall back to, a ping that fails moves on at once, as dockerd's
      // does: retrying HTTPS against a plain-HTTP insecure registry only waited out the backoff
      // (0.7 s of every pull).
      s.retries = i === endpoints.length - 1;
      try {
        const res = await s.request('GET', '/v2/');
        const body = await readBody(res, 1 << 16);
        if (res.statusCode === 401) throw RegistryHttpError.from(401, body);
        s.retries = true;
        return s;
      } catch (e) {
        last = e;
        if (!isTransportError(e)) throw e;
      }
    }
    throw last;
  }

  /** A request under /v2/<path>/… (or /v2/ itself); answers a 401 challenge once. */
  async request(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer | NodeJS.ReadableStream): Promise<IncomingMessage> {
    const send = (): Promise<IncomingMessage> => {
      const h = { ...headers, ...(this.authorization ? { Authorization: this.authorization } : {}) };
      return body === undefined && this.retries && (method === 'GET' || method === 'HEAD') ? this.client.sendIdempotent(this.endpoint, url, h, method) : this.client.send(this.endpoint, url, { method, headers: h, ...(body ? { body } : {}) });
    };
    const res = await send();
    // A streamed body cannot be sent twice: uploads come after a bodiless request has authenticated.
    if (res.statusCode !== 401 || (body !== undefined && !Buffer.isBuffer(body))) return res;
    const challenge = parseChallenge(res.headers['www-authenticate']);
    const refused = RegistryHttpError.from(401, await readBody(res, 1 << 16));
    // dockerd's words when a Basic registry is asked without credentials.
    if (!(await this.authenticate(challenge))) throw challenge?.['scheme'] === 'basic' ? new RegistryHttpError(401, refused.errors, 'no basic auth credentials') : refused;
    return send();
  }

  /** Sets the Authorization the challenge asks for; false when there is nothing to offer. */
  private async authenticate(challenge: Record<string, string> | undefined): Promise<boolean> {
    if (challenge?.['scheme'] === 'bearer') {
      if (this.creds?.registryToken) this.authorization = `Bearer ${this.creds.registryToken}`;
      else this.authorization = `Bearer ${await fetchToken(this.client, this.endpoint, { ...challenge, scope: challenge['scope'] ?? this.scope }, this.creds)}`;
      return true;
    }
    if (challenge?.['scheme'] === 'basic' && this.creds?.username) {
      this.authorization = basic(this.creds);
      return true;
    }
    return false;
  }

  /** `/v2/<path>/<kind>/<ref>` */
  url(kind: 'manifests' | 'blobs', ref: string): string {
    return `/v2/${this.path}/${kind}/${ref}`;
  }
}
