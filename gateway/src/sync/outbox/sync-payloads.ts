import type { SyncPayload } from '@outpost/protocols';
import type { WriteRow } from '../../store/write-rows.js';

type Row<K extends WriteRow['k']> = Extract<WriteRow, { k: K }>;

/** The sync payload (syncPayloadSchemas in @outpost/protocols) of a stored row. */
export function syncPayloadOf(row: Row<'reading'>): SyncPayload<'rawReading'>;
export function syncPayloadOf(row: Row<'event'>): SyncPayload<'event'>;
export function syncPayloadOf(row: Row<'state'>): SyncPayload<'deviceState'>;
export function syncPayloadOf(row: Row<'commandResult'>): SyncPayload<'commandResult'>;
export function syncPayloadOf(row: Row<'reading' | 'event' | 'state' | 'commandResult'>): object {
  switch (row.k) {
    case 'reading':
      return { v: 1, deviceId: row.deviceId, ts: row.ts, ...(row.seq !== null ? { seq: row.seq } : {}), metrics: JSON.parse(row.metrics) as Record<string, number> };
    case 'event':
      return {
        v: 1,
        deviceId: row.deviceId,
        ts: row.ts,
        type: row.type,
        severity: row.severity as 'info' | 'warning' | 'critical',
        ...(row.data !== null ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
      };
    case 'state': {
      // The stored state is the whole device message; the envelope fields are not state.
      const { v: _v, ts: _ts, seq: _seq, ...state } = JSON.parse(row.state) as Record<string, unknown>;
      return { v: 1, deviceId: row.deviceId, ts: row.ts, state };
    }
    case 'commandResult': {
      const { v: _v, commandId: _c, status: _s, ...body } = JSON.parse(row.body) as Record<string, unknown>;
      return { v: 1, deviceId: row.deviceId, commandId: row.commandId, status: row.status, ...(Object.keys(body).length > 0 ? { body } : {}) };
    }
  }
}
