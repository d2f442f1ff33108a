// `GET /networks?filters=…` and `network prune --filter`: Docker's semantics on our records.
import { invalid } from '../errors.js';
import type { NetworkFilters, NetworkRecord } from '../model/network.js';

const KEYS = new Set(['name', 'id', 'driver', 'label', 'scope', 'type', 'dangling', 'until']);

export function checkFilterKeys(filters: Record<string, string[]>, allowed: Set<string> = KEYS): NetworkFilters {
  for (const key of Object.keys(filters)) {
    if (!allowed.has(key)) throw invalid(`Invalid filter '${key}'`, 'filter.unknown');
  }
  for (const t of filters['type'] ?? []) {
    if (t !== 'builtin' && t !== 'custom') throw invalid(`Invalid filter: 'type'='${t}'`, 'filter.value');
  }
  for (const d of filters['dangling'] ?? []) {
    if (!['true', 'false', '1', '0'].includes(d)) throw invalid(`Invalid filter 'dangling=${d}'`, 'filter.value');
  }
  return filters as NetworkFilters;
}

/** label filter values are `key` (present) or `key=value` (equal). */
export function matchLabels(labels: Record<string, string>, wanted: string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return w in labels;
    return labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

/**
 * Docker's filters.Match: the value is a regular expression matched anywhere in the field
 * (`name=^bridge$`). A value that is no valid expression matches as plain text.
 */
export function matchPattern(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return text.includes(pattern);
  }
}

export function matchNetwork(net: NetworkRecord, f: NetworkFilters, endpointCount: number): boolean {
  const any = (vals: string[] | undefined, pred: (v: string) => boolean): boolean => vals === undefined || vals.some(pred);
  return (
    any(f.driver, (v) => v === net.driver) &&
    any(f.name, (v) => matchPattern(v, net.name)) &&
    any(f.id, (v) => matchPattern(v, net.id)) &&
    (f.label === undefined || matchLabels(net.labels, f.label)) &&
    any(f.scope, (v) => v === net.scope) &&
    any(f.type, (v) => (v === 'builtin') === net.predefined) &&
    any(f.dangling, (v) => (v === 'true' || v === '1') === (!net.predefined && endpointCount === 0))
  );
}
