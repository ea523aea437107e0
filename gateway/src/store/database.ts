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
  // Sync (issue 3). Records wait unsequenced in `outbox` (compactable under budget pressure) and get their
  // per-gateway seq only when moved into `send_log`; sequenced records are never compacted and leave only when acked.
  `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    class TEXT NOT NULL,
    priority INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    hlc_wall INTEGER NOT NULL,
    hlc_logical INTEGER NOT NULL,
    device_id TEXT,
    metric TEXT,
    window_start INTEGER,
    window_ms INTEGER,
    m2 REAL,
    payload TEXT NOT NULL
  );
  CREATE INDEX outbox_by_priority ON outbox (priority, id);
  CREATE INDEX outbox_by_class ON outbox (class, window_ms, id);
  CREATE TABLE send_log (
    seq INTEGER PRIMARY KEY,
    class TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    hlc_wall INTEGER NOT NULL,
    hlc_logical INTEGER NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE TABLE alerts (
    alert_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    severity TEXT NOT NULL,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE summary_partials (
    device_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    mean REAL NOT NULL,
    m2 REAL NOT NULL,
    last REAL NOT NULL,
    PRIMARY KEY (device_id, metric, window_start)
  ) WITHOUT ROWID;
  CREATE TABLE sync_counters (class TEXT PRIMARY KEY, enqueued INTEGER NOT NULL DEFAULT 0, sequenced INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
  INSERT INTO meta (key, value) VALUES ('sync_next_seq', '1'), ('sync_acked_seq', '0'), ('hlc_wall', '0'), ('hlc_logical', '0');
  `,
  // Technician UI (issue 6): local accounts, sessions (only a hash of the cookie's id), alert
  // acknowledgements, alert labels (kept for federated training) and the commands sent from the UI.
  `
  CREATE TABLE ui_users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'technician', 'admin')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    last_login_at INTEGER
  );
  CREATE TABLE ui_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES ui_users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE ui_alert_acks (alert_id TEXT PRIMARY KEY, acked_by TEXT NOT NULL, acked_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE alert_labels (
    alert_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('normal', 'anomaly')),
    note TEXT NOT NULL DEFAULT '',
    labelled_by TEXT NOT NULL,
    labelled_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE ui_commands (
    command_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    name TEXT NOT NULL,
    args TEXT,
    issued_by TEXT NOT NULL,
    issued_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX ui_commands_by_device ON ui_commands (device_id, issued_at);
  `,
  // Device power (adaptive reporting, battery forecast). `readings.predicted` = 1: filled in by the gateway
  // from the shared predictor, not sent by the device. `device_reporting`: the local reporting policy, the
  // hub's latest desired config, and the last configVersion published on the device's config topic.
  // `battery_history`: battery percent over the device's time, thinned and capped per device.
  `
  ALTER TABLE readings ADD COLUMN predicted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE summary_partials ADD COLUMN predicted_count INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE device_reporting (
    device_id TEXT PRIMARY KEY,
    policy TEXT,
    hub_config TEXT,
    config_version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE battery_history (
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    percent REAL NOT NULL,
    PRIMARY KEY (device_id, ts)
  ) WITHOUT ROWID;
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
