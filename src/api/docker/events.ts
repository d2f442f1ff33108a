// Docker's event messages (GET /events), and the filters `docker events --filter` sends.
import type { EngineEvent } from '../../engine/events.js';
import { invalid } from '../../errors.js';

const FILTER_KEYS = new Set(['type', 'event', 'container', 'network', 'label']);

/** One line of the stream, as dockerd writes it (events/events.go Message). */
export function toDockerEvent(e: EngineEvent): Record<string, unknown> {
  const time = Number(e.timeNano / 1_000_000_000n);
  const common = { Type: e.type, Action: e.action, Actor: { ID: e.id, Attributes: e.attributes }, scope: 'local', time, timeNano: Number(e.timeNano) };
  // Containers also carry the pre-1.22 fields, which older clients still read.
  return e.type === 'container' ? { status: e.action, id: e.id, from: e.attributes['image'] ?? '', ...common } : common;
}

export type EventFilter = (e: EngineEvent) => boolean;

/** Docker's rules: values of one key are alternatives, keys must all match. */
export function eventFilter(filters: Record<string, string[]>): EventFilter {
  for (const key of Object.keys(filters)) if (!FILTER_KEYS.has(key)) throw invalid(`invalid filter '${key}'`, 'events.filter');
  const named = (e: EngineEvent, values: string[]): boolean => values.some((v) => v === e.id || e.id.startsWith(v) || v === e.attributes['name']);
  return (e) =>
    (!filters['type'] || filters['type'].includes(e.type)) &&
    (!filters['event'] || filters['event'].includes(e.action)) &&
    (!filters['container'] || (e.type === 'container' ? named(e, filters['container']) : filters['container'].includes(e.attributes['container'] ?? ''))) &&
    (!filters['network'] || (e.type === 'network' && named(e, filters['network']))) &&
    (!filters['label'] || filters['label'].every((l) => {
      const [k, v] = l.split('=', 2) as [string, string | undefined];
      return v === undefined ? k in e.attributes : e.attributes[k] === v;
    }));
}

/** `since`/`until`: Unix seconds, fractional allowed (the CLI turns durations and dates into these). */
export function parseEventTime(raw: string | null, name: string): bigint | undefined {
  if (raw === null || raw === '') return undefined;
  if (!/^\d+(\.\d{1,9})?$/.test(raw)) throw invalid(`invalid value for ${name}: ${raw}`, 'events.time');
  const [sec, frac = ''] = raw.split('.') as [string, string?];
  return BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
}
