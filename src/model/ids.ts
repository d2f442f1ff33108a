// Identifiers and timestamps in Docker's formats.
import { randomBytes } from 'node:crypto';

/** A 64-hex id, like Docker's network, container and endpoint ids. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** RFC 3339 with nanoseconds, e.g. 2026-11-23T03:24:41.103864775Z (Docker's `Created`). */
export function nowRfc3339Nano(): string {
  const ns = process.hrtime.bigint() % 1_000_000n; // sub-millisecond digits, for ordering only
  const iso = new Date().toISOString(); // 2026-11-23T03:24:41.103Z
  return `${iso.slice(0, 23)}${ns.toString().padStart(6, '0')}Z`;
}
