// The Engine API on unix sockets. Root-owned, mode 0660, like docker.sock; no TCP listener.
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalid } from '../errors.js';
import type { Logger } from '../model/logger.js';
import type { Engine } from '../engine/engine.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { Router, type Route } from './router.js';
import { networkRoutes } from './routes/networks.js';
import { systemRoutes } from './routes/system.js';
import { containerRoutes } from './routes/containers.js';
import { imageRoutes } from './routes/images.js';
import { authRoutes } from './routes/auth.js';
import { RegistryClient } from '../registry/client.js';
import { execRoutes } from './routes/exec.js';
import { streamRoutes } from './routes/streams.js';
import { swarmRoutes } from './routes/swarm.js';
import { eventRoutes } from './routes/events.js';
import { acceptUpgrades } from './hijack.js';

/** Every route; image, log and exec routes need the real runtime (absent: containers unavailable). */
export function allRoutes(engine: Engine, runtime: ContainerRuntime | undefined): Route[] {
  const { insecureRegistries, registryMirrors, certsDir } = engine.config;
  const registry = new RegistryClient({ insecureRegistries, registryMirrors, certsDir });
  return [
    ...systemRoutes(engine, runtime),
    ...authRoutes(registry),
    ...networkRoutes(engine),
    ...containerRoutes(engine, { logPath: (id) => runtime?.logPath(id) ?? '' }),
    ...swarmRoutes(),
    ...eventRoutes(engine),
    ...(runtime ? [...imageRoutes(engine, runtime, registry), ...streamRoutes(engine, runtime), ...execRoutes(engine)] : []),
  ];
}

export function socketPath(host: string): string {
  if (!host.startsWith('unix://')) {
    throw invalid(`unsupported host ${host}: only unix:///path sockets are served (TCP needs TLS, not implemented)`, 'config.host');
  }
  return host.slice('unix://'.length);
}

export async function listen(hosts: string[], routes: Route[], log: Logger): Promise<Server[]> {
  const router = new Router(routes, log);
  const servers: Server[] = [];
  for (const host of hosts) {
    const path = socketPath(host);
    await mkdir(dirname(path), { recursive: true });
    await rm(path, { force: true }); // a socket file left by a killed daemon
    const server = createServer((req, res) => void router.handle(req, res));
    acceptUpgrades(server, (req, res) => void router.handle(req, res)); // attach, exec start
    // Slow or broken clients must not pin the daemon: bound header time and idle keep-alive.
    server.headersTimeout = 30_000;
    server.requestTimeout = 0; // streams (logs -f, attach) may last forever
    server.on('clientError', (_e, sock) => sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    await chmod(path, 0o660);
    log.info('API listening', { socket: path });
    servers.push(server);
  }
  return servers;
}
