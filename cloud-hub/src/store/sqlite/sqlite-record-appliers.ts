import type { DataClass, SyncPayload } from '@outpost/protocols';
import type { Db } from './database.js';

/** Where a record came from; every row keeps it. */
export interface RecordOrigin {
  gatewayId: string;
  seq: number;
  hlcWallMs: number;
  hlcLogical: number;
  trusted: 0 | 1;
  nowMs: number;
}

type Applier<C extends DataClass> = (origin: RecordOrigin, payload: SyncPayload<C>, json: string) => void;
export type RecordAppliers = { [C in DataClass]: Applier<C> };

const ORIGIN = 'gateway_id, seq, hlc_wall_ms, hlc_logical, wall_time_trusted, received_at';
const o = (r: RecordOrigin) => [r.gatewayId, r.seq, r.hlcWallMs, r.hlcLogical, r.trusted, r.nowMs] as const;

/** One prepared statement (or two) per data class; each is called inside the batch's transaction. */
export function createRecordAppliers(db: Db, onCommandResult: (gatewayId: string, commandId: string, status: string, body: unknown, nowMs: number) => void): RecordAppliers {
  // An alertId seen before (the gateway re-raised it under a new seq) is not inserted twice.
  const alert = db.prepare(
    `INSERT INTO alerts (${ORIGIN}, alert_id, device_id, ts, severity, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (gateway_id, alert_id) DO NOTHING`,
  );
  const summary = db.prepare(
    `INSERT INTO summaries (${ORIGIN}, device_id, metric, window_start_ms, window_ms, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (gateway_id, device_id, metric, window_start_ms, window_ms) DO UPDATE SET
       seq = excluded.seq, hlc_wall_ms = excluded.hlc_wall_ms, hlc_logical = excluded.hlc_logical,
       wall_time_trusted = excluded.wall_time_trusted, received_at = excluded.received_at, payload = excluded.payload`,
  );
  // Latest state per device by seq, never by the gateway's wall time.
  const deviceState = db.prepare(
    `INSERT INTO device_state (${ORIGIN}, device_id, ts, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (gateway_id, device_id) DO UPDATE SET
       seq = excluded.seq, hlc_wall_ms = excluded.hlc_wall_ms, hlc_logical = excluded.hlc_logical,
       wall_time_trusted = excluded.wall_time_trusted, received_at = excluded.received_at, ts = excluded.ts, state = excluded.state
     WHERE excluded.seq > device_state.seq`,
  );
  const event = db.prepare(`INSERT INTO events (${ORIGIN}, device_id, ts, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const commandResult = db.prepare(`INSERT INTO command_results (${ORIGIN}, device_id, command_id, status, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const usage = db.prepare(`INSERT INTO usage_records (${ORIGIN}, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const audit = db.prepare(`INSERT INTO audit_records (${ORIGIN}, payload) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const rawReading = db.prepare(`INSERT INTO raw_readings (${ORIGIN}, device_id, ts, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  return {
    alert: (r, p, json) => void alert.run(...o(r), p.alertId, p.deviceId, p.ts, p.severity, json),
    summary: (r, p, json) => void summary.run(...o(r), p.deviceId, p.metric, p.windowStartMs, p.windowMs, json),
    deviceState: (r, p) => void deviceState.run(...o(r), p.deviceId, p.ts, JSON.stringify(p.state)),
    event: (r, p, json) => void event.run(...o(r), p.deviceId, p.ts, json),
    commandResult: (r, p, json) => {
      commandResult.run(...o(r), p.deviceId, p.commandId, p.status, json);
      onCommandResult(r.gatewayId, p.commandId, p.status, p.body ?? null, r.nowMs);
    },
    usage: (r, _p, json) => void usage.run(...o(r), json),
    audit: (r, _p, json) => void audit.run(...o(r), json),
    rawReading: (r, p, json) => void rawReading.run(...o(r), p.deviceId, p.ts, json),
  };
}
