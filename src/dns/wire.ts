// DNS wire format for the resolver: a checked parse of incoming queries (dns-packet does the
// decoding) and hand-built replies. Replies echo the question section byte for byte and point
// every answer's owner name at it (offset 12), so the client's 0x20 case survives and a strange
// name in a query can never be re-encoded into a malformed reply.
import dnsPacket from 'dns-packet';

export const RCODE = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;
export const QTYPE = { A: 1, PTR: 12, AAAA: 28, ANY: 255, OPT: 41 } as const;
export const CLASS_IN = 1;

const QR = 0x8000;
const OPCODE_MASK = 0x7800;
const RD = 0x0100;
const RA = 0x0080;
const TC = 0x0200;
/** Largest query we look at; a real one is a few hundred bytes even with EDNS options. */
export const MAX_QUERY_BYTES = 4096;
/** The UDP payload we advertise and the most we accept from a client's EDNS option. */
const EDNS_PAYLOAD = 1232;

export interface Query {
  id: number;
  flags: number;
  /** Lower-case, without the trailing dot ('' for the root). */
  name: string;
  type: number;
  qclass: number;
  /** Offset just past the question section: bytes [12, questionEnd) are echoed in replies. */
  questionEnd: number;
  edns: boolean;
  /** The largest UDP reply the client takes (512 without EDNS). */
  udpLimit: number;
}

export type ParseResult = { ok: true; query: Query } | { ok: false; reply: Buffer | undefined };

/** Checks and parses a query; a bad one yields an error reply (FORMERR/NOTIMP) or nothing to send. */
export function parseQuery(buf: Buffer): ParseResult {
  if (buf.length < 12 || buf.length > MAX_QUERY_BYTES) return { ok: false, reply: undefined };
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return { ok: false, reply: undefined }; // a response sent to us: never answer it
  if (flags & OPCODE_MASK) return { ok: false, reply: headerOnly(buf, RCODE.notImp) };
  const usual = usualQuery(buf, flags);
  return usual ? { ok: true, query: usual } : decodeQuery(buf, flags);
}

/**
 * The shape nearly every stub resolver sends — one plain question, nothing else but perhaps an
 * OPT record without options, no trailing bytes — read straight from the bytes: a third of the
 * time and half the garbage of a full decode (measured). Anything else: undefined, and the full
 * decode decides, so both paths agree on every packet (wire.test.ts).
 */
function usualQuery(buf: Buffer, flags: number): Query | undefined {
  const additionals = buf.readUInt16BE(10);
  if (buf.readUInt16BE(4) !== 1 || buf.readUInt32BE(6) !== 0 || additionals > 1) return undefined;
  const labels: string[] = [];
  let o = 12;
  for (let len = buf[o] ?? 0; len !== 0; len = buf[o] ?? 0) {
    // dns-packet's limits: labels inside the buffer, at most 254 bytes of labels and dots
    if (len & 0xc0 || o + 1 + len > buf.length || o + 1 + len - 12 > 254) return undefined;
    labels.push(buf.toString('utf-8', o + 1, o + 1 + len));
    o += 1 + len;
  }
  const questionEnd = o + 5;
  if (o >= buf.length || questionEnd > buf.length) return undefined;
  let udpLimit = 512;
  if (additionals === 1) {
    // root owner, type OPT, no options, and the packet ends there
    if (buf.length !== questionEnd + 11 || buf[questionEnd] !== 0 || buf.readUInt16BE(questionEnd + 1) !== QTYPE.OPT || buf.readUInt16BE(questionEnd + 9) !== 0) return undefined;
    udpLimit = Math.min(Math.max(buf.readUInt16BE(questionEnd + 3), 512), EDNS_PAYLOAD);
  } else if (buf.length !== questionEnd) {
    return undefined;
  }
  return {
    id: buf.readUInt16BE(0),
    flags,
    name: labels.join('.').toLowerCase(),
    type: buf.readUInt16BE(questionEnd - 4),
    qclass: buf.readUInt16BE(questionEnd - 2),
    questionEnd,
    edns: additionals === 1,
    udpLimit,
  };
}

