import type { HubQueries } from '../hub-store.js';
import type { Db } from './database.js';

interface PayloadRow {
  seq: number;
  hlc_wall_ms: number;
  hlc_logical: number;
  wall_time_trusted: number;
  received_at: number;
  payload: string;
}

const origin = (r: PayloadRow) => ({ seq: r.seq, hlc: { wallMs: r.hlc_wall_ms, logical: r.hlc_logical }, wallTimeTrusted: r.wall_time_trusted === 1, receivedAt: r.received_at });

export function createSqliteQueries(db: Db): HubQueries {
  // Ordered by seq: the gateway's own order, whatever its wall clock said.
  const alerts = db.prepare<[string, number, number], PayloadRow>('SELECT * FROM alerts WHERE gateway_id = ? AND seq > ? ORDER BY seq LIMIT ?');
  const summaries = db.prepare<[{ gw: string; device: string | null; metric: string | null; limit: number }], PayloadRow>(
    `SELECT * FROM summaries WHERE gateway_id = @gw AND (@device IS NULL OR device_id = @device) AND (@metric IS NULL OR metric = @metric)
     ORDER BY window_start_ms DESC, seq DESC LIMIT @limit`,
  );
  const quarantine = db.prepare<[string, number], { seq: number; data_class: number; detail: string; payload: Buffer; payload_bytes: number; received_at: number }>(
    'SELECT seq, data_class, detail, payload, payload_bytes, received_at FROM quarantine WHERE gateway_id = ? ORDER BY seq DESC LIMIT ?',
  );
  // By rowid: the order the hub stored them in, across gateways whose clocks may disagree.
  // A tenant sees the alerts of its own gateways only: records belong to the tenant of their gateway.
  const fleetAlerts = db.prepare<[{ before: number | null; gw: string | null; device: string | null; severity: string | null; tenant: string | null; limit: number }], PayloadRow & { id: number; gateway_id: string }>(
    `SELECT * FROM alerts WHERE (@before IS NULL OR id < @before) AND (@gw IS NULL OR gateway_id = @gw) AND (@device IS NULL OR device_id = @device)
     AND (@severity IS NULL OR severity = @severity)
     AND (@tenant IS NULL OR gateway_id IN (SELECT id FROM gateways WHERE tenant_id = @tenant)) ORDER BY id DESC LIMIT @limit`,
  );
  return {
    fleetAlerts: ({ limit, before, gatewayId, deviceId, severity, tenantId }) =>
      fleetAlerts
        .all({ before: before ?? null, gw: gatewayId ?? null, device: deviceId ?? null, severity: severity ?? null, tenant: tenantId ?? null, limit })
        .map((r) => ({ id: r.id, gatewayId: r.gateway_id, ...origin(r), alert: JSON.parse(r.payload) as unknown })),
    alerts: (gatewayId, { limit, after }) => alerts.all(gatewayId, after ?? 0, limit).map((r) => ({ ...origin(r), alert: JSON.parse(r.payload) as unknown })),
    summaries: (gatewayId, { deviceId, metric, limit }) =>
      summaries.all({ gw: gatewayId, device: deviceId ?? null, metric: metric ?? null, limit }).map((r) => ({ ...origin(r), summary: JSON.parse(r.payload) as unknown })),
    quarantine: (gatewayId, limit) =>
      quarantine.all(gatewayId, limit).map((r) => ({
        seq: r.seq,
        dataClass: r.data_class,
        detail: r.detail,
        payloadBytes: r.payload_bytes,
        payloadPreview: r.payload.subarray(0, 512).toString('utf8'),
        receivedAt: r.received_at,
      })),
  };
}
