// The store contract (store-contract.test-helper.ts) against the stores that need no privilege:
// SQLite in a temporary directory and memory, each in both scopes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createMemoryStore } from './memory/memory-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { createScopedStore } from './scoped-store.js';
import { storeContract } from './store-contract.test-helper.js';

const dir = mkdtempSync(join(tmpdir(), 'tether-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

storeContract({ name: 'sqlite', scopes: ['local', 'global'], open: (scope) => openSqliteStore(join(dir, `${++files}.db`), scope) });
storeContract({ name: 'memory', scopes: ['local', 'global'], open: (scope) => createMemoryStore(scope) });
// The scoped store routes each record to one of two stores; to its user it is one store of both scopes.
storeContract({
  name: 'scoped (memory + memory)',
  scopes: ['local', 'global'],
  bothScopes: true,
  open: () => createScopedStore({ local: createMemoryStore('local'), global: createMemoryStore('global'), self: '192.0.2.1' }),
});
