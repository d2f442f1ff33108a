// Local state in one SQLite file. better-sqlite3 is synchronous, so a transaction is a plain
// function: it cannot span awaited kernel calls, which is why rows carry a status that says
// whether the kernel side of a change is finished (see engine/reconcile.ts).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { conflict } from '../errors.js';
import type { ContainerRecord } from '../model/container.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { NetworkRecord } from '../model/network.js';
import { SCHEMA } from './schema.js';

export type RowStatus = 'creating' | 'ready' | 'removing';

/** Docker's words for a taken network name: the early check and the UNIQUE constraint say the same. */
export function networkNameTaken(name: string) {
  return conflict(`network with name ${name} already exists`, 'network.exists');
}

export interface Row<T> {
  status: RowStatus;
  doc: T;
}

export class Store {
  private readonly db: Database.Database;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    // Records hold containers' settings (-e values are someone's secrets): owner only. SQLite
    // gives its -wal and -shm files the database file's mode.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL loses at most the last commits on power loss, never consistency; a process crash
    // (kill -9) loses nothing.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  /** Runs fn in one IMMEDIATE transaction; everything it does commits or none of it. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    this.db.close();
  }

  // --- meta -------------------------------------------------------------------------------
  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // --- networks ---------------------------------------------------------------------------
  networks(): Row<NetworkRecord>[] {
    return (this.db.prepare('SELECT status, doc FROM networks').all() as RawRow[]).map(parseRow<NetworkRecord>);
  }

  network(id: string): Row<NetworkRecord> | undefined {
    const r = this.db.prepare('SELECT status, doc FROM networks WHERE id = ?').get(id) as RawRow | undefined;
    return r && parseRow<NetworkRecord>(r);
  }

  networkByName(name: string): Row<NetworkRecord> | undefined {
    const r = this.db.prepare('SELECT status, doc FROM networks WHERE name = ?').get(name) as RawRow | undefined;
    return r && parseRow<NetworkRecord>(r);
  }

  insertNetwork(net: NetworkRecord, status: RowStatus): void {
    try {
      this.db.prepare('INSERT INTO networks (id, name, status, doc) VALUES (?, ?, ?, ?)').run(net.id, net.name, status, JSON.stringify(net));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw networkNameTaken(net.name);
      }
      throw e;
    }
  }

  setNetworkStatus(id: string, status: RowStatus): void {
    this.db.prepare('UPDATE networks SET status = ? WHERE id = ?').run(status, id);
  }

  deleteNetwork(id: string): void {
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
    this.db.prepare('DELETE FROM leases WHERE network_id = ?').run(id);
  }

  // --- address leases ---------------------------------------------------------------------
  leases(networkId: string): string[] {
    return (this.db.prepare('SELECT address FROM leases WHERE network_id = ?').all(networkId) as { address: string }[]).map((r) => r.address);
  }

  addLease(networkId: string, address: string, owner: string): void {
    this.db.prepare('INSERT INTO leases (network_id, address, owner) VALUES (?, ?, ?)').run(networkId, address, owner);
  }

  releaseLeases(owner: string): void {
    this.db.prepare('DELETE FROM leases WHERE owner = ?').run(owner);
  }

  // --- endpoints --------------------------------------------------------------------------
  endpoints(where: { networkId?: string; containerId?: string } = {}): Row<EndpointRecord>[] {
    const rows = (
      where.networkId !== undefined
        ? this.db.prepare('SELECT status, doc FROM endpoints WHERE network_id = ?').all(where.networkId)
        : where.containerId !== undefined
          ? this.db.prepare('SELECT status, doc FROM endpoints WHERE container_id = ?').all(where.containerId)
          : this.db.prepare('SELECT status, doc FROM endpoints').all()
    ) as RawRow[];
    return rows.map(parseRow<EndpointRecord>);
  }

  countEndpoints(networkId: string): number {
    const r = this.db.prepare('SELECT count(*) AS n FROM endpoints WHERE network_id = ?').get(networkId) as { n: number };
    return r.n;
  }

  putEndpoint(ep: EndpointRecord, status: RowStatus): void {
    this.db
      .prepare(
        `INSERT INTO endpoints (id, network_id, container_id, status, doc) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      )
      .run(ep.id, ep.networkId, ep.containerId, status, JSON.stringify(ep));
  }

  setEndpointStatus(id: string, status: RowStatus): void {
    this.db.prepare('UPDATE endpoints SET status = ? WHERE id = ?').run(status, id);
  }

  deleteEndpoint(id: string): void {
    this.db.prepare('DELETE FROM endpoints WHERE id = ?').run(id);
    this.releaseLeases(id);
  }

  // --- containers -------------------------------------------------------------------------
  containers(): Row<ContainerRecord>[] {
    return (this.db.prepare('SELECT status, doc FROM containers').all() as RawRow[]).map(parseRow<ContainerRecord>);
  }

  container(id: string): Row<ContainerRecord> | undefined {
    const r = this.db.prepare('SELECT status, doc FROM containers WHERE id = ?').get(id) as RawRow | undefined;
    return r && parseRow<ContainerRecord>(r);
  }

  containerByName(name: string): Row<ContainerRecord> | undefined {
    const r = this.db.prepare('SELECT status, doc FROM containers WHERE name = ?').get(name) as RawRow | undefined;
    return r && parseRow<ContainerRecord>(r);
  }

  /** Inserts or replaces; a name taken by another container is Docker's 409. */
  putContainer(c: ContainerRecord, status: RowStatus): void {
    try {
      this.db
        .prepare(
          `INSERT INTO containers (id, name, status, doc) VALUES (?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, status = excluded.status, doc = excluded.doc`,
        )
        .run(c.id, c.name, status, JSON.stringify(c));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const owner = this.containerByName(c.name)?.doc.id ?? '';
        throw conflict(
          `Conflict. The container name "/${c.name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
          'container.nameInUse',
        );
      }
      throw e;
    }
  }

  deleteContainer(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }
}

interface RawRow {
  status: RowStatus;
  doc: string;
}

function parseRow<T>(r: RawRow): Row<T> {
  return { status: r.status, doc: JSON.parse(r.doc) as T };
}
