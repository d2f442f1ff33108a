// Matches `/v1.NN/path` requests to routes, checks the API version the way dockerd does, and
// turns whatever a handler throws into Docker's error body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../drivers/driver.js';
import { toHttpError } from './errors.js';
import { API_VERSION, MIN_API_VERSION, sendEmpty, sendJson, sendText } from './http.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  apiVersion: string;
}

/** A handler returns a status and a JSON body (undefined: empty body), or 'handled' when it wrote the response itself (streams, hijack). */
export type RouteResult = { status: number; body?: unknown; text?: string } | 'handled';

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  path: string; // e.g. /networks/:id/connect
  handler: (ctx: RouteContext) => Promise<RouteResult>;
}

interface Compiled extends Route {
  re: RegExp;
  names: string[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  // A parameter is one path segment; `*` params (image names with slashes) take the rest.
  const re = route.path.replace(/:(\w+)(\*?)/g, (_m, name: string, star: string) => {
    names.push(name);
    return star ? '(.+)' : '([^/]+)';
  });
  return { ...route, re: new RegExp(`^${re}$`), names };
}

function versionNumber(v: string): number {
  const [maj, min] = v.split('.').map(Number);
  return (maj ?? 0) * 1000 + (min ?? 0);
}

export class Router {
  private readonly routes: Compiled[];

  constructor(routes: Route[], private readonly log: Logger) {
    this.routes = routes.map(compile);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://tether');
    let path = url.pathname;
    let apiVersion = API_VERSION;
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
    if (m) {
      apiVersion = m[1]!;
      path = m[2]!;
      if (versionNumber(apiVersion) > versionNumber(API_VERSION)) {
        return sendJson(res, 400, { message: `client version ${apiVersion} is too new. Maximum supported API version is ${API_VERSION}` });
      }
      if (versionNumber(apiVersion) < versionNumber(MIN_API_VERSION)) {
        return sendText(res, 400, `client version ${apiVersion} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      }
    }
    const method = req.method === 'HEAD' ? 'HEAD' : req.method;
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const pm = r.re.exec(path);
      if (!pm) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(pm[i + 1] ?? '')));
      try {
        const out = await r.handler({ req, res, params, query: url.searchParams, apiVersion });
        if (out === 'handled') return;
        if (out.text !== undefined) return sendText(res, out.status, out.text);
        return out.body === undefined ? sendEmpty(res, out.status) : sendJson(res, out.status, out.body);
      } catch (e) {
        const he = toHttpError(e);
        if (he.status >= 500) this.log.error('request failed', { method, path, error: String((e as Error)?.stack ?? e) });
        if (res.headersSent) return void res.destroy();
        return sendJson(res, he.status, { message: he.message });
      }
    }
    // dockerd's unknown-route reply carries none of the API headers (reference 09).
    const text = `${JSON.stringify({ message: 'page not found' })}\n`;
    res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}
