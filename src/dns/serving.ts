// Who answers the queries arriving on the sandboxes' sockets. The resolver process
// (resolver-child.ts) does it with LocalServing over its copy of the records, off the daemon's
// event loop; the daemon hands it each sandbox's sockets (resolver-processes.ts).
import { Forwarder } from './forwarder.js';
import { DEFAULT_TCP_LIMITS, SandboxListener, type SandboxSockets, type TcpLimits } from './listener.js';
import { QueryHandler, type SandboxContext } from './query-handler.js';
import type { DnsRecords } from './records.js';

export interface ServingOptions {
  /** No upstream answer within this → SERVFAIL. */
  forwardTimeoutMs: number;
  tcpLimits?: TcpLimits;
}

export interface Serving {
  /**
   * Answers queries on the sandbox's sockets from now on; they are the serving side's to close.
   * Resolves once they are served.
   */
  serve(sandboxId: string, sockets: SandboxSockets, context: SandboxContext): Promise<void>;
  /** Stops answering for the sandbox and closes its sockets. Idempotent. */
  drop(sandboxId: string): void;
  /** Drops every sandbox and ends forwarded queries in flight. */
  close(): void;
}

/** Serving in this process: one listener per sandbox, one handler and forwarder for all. */
export class LocalServing implements Serving {
  private readonly listeners = new Map<string, SandboxListener>();
  private readonly forwarder: Forwarder;
  private readonly handler: QueryHandler;

  constructor(
    records: DnsRecords,
    private readonly opts: ServingOptions,
  ) {
    this.forwarder = new Forwarder({ timeoutMs: opts.forwardTimeoutMs });
    this.handler = new QueryHandler(records, this.forwarder);
  }

  serve(sandboxId: string, sockets: SandboxSockets, context: SandboxContext): Promise<void> {
    this.drop(sandboxId); // a sandbox served again (a resent handover) keeps one listener
    const limits = this.opts.tcpLimits ?? DEFAULT_TCP_LIMITS;
    this.listeners.set(sandboxId, new SandboxListener(sockets, () => context, this.handler, limits));
    return Promise.resolve();
  }

  drop(sandboxId: string): void {
    this.listeners.get(sandboxId)?.close();
    this.listeners.delete(sandboxId);
  }

  close(): void {
    for (const id of [...this.listeners.keys()]) this.drop(id);
    this.forwarder.close();
  }
}
