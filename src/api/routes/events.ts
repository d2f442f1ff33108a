// GET /events: the kept events since `since`, then the live ones until `until` or the client
// leaves; and the helpers the routes use to say what they did.
import type { ContainerRecord } from '../../model/container.js';
import type { Engine } from '../../engine/engine.js';
import type { NetworkRecord } from '../../model/network.js';
import { eventFilter, parseEventTime, toDockerEvent } from '../docker/events.js';
import { parseFilters } from '../docker/filters.js';
import { baseHeaders } from '../http.js';
import type { Route } from '../router.js';

export function containerEvent(engine: Engine, action: string, c: ContainerRecord, extra: Record<string, string> = {}): void {
  engine.events.publish('container', action, c.id, { ...c.config.labels, image: c.config.image, name: c.name, ...extra });
}

export function networkEvent(engine: Engine, action: string, net: NetworkRecord, extra: Record<string, string> = {}): void {
  engine.events.publish('network', action, net.id, { name: net.name, type: net.driver, ...extra });
}

export function eventRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/events',
      handler: async ({ req, res, query }) => {
        const keep = eventFilter(parseFilters(query.get('filters')));
        const since = parseEventTime(query.get('since'), 'since');
        const until = parseEventTime(query.get('until'), 'until');
        res.writeHead(200, { ...baseHeaders(), 'Content-Type': 'application/json' });
        res.flushHeaders();
        const nowNano = BigInt(Date.now()) * 1_000_000n;
        const send = (e: Parameters<typeof keep>[0]): void => {
          if (keep(e) && (until === undefined || e.timeNano <= until)) res.write(`${JSON.stringify(toDockerEvent(e))}\n`);
        };
        if (since !== undefined) for (const e of engine.events.since(since)) send(e);
        if (until !== undefined && until <= nowNano) {
          res.end();
          return 'handled';
        }
        const stop = engine.events.subscribe(send);
        const timer = until === undefined ? undefined : setTimeout(() => res.end(), Number((until - nowNano) / 1_000_000n));
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stop();
            clearTimeout(timer);
            resolve();
          };
          req.once('close', done);
          res.once('close', done);
          res.once('finish', done);
        });
        return 'handled';
      },
    },
  ];
}
