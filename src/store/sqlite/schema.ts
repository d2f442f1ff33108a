// The SQLite schema. Rows hold a JSON document plus the columns we must index or constrain:
// a UNIQUE name is what makes 64 parallel creates of one name give exactly one network.
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS networks (
  id     TEXT PRIMARY KEY,
  name   TEXT NOT NULL UNIQUE,
  -- 'creating' | 'ready' | 'removing': a row not 'ready' is an unfinished change (the journal)
  status TEXT NOT NULL,
  doc    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS leases (
  network_id TEXT NOT NULL,
  address    TEXT NOT NULL,
  owner      TEXT NOT NULL,
  PRIMARY KEY (network_id, address)
);
CREATE INDEX IF NOT EXISTS leases_owner ON leases (owner);
CREATE TABLE IF NOT EXISTS endpoints (
  id           TEXT PRIMARY KEY,
  network_id   TEXT NOT NULL,
  container_id TEXT NOT NULL,
  status       TEXT NOT NULL,
  doc          TEXT NOT NULL,
  UNIQUE (network_id, container_id)
);
-- every start and connect looks up a container's endpoints
CREATE INDEX IF NOT EXISTS endpoints_container ON endpoints (container_id);
CREATE TABLE IF NOT EXISTS containers (
  id     TEXT PRIMARY KEY,
  name   TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  doc    TEXT NOT NULL
);
`;
