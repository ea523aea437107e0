import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export type SynchronousMode = 'full' | 'normal';

// Each entry moves the schema one version up; never edit a shipped entry, append a new one.
const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO meta (key, value) VALUES ('registry_version', '0');
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    last_seen_at INTEGER,
    battery_percent REAL,
    firmware TEXT
  ) WITHOUT ROWID;
  CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    seq INTEGER,
    metrics TEXT NOT NULL
  );
  CREATE INDEX readings_by_device ON readings (device_id, id);
  CREATE TABLE device_events (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    seq INTEGER,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    data TEXT
  );
  CREATE INDEX device_events_by_device ON device_events (device_id, id);
  CREATE TABLE device_state (
    device_id TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE command_results (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    command_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX command_results_by_command ON command_results (device_id, command_id);
  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    device_id TEXT,
    topic TEXT NOT NULL,
    code TEXT NOT NULL,
    detail TEXT NOT NULL,
    payload BLOB,
    payload_bytes INTEGER NOT NULL,
    received_at INTEGER NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  synchronous: SynchronousMode;
  readonly?: boolean;
}

/** Open the store with the pragmas every connection needs; WAL lets readers run beside the one writer. */
export function openDatabase(file: string, options: OpenOptions): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
    db.pragma('journal_size_limit = 67108864');
    db.pragma('foreign_keys = ON');
  }
  return db;
}

/** Bring the schema up to date inside one transaction. Safe to call from several processes. */
export function migrate(db: Db): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`store schema version ${current} is newer than this gateway (${MIGRATIONS.length}); upgrade the gateway`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

export function storeFile(dataDir: string): string {
  return `${dataDir}/gateway.sqlite`;
}
