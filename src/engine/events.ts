// What happened to containers and networks, in order, for `docker events` and the SDKs that
// follow it (compose, dockerode). Kept in memory: the last events for `since`, and listeners for
// the live stream. Docker keeps 256 too (daemon/events).
import { EventEmitter } from 'node:events';

export type EventType = 'container' | 'network';

export interface EngineEvent {
  type: EventType;
  action: string;
  id: string;
  attributes: Readonly<Record<string, string>>;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

const KEPT = 256;

export class EngineEvents {
  private readonly bus = new EventEmitter().setMaxListeners(0);
  private readonly recent: EngineEvent[] = [];
  private last = 0n;

  publish(type: EventType, action: string, id: string, attributes: Record<string, string>): void {
    // Strictly increasing, so `since` a printed time never repeats an event.
    const now = BigInt(Date.now()) * 1_000_000n;
    this.last = now > this.last ? now : this.last + 1n;
    const ev: EngineEvent = { type, action, id, attributes, timeNano: this.last };
    this.recent.push(ev);
    if (this.recent.length > KEPT) this.recent.shift();
    this.bus.emit('event', ev);
  }

  /** Events kept from sinceNano on (inclusive). */
  since(sinceNano: bigint): EngineEvent[] {
    return this.recent.filter((e) => e.timeNano >= sinceNano);
  }

  /** Calls fn for every later event until the returned function is called. */
  subscribe(fn: (ev: EngineEvent) => void): () => void {
    this.bus.on('event', fn);
    return () => this.bus.off('event', fn);
  }
}
