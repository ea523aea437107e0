import { useEffect, useState } from 'preact/hooks';
import { type SessionUser, post } from '../api.js';
import { ago, batteryForecastText, time } from '../format.js';
import { usePoll } from '../hooks.js';
import { LiveChart, type Point } from '../live-chart.js';
import type { DeviceRow } from './devices.js';

interface CommandRow {
  commandId: string;
  name: string;
  args: unknown;
  issuedBy: string;
  issuedAt: number;
  result: { status: string; receivedAt: number; body: { result?: unknown; error?: { message: string } } } | null;
}

interface ReportingPolicy {
  intervalMs: number;
  mode: 'periodic' | 'adaptive';
  predictor?: string;
  tolerance?: Record<string, number>;
  maxSilenceMs?: number;
}

interface Reporting {
  effective: ReportingPolicy | null;
  adaptive: { synced: boolean; late: boolean; transmissions: number; filled: number } | null;
}

interface Detail {
  device: DeviceRow;
  readings: { id: number; ts: number; metrics: Record<string, number>; predicted?: true }[];
  commands: CommandRow[];
  reporting: Reporting;
}

function reportingText({ effective, adaptive }: Reporting): string {
  if (!effective) return 'device default';
  if (effective.mode === 'periodic') return `every ${effective.intervalMs / 1000} s`;
  const tolerance = Object.entries(effective.tolerance ?? {})
    .map(([k, v]) => `${k} ±${v}`)
    .join(', ');
  const state = adaptive ? `${adaptive.synced ? 'in step' : 'waiting for the device to restart its predictor'}${adaptive.late ? ', late' : ''}; ${adaptive.filled} of ${adaptive.filled + adaptive.transmissions} samples predicted` : '';
  return `adaptive (${effective.predictor ?? 'last-value'}${tolerance ? `, ${tolerance}` : ''}), sampled every ${effective.intervalMs / 1000} s${state ? ` — ${state}` : ''}`;
}

function useLiveReadings(id: string, initial: Point[] | null) {
  const [points, setPoints] = useState<Point[]>([]);
  const [status, setStatus] = useState('connecting');
  useEffect(() => {
    // The stored readings can arrive after the first live ones: keep the live ones newer than them.
    if (initial) setPoints((live) => [...initial, ...live.filter((p) => p.ts > (initial[initial.length - 1]?.ts ?? -Infinity))].slice(-2000));
  }, [initial]);
  useEffect(() => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ui/api/live?device=${encodeURIComponent(id)}`);
    ws.onopen = () => setStatus('live');
    ws.onclose = () => setStatus('disconnected (reload to retry)');
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as { type: string; deviceId?: string; ts: number; metrics: Record<string, number> };
      if (m.type === 'reading' && m.deviceId === id) setPoints((prev) => [...prev.slice(-1999), { ts: m.ts, metrics: m.metrics }]);
    };
    return () => ws.close();
  }, [id]);
  return { points, status };
}

function Commands({ id, commands, canSend, onSent }: { id: string; commands: CommandRow[]; canSend: boolean; onSent: () => void }) {
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const argsText = String(form.get('args') ?? '').trim();
    try {
      const args = argsText ? (JSON.parse(argsText) as Record<string, unknown>) : undefined;
      await post(`/ui/api/devices/${encodeURIComponent(id)}/commands`, { name: String(form.get('name')), ...(args ? { args } : {}) });
      setError(null);
      onSent();
    } catch (err) {
      setError(err instanceof SyntaxError ? 'arguments must be a JSON object' : (err as Error).message);
    }
  }
  return (
    <section aria-labelledby="commands">
      <h2 id="commands">Commands</h2>
      {canSend && (
        <form class="inline" onSubmit={submit}>
          <label>
            Command
            <input name="name" required pattern="[A-Za-z][A-Za-z0-9_.\-]{0,63}" placeholder="reboot" />
          </label>
          <label>
            Arguments (JSON, optional)
            <input name="args" placeholder='{"delayMs": 1000}' />
          </label>
          <button type="submit">Send command</button>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Sent</th>
              <th scope="col">Command</th>
              <th scope="col">By</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {commands.map((c) => (
              <tr key={c.commandId} data-testid="command-row">
                <td>{time(c.issuedAt)}</td>
                <td>
                  {c.name} {c.args ? <code>{JSON.stringify(c.args)}</code> : null}
                </td>
                <td>{c.issuedBy}</td>
                <td>{c.result ? `${c.result.status}${c.result.body.error ? `: ${c.result.body.error.message}` : c.result.body.result ? ` ${JSON.stringify(c.result.body.result)}` : ''}` : 'waiting for the device'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function DeviceDetailPage({ id, user }: { id: string; user: SessionUser }) {
  const { data, error, reload } = usePoll<Detail>(`/ui/api/devices/${encodeURIComponent(id)}`, 5000);
  const [initial, setInitial] = useState<Point[] | null>(null);
  useEffect(() => {
    if (data && initial === null) setInitial(data.readings.map((r) => ({ ts: r.ts, metrics: r.metrics })));
  }, [data, initial]);
  const { points, status } = useLiveReadings(id, initial);
  const last = points[points.length - 1];
  const canEdit = user.role !== 'viewer';
  return (
    <>
      <p>
        <a href="#/devices">← Devices</a>
      </p>
      <h1 tabIndex={-1}>Device {id}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {data && (
        <dl class="facts">
          <dt>Status</dt>
          <dd>{data.device.revokedAt ? 'revoked' : data.device.connected ? 'online' : 'offline'}</dd>
          <dt>Last seen</dt>
          <dd>{data.device.connected ? 'now' : ago(data.device.lastSeenAt)}</dd>
          <dt>Battery</dt>
          <dd>{data.device.batteryPercent === null ? '—' : `${Math.round(data.device.batteryPercent)} %`}</dd>
          <dt>Battery forecast</dt>
          <dd data-testid="battery-forecast">{batteryForecastText(data.device.batteryForecast)}</dd>
          <dt>Reporting</dt>
          <dd data-testid="reporting">{reportingText(data.reporting)}</dd>
          <dt>Firmware</dt>
          <dd>{data.device.firmware ?? '—'}</dd>
        </dl>
      )}
      <section aria-labelledby="readings">
        <h2 id="readings">Readings</h2>
        <p class="hint" aria-live="polite">
          Live: {status}.{' '}
          <span data-testid="latest-reading">
            {last
              ? `Latest ${time(last.ts)}: ${Object.entries(last.metrics)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}`
              : 'No readings yet.'}
          </span>
        </p>
        <LiveChart points={points} label={`Chart of the readings of ${id}`} />
      </section>
      {data && <Commands id={id} commands={data.commands} canSend={canEdit && !data.device.revokedAt} onSent={reload} />}
      {data && canEdit && !data.device.revokedAt && (
        <section aria-labelledby="revoke">
          <h2 id="revoke">Revoke</h2>
          <p>The device is disconnected at once and can never connect with this id again.</p>
          <button
            type="button"
            class="danger"
            onClick={() => {
              if (confirm(`Revoke ${id}?`)) void post(`/ui/api/devices/${encodeURIComponent(id)}/revoke`).then(reload);
            }}
          >
            Revoke {id}
          </button>
        </section>
      )}
    </>
  );
}
