// Matches `/v1.NN/path` requests to routes, checks the API version the way dockerd does, and
// turns whatever a handler throws into Docker's error body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../model/logger.js';
import { operation } from '../model/trace.js';
import { invalid } from '../errors.js';
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

/** A path segment with its %-escapes undone; a broken escape ("%zz") is the client's 400 (Go's
 * server refuses such a URL too), not an exception that would take the daemon down. */
function decodePathPart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(`invalid URL escape in path: ${raw}`, 'path.escape');
  }
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
    // Not `new URL`: it throws on "//" (a client base URL with a trailing slash), which would take
    // the daemon down. Repeated slashes collapse, as Go's path cleaning does for dockerd.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const searchParams = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    let path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/');
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
      try {
        r.names.forEach((n, i) => (params[n] = decodePathPart(pm[i + 1] ?? '')));
        const out = await operation(`${method} ${r.path}`, () => r.handler({ req, res, params, query: searchParams, apiVersion }));
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