/** Any query, through dns-packet's full decode (parseQuery's general path, exported for its test). */
export function decodeQuery(buf: Buffer, flags: number): ParseResult {
  let packet: dnsPacket.Packet;
  try {
    packet = dnsPacket.decode(buf);
  } catch {
    return { ok: false, reply: headerOnly(buf, RCODE.formErr) };
  }
  const q = packet.questions?.[0];
  if (packet.questions?.length !== 1 || !q) return { ok: false, reply: headerOnly(buf, RCODE.formErr) };
  const nameEnd = endOfPlainName(buf, 12);
  // Replies echo the question verbatim; a compressed name there would point at bytes we rewrite.
  if (nameEnd === undefined) return { ok: false, reply: headerOnly(buf, RCODE.formErr) };
  const questionEnd = nameEnd + 4;
  const opt = packet.additionals?.find((r) => r.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return {
    ok: true,
    query: {
      id: buf.readUInt16BE(0),
      flags,
      name: q.name === '.' ? '' : q.name.toLowerCase(),
      type: buf.readUInt16BE(questionEnd - 4),
      qclass: buf.readUInt16BE(questionEnd - 2),
      questionEnd,
      edns: opt !== undefined,
      udpLimit: opt ? Math.min(Math.max(opt.udpPayloadSize ?? 512, 512), EDNS_PAYLOAD) : 512,
    },
  };
}

/** Offset after an uncompressed name (already validated by dns-packet); undefined if compressed. */
function endOfPlainName(buf: Buffer, offset: number): number | undefined {
  let o = offset;
  for (;;) {
    const len = buf[o] ?? 0;
    if (len === 0) return o + 1;
    if (len & 0xc0) return undefined;
    o += len + 1;
  }
}

export interface ResourceData {
  type: number;
  data: Buffer;
}

/** A reply with the query's question and the given answers (owner = the question's name). */
export function buildReply(buf: Buffer, query: Query, rcode: number, answers: readonly ResourceData[], ttl: number): Buffer {
  let size = query.questionEnd + (query.edns ? 11 : 0);
  for (const a of answers) size += 12 + a.data.length;
  const out = Buffer.allocUnsafe(size);
  buf.copy(out, 0, 0, query.questionEnd);
  writeHeader(out, query.flags, rcode);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answers.length, 6);
  out.writeUInt32BE(0, 8); // NSCOUNT, ARCOUNT
  let o = query.questionEnd;
  for (const a of answers) {
    out.writeUInt16BE(0xc00c, o); // pointer to the question's name
    out.writeUInt16BE(a.type, o + 2);
    out.writeUInt16BE(CLASS_IN, o + 4);
    out.writeUInt32BE(ttl, o + 6);
    out.writeUInt16BE(a.data.length, o + 10);
    a.data.copy(out, o + 12);
    o += 12 + a.data.length;
  }
  if (query.edns) {
    out.writeUInt16BE(1, 10);
    writeOpt(out, o);
  }
  return out;
}

/** Header and question only, with TC set: tells a UDP client to ask again over TCP. */
export function truncatedReply(buf: Buffer, query: Query): Buffer {
  const out = buildReply(buf, query, RCODE.noError, [], 0);
  out.writeUInt16BE(out.readUInt16BE(2) | TC, 2);
  return out;
}

/** An error reply carrying the query's id and, when it parsed, its question. */
export function errorReply(buf: Buffer, query: Query, rcode: number): Buffer {
  return buildReply(buf, query, rcode, [], 0);
}

/** A 12-byte reply for a query we could not parse: id, opcode and RD echoed, no sections. */
function headerOnly(buf: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  buf.copy(out, 0, 0, 2);
  writeHeader(out, buf.readUInt16BE(2), rcode);
  return out;
}

function writeHeader(out: Buffer, queryFlags: number, rcode: number): void {
  // QR, the query's opcode and RD, RA (we recurse via the upstreams), no AA: Docker's answers are
  // non-authoritative (busybox prints "Non-authoritative answer:").
  const flags = QR | (queryFlags & (OPCODE_MASK | RD)) | RA | (rcode & 0xf);
  out.writeUInt16BE(flags, 2);
}

function writeOpt(out: Buffer, o: number): void {
  out[o] = 0; // root owner name
  out.writeUInt16BE(QTYPE.OPT, o + 1);
  out.writeUInt16BE(EDNS_PAYLOAD, o + 3);
  out.writeUInt32BE(0, o + 5); // extended rcode, version 0, no DO
  out.writeUInt16BE(0, o + 9);
}

/** The wire form of a domain name, or undefined when a label or the name is too long. */
export function encodeName(name: string): Buffer | undefined {
  const labels = name.split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  let size = 1;
  for (const l of labels) {
    const b = Buffer.from(l, 'utf8');
    if (b.length > 63) return undefined;
    parts.push(Buffer.from([b.length]), b);
    size += b.length + 1;
  }
  if (size > 255) return undefined;
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts, size);
}

export function rcodeOf(reply: Buffer): number {
  return reply.length >= 4 ? reply.readUInt16BE(2) & 0xf : RCODE.servFail;
}

export function isTruncated(reply: Buffer): boolean {
  return reply.length >= 4 && (reply.readUInt16BE(2) & TC) !== 0;
}

export function isResponse(reply: Buffer): boolean {
  return reply.length >= 12 && (reply.readUInt16BE(2) & QR) !== 0;
}
