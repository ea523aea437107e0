import { AlertFilters, AlertItem, SeverityBadge } from '@outpost/web-kit/alerts';
import { useState } from 'preact/hooks';
import { type SessionUser, post } from '../api.js';
import { time } from '../format.js';
import { usePoll } from '../hooks.js';

interface AlertRow {
  alertId: string;
  deviceId: string;
  ts: number;
  severity: string;
  kind: string | null;
  metric: string | null;
  score: number | null;
  threshold: number | null;
  source: string | null;
  acknowledged: { by: string; at: number } | null;
  label: { label: string; note: string; by: string } | null;
}

function LabelForm({ alert, onDone }: { alert: AlertRow; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    try {
      await post(`/ui/api/alerts/${encodeURIComponent(alert.alertId)}/label`, { label: String(form.get('label')), note: String(form.get('note') ?? '') });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <form class="label-form" onSubmit={submit} aria-label={`Label alert ${alert.alertId}`}>
      <fieldset>
        <legend>Label</legend>
        <label>
          <input type="radio" name="label" value="normal" required defaultChecked={alert.label?.label === 'normal'} /> normal
        </label>
        <label>
          <input type="radio" name="label" value="anomaly" defaultChecked={alert.label?.label === 'anomaly'} /> anomaly
        </label>
      </fieldset>
      <label>
        Note
        <input name="note" maxLength={1000} defaultValue={alert.label?.note ?? ''} />
      </label>
      <button type="submit">Save label</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

export function AlertsPage({ user }: { user: SessionUser }) {
  const [state, setState] = useState('open');
  const [severity, setSeverity] = useState('');
  const [device, setDevice] = useState('');
  const query = new URLSearchParams({ state, ...(severity ? { severity } : {}), ...(device ? { device } : {}) });
  const { data, error, reload } = usePoll<{ available: boolean; alerts: AlertRow[] }>(`/ui/api/alerts?${query}`, 4000);
  const canEdit = user.role !== 'viewer';
  return (
    <>
      <h1 tabIndex={-1}>Alerts</h1>
      <AlertFilters severity={severity} onSeverity={setSeverity} device={device} onDevice={setDevice}>
        <label>
          State
          <select value={state} onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value)}>
            <option value="open">open</option>
            <option value="acknowledged">acknowledged</option>
            <option value="all">all</option>
          </select>
        </label>
      </AlertFilters>
      {error && <p class="error" role="alert">{error}</p>}
      {data && !data.available && <p>Alerts are not available in this store yet.</p>}
      {data?.available && data.alerts.length === 0 && <p>No alerts match.</p>}
      <ul class="alerts">
        {data?.alerts.map((a) => (
          <AlertItem key={a.alertId} alertId={a.alertId} severity={a.severity}>
            <h2>
              <SeverityBadge severity={a.severity} /> {a.kind ?? 'alert'} on{' '}
              <a href={`#/devices/${encodeURIComponent(a.deviceId)}`}>{a.deviceId}</a>
            </h2>
            <p>
              {time(a.ts)} · {a.source ?? '—'}
              {a.metric ? ` · ${a.metric}` : ''}
              {a.score !== null ? ` · score ${a.score} (threshold ${a.threshold})` : ''}
            </p>
            <p>
              {a.acknowledged ? `Acknowledged by ${a.acknowledged.by}` : 'Open'}
              {a.label ? ` · labelled ${a.label.label} by ${a.label.by}${a.label.note ? `: ${a.label.note}` : ''}` : ''}
            </p>
            {canEdit && (
              <div class="actions">
                {!a.acknowledged && (
                  <button type="button" onClick={() => void post(`/ui/api/alerts/${encodeURIComponent(a.alertId)}/ack`).then(reload)}>
                    Acknowledge
                  </button>
                )}
                <LabelForm alert={a} onDone={reload} />
              </div>
            )}
          </AlertItem>
        ))}
      </ul>
    </>
  );
}
