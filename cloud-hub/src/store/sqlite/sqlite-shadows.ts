import { type DeviceConfig, deviceConfigSchema } from '@outpost/protocols';
import type { DesiredConfigInput, Shadow, ShadowStore } from '../hub-store.js';
import type { Db } from './database.js';

interface StateRow {
  device_id: string;
  ts: number;
  seq: number;
  state: string;
  wall_time_trusted: number;
  received_at: number;
}

export function createSqliteShadows(db: Db): ShadowStore {
  const desired = db.prepare<[string, string], { desired: string; version: number; updated_at: number }>(
    'SELECT desired, version, updated_at FROM shadows WHERE gateway_id = ? AND device_id = ?',
  );
  const nextChange = db.prepare<[], { n: number }>('SELECT coalesce(max(change_seq), 0) + 1 AS n FROM shadows');
  const upsert = db.prepare(
    `INSERT INTO shadows (gateway_id, device_id, desired, version, change_seq, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (gateway_id, device_id) DO UPDATE SET desired = excluded.desired, version = excluded.version, change_seq = excluded.change_seq, updated_at = excluded.updated_at`,
  );
  const reported = db.prepare<[string, string], StateRow>(
    'SELECT device_id, ts, seq, state, wall_time_trusted, received_at FROM device_state WHERE gateway_id = ? AND device_id = ?',
  );
  const changes = db.prepare<[string, number, number], { change_seq: number; device_id: string; version: number; desired: string }>(
    'SELECT change_seq, device_id, version, desired FROM shadows WHERE gateway_id = ? AND change_seq > ? ORDER BY change_seq LIMIT ?',
  );
  const devices = db.prepare<[string], StateRow>('SELECT device_id, ts, seq, state, wall_time_trusted, received_at FROM device_state WHERE gateway_id = ? ORDER BY device_id');

  function get(gatewayId: string, deviceId: string): Shadow {
    const d = desired.get(gatewayId, deviceId);
    const r = reported.get(gatewayId, deviceId);
    return {
      deviceId,
      desired: d ? (JSON.parse(d.desired) as DeviceConfig) : null,
      desiredVersion: d?.version ?? 0,
      desiredUpdatedAt: d?.updated_at ?? null,
      reported: r ? { state: JSON.parse(r.state) as Record<string, unknown>, ts: r.ts, seq: r.seq, wallTimeTrusted: r.wall_time_trusted === 1 } : null,
    };
  }

  const setDesired = db.transaction((gatewayId: string, deviceId: string, config: DesiredConfigInput, nowMs: number) => {
    const version = (desired.get(gatewayId, deviceId)?.version ?? 0) + 1;
    // Validated as the deviceConfig message the gateway will receive; configVersion is the shadow version.
    const full = deviceConfigSchema.parse({ ...config, v: 1, configVersion: version });
    upsert.run(gatewayId, deviceId, JSON.stringify(full), version, nextChange.get()!.n, nowMs);
    return get(gatewayId, deviceId);
  });

  return {
    setDesired: (gatewayId, deviceId, config, nowMs) => setDesired.immediate(gatewayId, deviceId, config, nowMs),
    get,
    desiredAfter: (gatewayId, after, limit) =>
      changes.all(gatewayId, after, limit).map((r) => ({ changeSeq: r.change_seq, deviceId: r.device_id, version: r.version, config: JSON.parse(r.desired) as DeviceConfig })),
    devices: (gatewayId) =>
      devices.all(gatewayId).map((r) => ({
        deviceId: r.device_id,
        ts: r.ts,
        seq: r.seq,
        state: JSON.parse(r.state) as Record<string, unknown>,
        wallTimeTrusted: r.wall_time_trusted === 1,
        receivedAt: r.received_at,
      })),
  };
}
