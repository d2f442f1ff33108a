// Request/response plumbing shared by every route: Docker's headers, JSON bodies with a size
// limit, and the error body. Routes return data; they never write status codes themselves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalid } from '../errors.js';

export const API_VERSION = '1.43';
export const MIN_API_VERSION = '1.12';
export const SERVER_VERSION = '0.1.0';
/** Bodies of JSON requests are small; anything larger is a client mistake or an attack. */
export const MAX_JSON_BODY = 1 << 20;

export function baseHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Tether/${SERVER_VERSION} (linux)`,
  };
}

/** Go's encoder escapes these; the docker CLI prints inspect output as the daemon sent it. */
const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!)}\n`;
  res.writeHead(status, { ...baseHeaders(), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, status === 204 || status === 304 ? baseHeaders() : { ...baseHeaders(), 'Content-Length': 0 });
  res.end();
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a JSON body; an empty body reads as undefined. Over the limit or malformed → 400. */
export function readJson(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume(); // drain so the connection can answer
      reject(invalid(`request body too large: ${declared} bytes, at most ${limit}`, 'body.tooLarge'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(invalid(`request body too large: more than ${limit} bytes`, 'body.tooLarge'));
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(invalid(`invalid JSON body: ${(e as Error).message}`, 'body.json'));
      }
    });
  });
}
