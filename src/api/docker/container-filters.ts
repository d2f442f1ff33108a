// `GET /containers/json?all=&limit=&filters=` and `POST /containers/prune?filters=`: dockerd's
// selection rules (daemon/list.go) on our records. Kept apart from the JSON shapes: this decides
// *which* containers, container-json.ts decides *how they look*.
import type { ContainerRecord } from '../../model/container.js';
import { matchLabels } from '../../engine/network-filters.js';
import type { NetworkRecord } from '../../model/network.js';
import { invalid } from '../../errors.js';

const LIST_KEYS = new Set(['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume']);
const PRUNE_KEYS = new Set(['label', 'label!', 'until']);
const STATES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

const badValue = (key: string, value: string) => invalid(`Invalid filter '${key}=${value}'`, 'filter.value');

function checkKeys(filters: Record<string, string[]>, allowed: Set<string>): void {
  for (const key of Object.keys(filters)) {
    if (!allowed.has(key)) throw invalid(`Invalid filter '${key}'`, 'filter.unknown');
  }
}

/** dockerd's filters.Match: an exact value, or a regular expression found in the source. */
function patternMatcher(values: string[]): (source: string) => boolean {
  const res = values.flatMap((v) => {
    if (v.length > 256) return []; // a pattern that long is no name; do not compile it
    try {
      return [new RegExp(v)];
    } catch {
      return []; // dockerd skips patterns that do not compile
    }
  });
  return (s) => values.includes(s) || res.some((re) => re.test(s));
}

function portMatcher(key: string, values: string[]): (ports: string[]) => boolean {
  const wanted = values.map((v) => {
    const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(v);
    if (!m) throw badValue(key, v);
    return `${Number(m[1])}/${m[2] ?? 'tcp'}`;
  });
  return (ports) => wanted.some((w) => ports.includes(w));
}

function isRunning(c: ContainerRecord): boolean {
  return c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting';
}

export interface ListQuery {
  all: boolean;
  /** Newest n; 0 or undefined: no limit. */
  limit?: number;
  filters: Record<string, string[]>;
}

export interface ListContext {
  /** Docker's container lookup (throws its 404 for unknown refs in before/since). */
  find: (ref: string) => ContainerRecord;
  network: (id: string) => NetworkRecord | undefined;
}

type Pred = (c: ContainerRecord) => boolean;

/** Builds one predicate per given filter key; values of one key are OR-ed, keys AND-ed. */
function predicates(f: Record<string, string[]>, ctx: ListContext): Pred[] {
  const preds: Pred[] = [];
  const add = (key: string, make: (values: string[]) => Pred) => {
    const values = f[key];
    if (values && values.length > 0) preds.push(make(values));
  };
  add('name', (vs) => {
    const m = patternMatcher(vs);
    return (c) => m(c.name) || m(`/${c.name}`);
  });
  add('id', (vs) => {
    const m = patternMatcher(vs);
    return (c) => m(c.id);
  });
  add('label', (vs) => (c) => matchLabels(c.config.labels, vs));
  add('status', (vs) => {
    for (const v of vs) if (!STATES.has(v)) throw badValue('status', v);
    return (c) => vs.includes(c.state.status);
  });
  add('exited', (vs) => {
    const codes = vs.map((v) => (/^-?\d+$/.test(v) ? Number(v) : Number.NaN));
    vs.forEach((v, i) => {
      if (Number.isNaN(codes[i])) throw badValue('exited', v);
    });
    return (c) => c.state.status === 'exited' && codes.includes(c.state.exitCode);
  });
  add('network', (vs) => (c) => c.networks.some((w) => vs.some((v) => w.networkId.startsWith(v) || ctx.network(w.networkId)?.name === v)));
  add('ancestor', (vs) => (c) => vs.some((v) => c.config.image === v || c.config.image === `${v}:latest` || c.config.imageId === v || c.config.imageId.startsWith(`sha256:${v}`)));
  add('before', (vs) => {
    const refs = vs.map((v) => ctx.find(v).created);
    return (c) => refs.every((t) => c.created < t);
  });
  add('since', (vs) => {
    const refs = vs.map((v) => ctx.find(v).created);
    return (c) => refs.every((t) => c.created > t);
  });
  add('expose', (vs) => {
    const m = portMatcher('expose', vs);
    return (c) => m(c.config.exposedPorts);
  });
  add('publish', (vs) => {
    const m = portMatcher('publish', vs);
    return (c) => m(Object.keys(c.hostConfig.portBindings));
  });
  // Features this daemon does not have: no volumes, no health checks, no swarm tasks, one isolation.
  add('volume', () => () => false);
  add('health', (vs) => () => vs.includes('none'));
  add('is-task', (vs) => () => vs.some((v) => v === 'false' || v === '0'));
  add('isolation', (vs) => () => vs.includes('default') || vs.includes(''));
  return preds;
}

/** `GET /containers/json`: filtered, newest first, running only unless all/limit/status/before/since. */
export function selectContainers(list: ContainerRecord[], q: ListQuery, ctx: ListContext): ContainerRecord[] {
  checkKeys(q.filters, LIST_KEYS);
  const preds = predicates(q.filters, ctx);
  const f = q.filters;
  const includeStopped = q.all || (q.limit ?? 0) > 0 || !!f['status']?.length || !!f['exited']?.length || !!f['before']?.length || !!f['since']?.length;
  const sorted = [...list].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  const out = sorted.filter((c) => (includeStopped || isRunning(c)) && preds.every((p) => p(c)));
  return q.limit && q.limit > 0 ? out.slice(0, q.limit) : out;
}

/** Docker's `until`: a unix timestamp (with optional fraction) or an RFC 3339 time; Go
 * durations ("10m") count back from now. */
function untilMillis(v: string, now: number): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const d = /^(\d+)(s|m|h)$/.exec(v);
  if (d) return now - Number(d[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[d[2] as 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badValue('until', v);
  return t;
}

/** `POST /containers/prune`: every stopped container matching label, label! and until. */
export function selectPrunable(list: ContainerRecord[], filters: Record<string, string[]>, now: number = Date.now()): ContainerRecord[] {
  checkKeys(filters, PRUNE_KEYS);
  const until = (filters['until'] ?? []).map((v) => untilMillis(v, now));
  const without = filters['label!'] ?? [];
  return list.filter(
    (c) =>
      !isRunning(c) &&
      c.state.status !== 'removing' &&
      matchLabels(c.config.labels, filters['label'] ?? []) &&
      (without.length === 0 || !without.some((l) => matchLabels(c.config.labels, [l]))) &&
      until.every((t) => Date.parse(c.created.replace(/(\.\d{3})\d+/, '$1')) < t),
  );
}
