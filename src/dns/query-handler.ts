// One query from one sandbox, start to finish: parse, answer from the records, else forward (or
// SERVFAIL when the sandbox may not forward), and make the reply fit the transport. Never throws:
// a bad packet gets FORMERR/NOTIMP or silence.
import { replyFor, type AnswerContext } from './answer.js';
import { AnswerCache } from './answer-cache.js';
import type { Forwarder } from './forwarder.js';
import type { DnsRecords } from './records.js';
import type { Upstream } from './upstreams.js';
import { errorReply, parseQuery, RCODE, truncatedReply, type Query } from './wire.js';

export interface SandboxContext extends AnswerContext {
  upstreams: readonly Upstream[];
}

export type Transport = 'udp' | 'tcp';

export class QueryHandler {
  private rotation = 0;
  private readonly answers: AnswerCache;

  constructor(
    private readonly records: DnsRecords,
    private readonly forwarder: Forwarder,
  ) {
    this.answers = new AnswerCache(records);
  }

  /**
   * Handles one query. `reply` is called exactly once — synchronously for local answers — with
   * the packet to send, or undefined when the query deserves silence.
   */
  handle(ctx: SandboxContext, buf: Buffer, transport: Transport, reply: (packet: Buffer | undefined) => void): void {
    const parsed = parseQuery(buf);
    if (!parsed.ok) {
      reply(parsed.reply);
      return;
    }
    const query = parsed.query;
    this.rotation = (this.rotation + 1) & 0x3fffffff;
    const local = this.answers.decide(ctx, query, this.rotation);
    if (local.kind === 'answer') {
      reply(fit(replyFor(buf, query, local), buf, query, transport));
      return;
    }
    if (ctx.upstreams.length === 0 || !this.records.mayForward(ctx.sandboxId)) {
      reply(errorReply(buf, query, RCODE.servFail)); // Docker: no forwarding → SERVFAIL
      return;
    }
    this.forwarder
      .forward(buf, query.questionEnd, ctx.upstreams)
      .then((answer) => reply(answer ? fit(answer, buf, query, transport) : errorReply(buf, query, RCODE.servFail)))
      .catch(() => undefined); // a reply path that throws must not become an unhandled rejection
  }
}

/** A UDP reply larger than the client accepts becomes an empty truncated one (it retries over TCP). */
function fit(packet: Buffer, buf: Buffer, query: Query, transport: Transport): Buffer {
  return transport === 'udp' && packet.length > query.udpLimit ? truncatedReply(buf, query) : packet;
}
