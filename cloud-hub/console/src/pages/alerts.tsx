import { AlertFilters, AlertItem, SeverityBadge } from '@outpost/web-kit/alerts';
import { useState } from 'preact/hooks';
import type { SyncedAlert } from '../api.js';
import { time } from '../format.js';
import { usePoll } from '../hooks.js';

export function AlertList({ alerts, showGateway, names }: { alerts: SyncedAlert[]; showGateway: boolean; names?: Map<string, string> }) {
  if (alerts.length === 0) return <p>No alerts match.</p>;
  return (
    <ul class="alerts">
      {alerts.map(({ alert: a, gatewayId, receivedAt, wallTimeTrusted }) => (
        <AlertItem key={`${gatewayId}/${a.alertId}`} alertId={a.alertId} severity={a.severity}>
          <h3>
            <SeverityBadge severity={a.severity} /> {a.kind ?? 'alert'} on {a.deviceId}
            {showGateway && gatewayId && (
              <>
                {' '}
                at <a href={`#/gateways/${encodeURIComponent(gatewayId)}`}>{names?.get(gatewayId) ?? gatewayId}</a>
              </>
            )}
          </h3>
          <p>
            {time(a.ts)}
            {wallTimeTrusted ? '' : ' (gateway clock not trusted)'} · received {time(receivedAt)} · {a.source ?? '—'}
            {a.metric ? ` · ${a.metric}` : ''}
            {a.score !== undefined ? ` · score ${a.score}${a.threshold !== undefined ? ` (threshold ${a.threshold})` : ''}` : ''}
          </p>
        </AlertItem>
      ))}
    </ul>
  );
}

const PAGE = 100;

export function AlertsPage() {
  const [gateway, setGateway] = useState('');
  const [device, setDevice] = useState('');
  const [severity, setSeverity] = useState('');
  const query = new URLSearchParams({ limit: String(PAGE), ...(gateway.trim() ? { gatewayId: gateway.trim() } : {}), ...(device.trim() ? { deviceId: device.trim() } : {}), ...(severity ? { severity } : {}) });
  const { data, error } = usePoll<{ alerts: SyncedAlert[]; next: number | null }>(`/api/v1/alerts?${query}`, 5000);
  const gateways = usePoll<{ gateways: { id: string; name: string }[] }>('/api/v1/gateways', 0);
  return (
    <>
      <h1 tabIndex={-1}>Alerts</h1>
      <AlertFilters severity={severity} onSeverity={setSeverity} device={device} onDevice={setDevice} deviceMaxLength={64}>
        <label>
          Gateway
          <select value={gateway} onChange={(e) => setGateway((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">any</option>
            {gateways.data?.gateways.map((g) => (
              <option value={g.id}>{g.name}</option>
            ))}
          </select>
        </label>
      </AlertFilters>
      <p class="hint">Newest received first; the latest {PAGE} that match. Refreshed every 5 s.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {data && <AlertList alerts={data.alerts} showGateway names={new Map(gateways.data?.gateways.map((g) => [g.id, g.name]))} />}
    </>
  );
}
