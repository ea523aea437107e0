import type { PowerMode } from '@outpost/protocols';
import type { FleetStore, GatewayRecord } from '../hub-store.js';
import type { Db } from './database.js';

interface GatewayRow {
  id: string;
  tenant_id: string;
  name: string;
  enrolled_at: number;
  last_seen_at: number | null;
  software_version: string;
  protocol_version: number | null;
  revoked_at: number | null;
  connected: number;
  acked_seq: number;
  duplicates_skipped: number;
  quarantined: number;
  batches: number;
  backlog_records: number | null;
  backlog_oldest_ms: number | null;
  clock_trusted: number | null;
  power_mode: PowerMode | null;
  power_simulated: number | null;
  power_since_ms: number | null;
  power_reported_at: number | null;
}

const COLUMNS =
  'id, tenant_id, name, enrolled_at, last_seen_at, software_version, protocol_version, revoked_at, connected, acked_seq, duplicates_skipped, quarantined, batches, backlog_records, backlog_oldest_ms, clock_trusted, power_mode, power_simulated, power_since_ms, power_reported_at';

function toRecord(row: GatewayRow): GatewayRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    softwareVersion: row.software_version,
    protocolVersion: row.protocol_version,
    revokedAt: row.revoked_at,
    connected: row.connected === 1,
    ackedSeq: row.acked_seq,
    duplicatesSkipped: row.duplicates_skipped,
    quarantined: row.quarantined,
    batches: row.batches,
    backlogRecords: row.backlog_records,
    backlogOldestMs: row.backlog_oldest_ms,
    clockTrusted: row.clock_trusted === null ? null : row.clock_trusted === 1,
    powerMode: row.power_mode,
    powerSimulated: row.power_simulated === null ? null : row.power_simulated === 1,
    powerSinceMs: row.power_since_ms,
    powerReportedAt: row.power_reported_at,
  };
}

export function createSqliteFleet(db: Db): FleetStore {
  const list = db.prepare<[], GatewayRow>(`SELECT ${COLUMNS} FROM gateways ORDER BY enrolled_at, id`);
  const listTenant = db.prepare<[string], GatewayRow>(`SELECT ${COLUMNS} FROM gateways WHERE tenant_id = ? ORDER BY enrolled_at, id`);
  const get = db.prepare<[string], GatewayRow>(`SELECT ${COLUMNS} FROM gateways WHERE id = ?`);
  const revoke = db.prepare('UPDATE gateways SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');
  const revokedSince = db.prepare<[number], { id: string }>('SELECT id FROM gateways WHERE revoked_at IS NOT NULL AND revoked_at >= ?');
  const hello = db.prepare(
    'UPDATE gateways SET protocol_version = ?, software_version = ?, backlog_records = ?, backlog_oldest_ms = ?, clock_trusted = ?, last_seen_at = ? WHERE id = ?',
  );
  const power = db.prepare('UPDATE gateways SET power_mode = ?, power_simulated = ?, power_since_ms = ?, power_reported_at = ? WHERE id = ?');
  const setConnected = db.prepare('UPDATE gateways SET connected = ? WHERE id = ?');
  const resetConnected = db.prepare('UPDATE gateways SET connected = 0 WHERE connected = 1');

  return {
    list: (tenantId) => (tenantId === undefined ? list.all() : listTenant.all(tenantId)).map(toRecord),
    get(id) {
      const row = get.get(id);
      return row ? toRecord(row) : undefined;
    },
    revoke(id, nowMs) {
      revoke.run(nowMs, id);
      const row = get.get(id);
      return row ? toRecord(row) : undefined;
    },
    revokedSince: (sinceMs) => revokedSince.all(sinceMs).map((r) => r.id),
    recordHello(id, h, nowMs) {
      db.transaction(() => {
        hello.run(h.protocolVersion, h.softwareVersion, h.backlogRecords, h.backlogOldestMs, h.clockTrusted ? 1 : 0, nowMs, id);
        if (h.power) power.run(h.power.mode, h.power.simulated ? 1 : 0, h.power.sinceMs, nowMs, id);
      })();
    },
    recordPower(id, p, nowMs) {
      power.run(p.mode, p.simulated ? 1 : 0, p.sinceMs, nowMs, id);
    },
    setConnected(id, connected) {
      setConnected.run(connected ? 1 : 0, id);
    },
    resetConnected() {
      resetConnected.run();
    },
  };
}
