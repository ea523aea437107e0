import { useState } from 'preact/hooks';
import { type DeviceState, type Gateway, type SyncedAlert, type SyncedSummary, post } from '../api.js';
import { ago, backlogAge, emptyText, rateText, time } from '../format.js';
import { usePoll } from '../hooks.js';
import { type SummaryPoint, SummaryChart } from '../summary-chart.js';
import { AlertList } from './alerts.js';
import { PowerBadge, StateBadge } from './fleet.js';

function RevokeButton({ gateway, onDone }: { gateway: Gateway; onDone: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (gateway.revokedAt !== null) return <p>Revoked {time(gateway.revokedAt)}.</p>;
  if (!confirming) {
    return (
      <button type="button" class="danger" onClick={() => setConfirming(true)}>
        Revoke gateway…
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-labelledby="revoke-question">
      <p id="revoke-question">
        Revoke <strong>{gateway.name}</strong>? Its credential stops working at once and its stream is closed. It must enroll again with a new token.
      </p>
      <button
        type="button"
        class="danger"
        onClick={() =>
          post(`/api/v1/gateways/${encodeURIComponent(gateway.id)}/revoke`).then(
            () => {
              setConfirming(false);
              onDone();
            },
            (err: Error) => setError(err.message),
          )
        }
      >
        Yes, revoke
      </button>{' '}
      {/* Focus starts on the harmless choice: Enter does not revoke by accident. */}
      <button type="button" class="secondary" autoFocus onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

function BatteryCell({ d }: { d: DeviceState }) {
  if (d.batteryPercent === null && !d.batteryForecast) return <>—</>;
  const percent = d.batteryPercent ?? d.batteryForecast?.percent;
  return <>{percent !== undefined ? `${Math.round(percent)} %` : '—'}</>;
}

function ForecastCell({ d }: { d: DeviceState }) {
  const f = d.batteryForecast;
  if (!f) return <span class="hint">{d.batteryPercent === null ? '—' : 'not enough history'}</span>;
  return (
    <span title={`least-squares line over ${f.basedOnSamples} samples spanning ${Math.round(f.spanMs / 3_600_000)} h`}>
      {rateText(f)}, {emptyText(f)}
    </span>
  );
}

function DevicesTable({ devices }: { devices: DeviceState[] }) {
  if (devices.length === 0) return <p>No device state has been synced yet.</p>;
  return (
    <div class="table-wrap">
      <table aria-label="Devices">
        <thead>
          <tr>
            <th>Device</th>
            <th>Last state</th>
            <th>Battery</th>
            <th>Battery forecast</th>
            <th>Adaptive reporting</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.deviceId} data-device-id={d.deviceId}>
              <td>{d.deviceId}</td>
              <td>
                {ago(d.receivedAt)}
                {!d.wallTimeTrusted && <span class="badge warn">clock not trusted</span>}
              </td>
              <td>
                <BatteryCell d={d} />
              </td>
              <td data-testid="battery-forecast">
                <ForecastCell d={d} />
              </td>
              <td>{d.adaptiveReporting === null ? '—' : d.adaptiveReporting ? 'on' : 'off'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Per device and metric, the finest window synced, oldest first. */
function seriesOf(summaries: SyncedSummary[]): Map<string, Map<string, SummaryPoint[]>> {
  const finest = new Map<string, number>();
  for (const { summary: s } of summaries) {
    const key = `${s.deviceId}\u0000${s.metric}`;
    finest.set(key, Math.min(finest.get(key) ?? Infinity, s.windowMs));
  }
  const out = new Map<string, Map<string, SummaryPoint[]>>();
  for (const { summary: s } of summaries) {
    if (finest.get(`${s.deviceId}\u0000${s.metric}`) !== s.windowMs) continue;
    const metrics = out.get(s.deviceId) ?? new Map<string, SummaryPoint[]>();
    out.set(s.deviceId, metrics);
    const points = metrics.get(s.metric) ?? [];
    metrics.set(s.metric, points);
    points.push({ windowStartMs: s.windowStartMs, min: s.min, mean: s.mean, max: s.max });
  }
  for (const metrics of out.values()) for (const points of metrics.values()) points.sort((a, b) => a.windowStartMs - b.windowStartMs);
  return out;
}

function Charts({ gatewayId }: { gatewayId: string }) {
  const { data } = usePoll<{ summaries: SyncedSummary[] }>(`/api/v1/gateways/${encodeURIComponent(gatewayId)}/summaries?limit=1000`, 30_000);
  const series = seriesOf(data?.summaries ?? []);
  const devices = [...series.keys()].sort();
  const [picked, setPicked] = useState<string | null>(null);
  const device = picked !== null && series.has(picked) ? picked : devices[0];
  if (!data) return <p>Loading…</p>;
  if (!device) return <p>No summaries have been synced yet.</p>;
  return (
    <>
      <label class="inline-label">
        Device
        <select value={device} onChange={(e) => setPicked((e.currentTarget as HTMLSelectElement).value)}>
          {devices.map((d) => (
            <option value={d}>{d}</option>
          ))}
        </select>
      </label>
      <div class="charts">
        {[...series.get(device)!.entries()].map(([metric, points]) => (
          <figure key={`${device}/${metric}`}>
            <figcaption>
              {metric} <span class="hint">min, mean and max per window ({points.length} windows)</span>
            </figcaption>
            <SummaryChart points={points} label={`${metric} of ${device}: min, mean and max per summary window`} />
          </figure>
        ))}
      </div>
    </>
  );
}

export function GatewayDetailPage({ id }: { id: string }) {
  const enc = encodeURIComponent(id);
  const gw = usePoll<Gateway>(`/api/v1/gateways/${enc}`, 5000);
  const devices = usePoll<{ devices: DeviceState[] }>(`/api/v1/gateways/${enc}/devices`, 10_000);
  const alerts = usePoll<{ alerts: SyncedAlert[] }>(`/api/v1/alerts?gatewayId=${enc}&limit=20`, 10_000);
  const g = gw.data;
  return (
    <>
      <p>
        <a href="#/">← Fleet</a>
      </p>
      <h1 tabIndex={-1}>{g ? g.name : id}</h1>
      {gw.error && <p class="error" role="alert">{gw.error}</p>}
      {g && (
        <section aria-label="Health" class="columns">
          <dl class="facts">
            <dt>Id</dt>
            <dd>{g.id}</dd>
            <dt>State</dt>
            <dd>
              <StateBadge g={g} />
            </dd>
            <dt>Last seen</dt>
            <dd>{g.lastSeenAt ? `${ago(g.lastSeenAt)} (${time(g.lastSeenAt)})` : 'never'}</dd>
            <dt>Enrolled</dt>
            <dd>{time(g.enrolledAt)}</dd>
            <dt>Backlog</dt>
            <dd>
              {g.backlogRecords ?? '—'} records, oldest {backlogAge(g)}
            </dd>
          </dl>
          <dl class="facts">
            <dt>Software</dt>
            <dd>{g.softwareVersion || '—'}</dd>
            <dt>Protocol</dt>
            <dd>{g.protocolVersion ?? '—'}</dd>
            <dt>Clock</dt>
            <dd>{g.clockTrusted === null ? '—' : g.clockTrusted ? 'trusted' : 'not trusted'}</dd>
            <dt>Power mode</dt>
            <dd data-testid="power-mode">
              <PowerBadge g={g} />
              {g.powerSinceMs !== null && <span class="hint"> since {time(g.powerSinceMs)} (gateway clock)</span>}
            </dd>
            <dt>Applied</dt>
            <dd>
              up to seq {g.ackedSeq}; {g.quarantined} quarantined
            </dd>
          </dl>
        </section>
      )}
      {g && (
        <p class="hint">The hub keeps each gateway's current power mode, not its history; the gateway's own logs and technician UI have the transitions.</p>
      )}
      <h2>Devices</h2>
      {devices.error && <p class="error" role="alert">{devices.error}</p>}
      {devices.data && <DevicesTable devices={devices.data.devices} />}
      <h2>Recent alerts</h2>
      {alerts.data && <AlertList alerts={alerts.data.alerts} showGateway={false} />}
      <h2>Summaries</h2>
      <Charts gatewayId={id} />
      <h2>Revoke</h2>
      {g && <RevokeButton gateway={g} onDone={gw.reload} />}
    </>
  );
}
