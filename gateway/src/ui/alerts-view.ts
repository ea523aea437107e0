import type { Db } from '../store/database.js';

export const ALERT_LABELS = ['normal', 'anomaly'] as const;
export type AlertLabel = (typeof ALERT_LABELS)[number];

export interface AlertFilter {
  state?: 'open' | 'acknowledged' | 'all';
  severity?: string;
  deviceId?: string;
  limit: number;
}

interface AlertRow {
  alert_id: string;
  device_id: string;
  ts: number;
  received_at: number;
  severity: string;
  body: string;
  acked_by: string | null;
  acked_at: number | null;
  label: string | null;
  note: string | null;
  labelled_by: string | null;
}

/**
 * Alerts as the technician sees them: the `alerts` table (filled by the alerts intake) joined with the
 * UI's acknowledgements and labels. Labels are kept for federated training. When the store has no
 * `alerts` table (an older schema), the page shows an empty list rather than failing.
 */
export function createAlertsView(db: Db, onLabel?: (alert: { alertId: string; deviceId: string; ts: number; label: AlertLabel }) => void) {
  const hasAlerts = () => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'").get() !== undefined;
  const stmts = {
    ack: db.prepare('INSERT INTO ui_alert_acks (alert_id, acked_by, acked_at) VALUES (?, ?, ?) ON CONFLICT (alert_id) DO NOTHING'),
    label: db.prepare(
      'INSERT INTO alert_labels (alert_id, device_id, label, note, labelled_by, labelled_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id) DO UPDATE SET label = excluded.label, note = excluded.note, labelled_by = excluded.labelled_by, labelled_at = excluded.labelled_at',
    ),
  };

  function list(filter: AlertFilter) {
    if (!hasAlerts()) return { available: false, alerts: [] };
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.state === 'open') where.push('k.alert_id IS NULL');
    if (filter.state === 'acknowledged') where.push('k.alert_id IS NOT NULL');
    if (filter.severity) {
      where.push('a.severity = ?');
      args.push(filter.severity);
    }
    if (filter.deviceId) {
      where.push('a.device_id = ?');
      args.push(filter.deviceId);
    }
    const sql = `SELECT a.alert_id, a.device_id, a.ts, a.received_at, a.severity, a.body, k.acked_by, k.acked_at, l.label, l.note, l.labelled_by
      FROM alerts a LEFT JOIN ui_alert_acks k ON k.alert_id = a.alert_id LEFT JOIN alert_labels l ON l.alert_id = a.alert_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.received_at DESC LIMIT ?`;
    const rows = db.prepare<(string | number)[], AlertRow>(sql).all(...args, filter.limit);
    return {
      available: true,
      alerts: rows.map((r) => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(r.body) as Record<string, unknown>;
        } catch {
          // A body that is not JSON still lists with its columns.
        }
        return {
          alertId: r.alert_id,
          deviceId: r.device_id,
          ts: r.ts,
          receivedAt: r.received_at,
          severity: r.severity,
          kind: body.kind ?? null,
          metric: body.metric ?? null,
          score: body.score ?? null,
          threshold: body.threshold ?? null,
          source: body.source ?? null,
          modelVersion: body.modelVersion ?? null,
          acknowledged: r.acked_at !== null ? { by: r.acked_by, at: r.acked_at } : null,
          label: r.label !== null ? { label: r.label, note: r.note, by: r.labelled_by } : null,
        };
      }),
    };
  }

  function deviceOf(alertId: string): string | null {
    if (!hasAlerts()) return null;
    return (db.prepare('SELECT device_id FROM alerts WHERE alert_id = ?').pluck().get(alertId) as string | undefined) ?? null;
  }

  return {
    list,
    openCount(): number | null {
      if (!hasAlerts()) return null;
      return db.prepare('SELECT COUNT(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM ui_alert_acks k WHERE k.alert_id = a.alert_id)').pluck().get() as number;
    },
    /** False when there is no such alert. */
    acknowledge(alertId: string, by: string): boolean {
      if (deviceOf(alertId) === null) return false;
      stmts.ack.run(alertId, by, Date.now());
      return true;
    },
    label(alertId: string, label: AlertLabel, note: string, by: string): boolean {
      const deviceId = deviceOf(alertId);
      if (deviceId === null) return false;
      stmts.label.run(alertId, deviceId, label, note, by, Date.now());
      const ts = db.prepare('SELECT ts FROM alerts WHERE alert_id = ?').pluck().get(alertId) as number | undefined;
      if (ts !== undefined) onLabel?.({ alertId, deviceId, ts, label });
      return true;
    },
  };
}

export type AlertsView = ReturnType<typeof createAlertsView>;
