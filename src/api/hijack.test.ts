// The hijack handshake byte for byte as dockerd sends it (10-api-trace/03-run.log), the request
// body separated from the stdin behind it, half-close from the client, and the non-upgrade path.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { notFound } from '../errors.js';
import { toHttpError } from './errors.js';
import { acceptUpgrades, destroyUpgraded, hijack, MULTIPLEXED_STREAM, RAW_STREAM, streamMediaType } from './hijack.js';
import { readJson, sendJson } from './http.js';

let server: Server;
let dir: string;
let sock: string;

/** A route that answers 404 for /missing and otherwise echoes body and stdin through a hijack. */
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hijack-'));
  sock = join(dir, 'api.sock');
  const handle = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    void (async () => {
      try {
        if (req.url === '/missing') throw notFound('No such container: missing');
        const body = (await readJson(req)) as { say?: string } | undefined;
        const hj = hijack(req, res, RAW_STREAM);
        hj.out.write(`body:${body?.say ?? ''};`);
        if (!hj.in) return hj.end();
        const got: Buffer[] = [];
        hj.in.on('data', (d: Buffer) => got.push(d));
        // The client half-closes after stdin; we must still be able to answer.
        hj.in.on('end', () => {
          hj.out.write(`stdin:${Buffer.concat(got).toString()}`);
          hj.end();
        });
        hj.in.resume();
      } catch (e) {
        const he = toHttpError(e);
        sendJson(res, he.status, { message: he.message });
      }
    })();
  };
  server = createServer(handle);
  acceptUpgrades(server, handle);
  await new Promise<void>((r) => server.listen(sock, r));
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes, half-closes, returns everything the server sent until it closed. */
function exchange(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(sock);
    const got: Buffer[] = [];
    c.on('data', (d: Buffer) => got.push(d));
    c.on('end', () => {
      c.end();
      resolve(Buffer.concat(got).toString());
    });
    c.on('error', reject);
    c.end(raw);
  });
}

const upgrade = (path: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\n\r\n${body}`;

test('101 UPGRADED exactly as dockerd; body and stdin arrive apart, even in one packet', async () => {
  const out = await exchange(`${upgrade('/exec/x/start', '{"say":"hi"}')}piped\n`);
  assert.equal(out, 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nbody:hi;stdin:piped\n');
});

test('an error before the hijack is an ordinary HTTP answer that closes the connection', async () => {
  const out = await exchange(upgrade('/missing', ''));
  assert.match(out, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(out, /\r\nConnection: close\r\n/);
  assert.ok(out.endsWith('{"message":"No such container: missing"}\n'));
});

test('a request without Upgrade gets the stream as a 200 body', async () => {
  const body = '{"say":"plain"}';
  const out = await exchange(`POST /attach HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(out, /\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
  assert.match(out, /body:plain;/);
});

test('destroyUpgraded ends a stream that would hold server.close() open', async () => {
  const c = connect(sock);
  const ended = new Promise<void>((r) => c.on('close', () => r()));
  c.on('error', () => undefined);
  // No EOF from us: the hijacked stream waits for stdin's end, as an attach waits for an exit.
  c.write(upgrade('/exec/y/start', '{}'));
  await new Promise((r) => c.once('data', r));
  destroyUpgraded(server);
  await ended;
});

test('stream media type: multiplexed from API 1.42 without TTY, raw otherwise', () => {
  assert.equal(streamMediaType(false, '1.43'), MULTIPLEXED_STREAM);
  assert.equal(streamMediaType(false, '1.41'), RAW_STREAM);
  assert.equal(streamMediaType(true, '1.43'), RAW_STREAM);
});
