// A stub Bearer token server for the registry's `auth: token` (run as a script inside a test
// host): GET /token?service=&scope= with Basic user:pass answers a JWT (RS256, the signing cert
// in x5c, as the distribution registry verifies against its rootcertbundle) granting the scope
// asked for; wrong credentials get 401. Args: port keyFile certFile service issuer user password.
import { createServer } from 'node:http';
import { randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [port, keyFile, certFile, service, issuer, user, password] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const key = readFileSync(keyFile);
const certDer = readFileSync(certFile, 'utf8').replace(/-----[^-]+-----|\s/g, '');
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
  if (url.pathname !== '/token' || given !== `${user}:${password}`) {
    res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"incorrect username or password"}');
    return;
  }
  const access = url.searchParams.getAll('scope').flatMap((s) => {
    const [type, name, actions] = s.split(':');
    return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
  });
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'RS256', typ: 'JWT', x5c: [certDer] });
  const claims = b64({ iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access });
  const signature = sign('sha256', Buffer.from(`${head}.${claims}`), key).toString('base64url');
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `${head}.${claims}.${signature}`, expires_in: 300 }));
}).listen(Number(port), process.env['TOKEN_SERVER_IP'] ?? '127.0.0.1');
