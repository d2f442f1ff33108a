// What the embedded DNS says on its own, from the records index: an answer, NODATA, a local
// NXDOMAIN, or "not ours" (the caller forwards it or fails it). Pure: no sockets, no clock.
import { isIPv4, isIPv6 } from 'node:net';
import type { DnsRecords } from './records.js';
import { buildReply, CLASS_IN, encodeName, QTYPE, RCODE, type Query, type ResourceData } from './wire.js';

/** Docker's embedded DNS answers with TTL 600. */
export const TTL = 600;

export interface AnswerContext {
  sandboxId: string;
  /** The sandbox's search domains: `<known name>.<search domain>` is answered NXDOMAIN locally. */
  searchDomains: readonly string[];
}

/**
 * What the records say to a question, before it becomes a reply (the reply echoes the query's own
 * header and question). `rotated`: the order of the answers came from `rotation`.
 */
export type Decision = { kind: 'answer'; rcode: number; answers: readonly ResourceData[]; rotated: boolean } | { kind: 'notOurs' };

const NOT_OURS: Decision = { kind: 'notOurs' };

/**
 * Decides a parsed query from the records. `rotation` varies per query so that several
 * addresses for one name come back in a different order each time (Docker shuffles them).
 */
export function decide(records: DnsRecords, ctx: AnswerContext, query: Query, rotation: number): Decision {
  if (query.qclass !== CLASS_IN) return NOT_OURS;
  if (query.type === QTYPE.PTR) return decidePtr(records, ctx, query);
  const addrs = records.lookup(ctx.sandboxId, query.name);
  if (!addrs) {
    return isSearchDomainVariant(records, ctx, query.name) ? answer(RCODE.nxDomain, [], false) : NOT_OURS;
  }
  const answers: ResourceData[] = [];
  let rotated = false;
  if (query.type === QTYPE.A || query.type === QTYPE.ANY) {
    for (const a of rotate(addrs.ipv4, rotation)) answers.push({ type: QTYPE.A, data: v4Bytes(a) });
    rotated ||= addrs.ipv4.length > 1;
  }
  if (query.type === QTYPE.AAAA || query.type === QTYPE.ANY) {
    for (const a of rotate(addrs.ipv6, rotation)) answers.push({ type: QTYPE.AAAA, data: v6Bytes(a) });
    rotated ||= addrs.ipv6.length > 1;
  }
  // A known name without records of the asked type is NODATA (NOERROR, no answers), never
  // forwarded: a container name must not leak upstream.
  return answer(RCODE.noError, answers, rotated);
}

/** The reply to the query carrying a decided answer. */
export function replyFor(buf: Buffer, query: Query, d: Decision & { kind: 'answer' }): Buffer {
  return buildReply(buf, query, d.rcode, d.answers, TTL);
}

function decidePtr(records: DnsRecords, ctx: AnswerContext, query: Query): Decision {
  const address = addressOfArpa(query.name);
  const target = address && records.reverse(ctx.sandboxId, address);
  const data = target && encodeName(target);
  return data ? answer(RCODE.noError, [{ type: QTYPE.PTR, data }], false) : NOT_OURS;
}

/** A resolver's search-list retry of a name we know (`web.corp.example` for `web`). */
function isSearchDomainVariant(records: DnsRecords, ctx: AnswerContext, name: string): boolean {
  for (const domain of ctx.searchDomains) {
    const suffix = `.${domain}`;
    if (name.length > suffix.length && name.endsWith(suffix)) {
      if (records.lookup(ctx.sandboxId, name.slice(0, -suffix.length))) return true;
    }
  }
  return false;
}

function answer(rcode: number, answers: ResourceData[], rotated: boolean): Decision {
  return { kind: 'answer', rcode, answers, rotated };
}

function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length < 2) return [...list];
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** `4.3.2.1.in-addr.arpa` → 1.2.3.4; 32 nibbles + `ip6.arpa` → an IPv6 address; else undefined. */
export function addressOfArpa(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    const ip = parts.reverse().join('.');
    return parts.length === 4 && isIPv4(ip) ? ip : undefined;
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups = hex.match(/.{4}/g) ?? [];
    const ip = groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
    return isIPv6(ip) ? ip : undefined;
  }
  return undefined;
}

function v4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function v6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  right.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 16 - 2 * (right.length - i)));
  left.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 2 * i));
  return out;
}
