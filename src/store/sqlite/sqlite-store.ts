// The local store in one SQLite file. better-sqlite3 is synchronous: the transaction of
// backed-store.ts is a plain BEGIN IMMEDIATE … COMMIT around the awaited body, safe because the
// queue lets nothing else use the connection meanwhile. A transaction cannot span kernel calls
// (the engine awaits none inside one), which is why rows carry a status saying whether the
// kernel side of a change is finished (see engine/reconcile.ts).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ContainerRecord } from '../../model/container.js';
import type { EndpointRecord } from '../../model/endpoint.js';
import type { NetworkRecord } from '../../model/network.js';
import { backedStore, type Backend } from '../backed-store.js';
import { addressTaken, containerNameTaken, endpointTaken, networkNameTaken, type Row, type RowStatus, type Store, type StoreScope } from '../store.js';
import { SCHEMA } from './schema.js';

interface RawRow {
  status: RowStatus;
  doc: string;
}

function parseRow<T>(r: RawRow): Row<T> {
  return { status: r.status, doc: JSON.parse(r.doc) as T };
}

/** A UNIQUE column (names, one endpoint per container and network) or a primary key (leases) was taken. */
function violates(e: unknown, constraint: 'UNIQUE' | 'PRIMARYKEY'): boolean {
  return (e as { code?: string }).code === `SQLITE_CONSTRAINT_${constraint}`;
}

class SqliteBackend implements Backend {
  private readonly db: Database.Database;
  /** Prepared once: a statement is compiled on its first use and reused by every call. */
  private readonly statements = new Map<string, Database.Statement>();

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

  private sql(text: string): Database.Statement {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  private row<T>(text: string, ...args: unknown[]): Row<T> | undefined {
    const r = this.sql(text).get(...args) as RawRow | undefined;
    return r && parseRow<T>(r);
  }

  private rows<T>(text: string, ...args: unknown[]): Row<T>[] {
    return (this.sql(text).all(...args) as RawRow[]).map(parseRow<T>);
  }

  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
  }

  commit(): void {
    this.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  close(): void {
    this.db.close();
  }

  getMeta(key: string): string | undefined {
    return (this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  networks(): Row<NetworkRecord>[] {
    return this.rows('SELECT status, doc FROM networks');
  }

  network(id: string): Row<NetworkRecord> | undefined {
    return this.row('SELECT status, doc FROM networks WHERE id = ?', id);
  }

  networkByName(name: string): Row<NetworkRecord> | undefined {
    return this.row('SELECT status, doc FROM networks WHERE name = ?', name);
  }

  insertNetwork(net: NetworkRecord, status: RowStatus): void {
    try {
      this.sql('INSERT INTO networks (id, name, status, doc) VALUES (?, ?, ?, ?)').run(net.id, net.name, status, JSON.stringify(net));
    } catch (e) {
      throw violates(e, 'UNIQUE') ? networkNameTaken(net.name) : e;
    }
  }

  setNetworkStatus(id: string, status: RowStatus): void {
    this.sql('UPDATE networks SET status = ? WHERE id = ?').run(status, id);
  }

  deleteNetwork(id: string): void {
    this.sql('DELETE FROM networks WHERE id = ?').run(id);
    this.sql('DELETE FROM leases WHERE network_id = ?').run(id);
  }

  leases(networkId: string): string[] {
    return (this.sql('SELECT address FROM leases WHERE network_id = ?').all(networkId) as { address: string }[]).map((r) => r.address);
  }

  addLease(networkId: string, address: string, owner: string): void {
    try {
      this.sql('INSERT INTO leases (network_id, address, owner) VALUES (?, ?, ?)').run(networkId, address, owner);
    } catch (e) {
      throw violates(e, 'PRIMARYKEY') ? addressTaken(networkId, address) : e;
    }
  }

  releaseLeases(owner: string): void {
    this.sql('DELETE FROM leases WHERE owner = ?').run(owner);
  }

  endpoints(where: { networkId?: string; containerId?: string } = {}): Row<EndpointRecord>[] {
    if (where.networkId !== undefined) return this.rows('SELECT status, doc FROM endpoints WHERE network_id = ?', where.networkId);
    if (where.containerId !== undefined) return this.rows('SELECT status, doc FROM endpoints WHERE container_id = ?', where.containerId);
    return this.rows('SELECT status, doc FROM endpoints');
  }

  countEndpoints(networkId: string): number {
    return (this.sql('SELECT count(*) AS n FROM endpoints WHERE network_id = ?').get(networkId) as { n: number }).n;
  }

  putEndpoint(ep: EndpointRecord, status: RowStatus): void {
    try {
      this.sql(
        `INSERT INTO endpoints (id, network_id, container_id, status, doc) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      ).run(ep.id, ep.networkId, ep.containerId, status, JSON.stringify(ep));
    } catch (e) {
      throw violates(e, 'UNIQUE') ? endpointTaken(ep) : e;
    }
  }

  setEndpointStatus(id: string, status: RowStatus): void {
    this.sql('UPDATE endpoints SET status = ? WHERE id = ?').run(status, id);
  }

  deleteEndpoint(id: string): void {
    this.sql('DELETE FROM endpoints WHERE id = ?').run(id);
    this.releaseLeases(id);
  }

  containers(): Row<ContainerRecord>[] {
    return this.rows('SELECT status, doc FROM containers');
  }

  container(id: string): Row<ContainerRecord> | undefined {
    return this.row('SELECT status, doc FROM containers WHERE id = ?', id);
  }

  containerByName(name: string): Row<ContainerRecord> | undefined {
    return this.row('SELECT status, doc FROM containers WHERE name = ?', name);
  }

  putContainer(c: ContainerRecord, status: RowStatus): void {
    try {
      this.sql(
        `INSERT INTO containers (id, name, status, doc) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, status = excluded.status, doc = excluded.doc`,
      ).run(c.id, c.name, status, JSON.stringify(c));
    } catch (e) {
      throw violates(e, 'UNIQUE') ? containerNameTaken(c.name, this.containerByName(c.name)?.doc.id ?? '') : e;
    }
  }

  deleteContainer(id: string): void {
    this.sql('DELETE FROM containers WHERE id = ?').run(id);
  }
}

/** The daemon's database in its data root. */
export function databasePath(dataRoot: string): string {
  return join(dataRoot, 'tether.db');
}

/** The store in the SQLite file at path (created with its schema when missing). */
export function openSqliteStore(path: string, scope: StoreScope = 'local'): Store {
  return backedStore(new SqliteBackend(path), scope);
}
