// Each entry moves the schema one version up; never edit a shipped entry, append a new one.
// Every table written by sync keeps (gateway_id, seq) of the record that wrote the row, so exactly-once
// can be checked from the data itself.
const RECORD_COLUMNS = `
    gateway_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hlc_wall_ms INTEGER NOT NULL,
    hlc_logical INTEGER NOT NULL,
    wall_time_trusted INTEGER NOT NULL,
    received_at INTEGER NOT NULL`;

export const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE enrollment_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT
  ) WITHOUT ROWID;
  CREATE TABLE gateways (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    enrolled_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    software_version TEXT NOT NULL DEFAULT '',
    protocol_version INTEGER,
    revoked_at INTEGER,
    connected INTEGER NOT NULL DEFAULT 0,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    duplicates_skipped INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    batches INTEGER NOT NULL DEFAULT 0,
    backlog_records INTEGER,
    backlog_oldest_ms INTEGER,
    clock_trusted INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX gateways_revoked ON gateways (revoked_at) WHERE revoked_at IS NOT NULL;
  CREATE TABLE sync_counts (
    gateway_id TEXT NOT NULL,
    data_class TEXT NOT NULL,
    records INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, data_class)
  ) WITHOUT ROWID;
  CREATE TABLE alerts (${RECORD_COLUMNS},
    alert_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    severity TEXT NOT NULL,
    payload TEXT NOT NULL,
    id INTEGER PRIMARY KEY,
    UNIQUE (gateway_id, seq),
    UNIQUE (gateway_id, alert_id)
  );
  CREATE TABLE summaries (${RECORD_COLUMNS},
    device_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    window_start_ms INTEGER NOT NULL,
    window_ms INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (gateway_id, device_id, metric, window_start_ms, window_ms)
  ) WITHOUT ROWID;
  CREATE TABLE device_state (${RECORD_COLUMNS},
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (gateway_id, device_id)
  ) WITHOUT ROWID;
  CREATE TABLE events (${RECORD_COLUMNS},
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (gateway_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE command_results (${RECORD_COLUMNS},
    device_id TEXT NOT NULL,
    command_id TEXT NOT NULL,
    status TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (gateway_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE usage_records (${RECORD_COLUMNS},
    payload TEXT NOT NULL,
    PRIMARY KEY (gateway_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE audit_records (${RECORD_COLUMNS},
    payload TEXT NOT NULL,
    PRIMARY KEY (gateway_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE raw_readings (${RECORD_COLUMNS},
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    id INTEGER PRIMARY KEY,
    UNIQUE (gateway_id, seq)
  );
  CREATE INDEX raw_readings_received ON raw_readings (received_at);
  CREATE TABLE quarantine (
    gateway_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data_class INTEGER NOT NULL,
    detail TEXT NOT NULL,
    payload BLOB NOT NULL,
    payload_bytes INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE shadows (
    gateway_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    desired TEXT NOT NULL,
    version INTEGER NOT NULL,
    change_seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, device_id)
  ) WITHOUT ROWID;
  CREATE INDEX shadows_changes ON shadows (gateway_id, change_seq);
  CREATE TABLE commands (
    id INTEGER PRIMARY KEY,
    command_id TEXT NOT NULL UNIQUE,
    gateway_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    sent_count INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    result TEXT
  );
  CREATE INDEX commands_pending ON commands (gateway_id, id) WHERE status = 'pending';
  CREATE INDEX commands_by_device ON commands (gateway_id, device_id, id);
  `,
  // 2: enrollment retries after a lost response (the request id's hash proves it is the same gateway).
  `
  ALTER TABLE enrollment_tokens ADD COLUMN request_hash TEXT;
  `,
  // 3: the gateway's power mode (Hello.power and GatewayMessage.power), for the fleet view.
  `
  ALTER TABLE gateways ADD COLUMN power_mode TEXT;
  ALTER TABLE gateways ADD COLUMN power_simulated INTEGER;
  ALTER TABLE gateways ADD COLUMN power_since_ms INTEGER;
  ALTER TABLE gateways ADD COLUMN power_reported_at INTEGER;
  `,
  // 4: federated learning (cloud-hub/src/federation): federations, their checkpoint after every round, and
  // the round history. Only aggregates live here: never an individual gateway's update.
  `
  CREATE TABLE federations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE federation_checkpoints (
    federation_id TEXT PRIMARY KEY,
    round INTEGER NOT NULL,
    global_params TEXT NOT NULL,
    optimizer_state TEXT NOT NULL,
    saved_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE federation_rounds (
    federation_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    summary TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    PRIMARY KEY (federation_id, round)
  ) WITHOUT ROWID;
  `,
  // 5: tenants and API tokens with roles (docs/tenants.md). Every existing gateway, enrollment token and
  // federation belongs to the `default` tenant; records hang off their gateway, so they follow it.
  `
  CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO tenants (id, name, created_at) VALUES ('default', 'default', 0);
  ALTER TABLE gateways ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'default';
  CREATE INDEX gateways_tenant ON gateways (tenant_id, enrolled_at);
  ALTER TABLE enrollment_tokens ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE federations ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'default';
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, created_at);
  `,
];
