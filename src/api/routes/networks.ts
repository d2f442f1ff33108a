// /networks routes: thin — parse and validate at the edge, call the engine, convert to Docker JSON.
import { notFound } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import { checkFilterKeys } from '../../engine/network-filters.js';
import { parseFilters } from '../docker/filters.js';
import { parseConnect, parseDisconnect } from '../docker/connect.js';
import { parseCreateNetwork, toDockerNetwork } from '../docker/network.js';
import { readJson } from '../http.js';
import type { Route } from '../router.js';
import { networkEvent } from './events.js';

const PRUNE_FILTERS = new Set(['label', 'label!', 'until']);

export function networkRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/networks',
      handler: async ({ query }) => {
        const filters = checkFilterKeys(parseFilters(query.get('filters')));
        // Docker's list always shows Containers as {}; inspect fills it.
        return { status: 200, body: (await engine.networks.list(filters)).map((n) => toDockerNetwork(n)) };
      },
    },
    {
      method: 'GET',
      path: '/networks/:id',
      handler: async ({ params, query }) => {
        const net = await engine.networks.find(params['id']!);
        const scope = query.get('scope');
        if (scope && scope !== net.scope) throw notFound(`network ${params['id']} not found`, 'network.notFound');
        return { status: 200, body: toDockerNetwork(net, await engine.networkContainers(net.id), await engine.networkPeers(net.id)) };
      },
    },
    {
      method: 'POST',
      path: '/networks/create',
      handler: async ({ req }) => {
        const request = parseCreateNetwork(await readJson(req));
        const net = await engine.networks.create(request);
        networkEvent(engine, 'create', net);
        return { status: 201, body: { Id: net.id, Warning: '' } };
      },
    },
    {
      method: 'DELETE',
      path: '/networks/:id',
      handler: async ({ params }) => {
        const net = await engine.networks.find(params['id']!);
        await engine.networks.remove(net.id);
        networkEvent(engine, 'destroy', net);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async ({ query }) => {
        const filters = checkFilterKeys(parseFilters(query.get('filters')), PRUNE_FILTERS);
        const removed = await engine.networks.prune(filters);
        return { status: 200, body: { NetworksDeleted: removed.length > 0 ? removed : null } };
      },
    },
    {
      method: 'POST',
      path: '/networks/:id/connect',
      handler: async ({ params, req }) => {
        const request = parseConnect(await readJson(req));
        await engine.connect(params['id']!, request);
        networkEvent(engine, 'connect', await engine.networks.find(params['id']!), { container: (await engine.containers.find(request.container)).id });
        return { status: 200 };
      },
    },
    {
      method: 'POST',
      path: '/networks/:id/disconnect',
      handler: async ({ params, req }) => {
        const request = parseDisconnect(await readJson(req));
        // With Force the container may be gone already: the event then names what was asked.
        let container = request.container;
        try {
          container = (await engine.containers.find(request.container)).id;
        } catch {
          // not found: engine.disconnect says so, or forgets the endpoint (Force)
        }
        await engine.disconnect(params['id']!, request);
        networkEvent(engine, 'disconnect', await engine.networks.find(params['id']!), { container });
        return { status: 200 };
      },
    },
  ];
}
