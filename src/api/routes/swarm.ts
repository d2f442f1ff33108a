// Swarm, nodes, services, tasks, secrets, configs: tether has no swarm mode, so every one of them
// answers as a Docker node outside a swarm does. SDKs call some on teardown (docker-py's
// `swarm.leave(force=True)`) and accept only Docker's answer: 503 with dockerd's own message.
import { unavailable } from '../../errors.js';
import type { Route } from '../router.js';

// dockerd's daemon/cluster/errors.go: leaving needs membership, everything else a manager.
const NOT_PART = 'This node is not part of a swarm';
const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
// init/join would make a Docker node a swarm member; that is the one answer we cannot give.
const NO_SWARM_MODE = 'swarm mode is not supported by tether';

const refuse = (message: string): Route['handler'] => async () => {
  throw unavailable(message, 'swarm.inactive');
};

/** `/things`, `/things/create`, `/things/:id`, `/things/:id/update` (+ logs for services and tasks). */
function objectRoutes(kind: string, opts: { create: boolean; update: boolean; logs: boolean }): Route[] {
  const h = refuse(NOT_MANAGER);
  const routes: Route[] = [
    { method: 'GET', path: `/${kind}`, handler: h },
    { method: 'GET', path: `/${kind}/:id`, handler: h },
    { method: 'DELETE', path: `/${kind}/:id`, handler: h },
  ];
  if (opts.create) routes.push({ method: 'POST', path: `/${kind}/create`, handler: h });
  if (opts.update) routes.push({ method: 'POST', path: `/${kind}/:id/update`, handler: h });
  if (opts.logs) routes.push({ method: 'GET', path: `/${kind}/:id/logs`, handler: h });
  return routes;
}

export function swarmRoutes(): Route[] {
  return [
    { method: 'GET', path: '/swarm', handler: refuse(NOT_MANAGER) },
    { method: 'POST', path: '/swarm/init', handler: refuse(NO_SWARM_MODE) },
    { method: 'POST', path: '/swarm/join', handler: refuse(NO_SWARM_MODE) },
    { method: 'POST', path: '/swarm/leave', handler: refuse(NOT_PART) },
    { method: 'POST', path: '/swarm/update', handler: refuse(NOT_MANAGER) },
    { method: 'GET', path: '/swarm/unlockkey', handler: refuse(NOT_MANAGER) },
    { method: 'POST', path: '/swarm/unlock', handler: refuse(NOT_MANAGER) },
    ...objectRoutes('nodes', { create: false, update: true, logs: false }),
    ...objectRoutes('services', { create: true, update: true, logs: true }),
    ...objectRoutes('tasks', { create: false, update: false, logs: true }),
    ...objectRoutes('secrets', { create: true, update: true, logs: false }),
    ...objectRoutes('configs', { create: true, update: true, logs: false }),
  ];
}
