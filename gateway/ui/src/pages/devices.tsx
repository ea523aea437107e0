import { useState } from 'preact/hooks';
import { type SessionUser, post } from '../api.js';
import { type BatteryForecast, ago, batteryForecastText } from '../format.js';
import { usePoll } from '../hooks.js';

export interface DeviceRow {
  id: string;
  createdAt: number;
  revokedAt: number | null;
  lastSeenAt: number | null;
  batteryPercent: number | null;
  firmware: string | null;
  connected: boolean;
  batteryForecast: BatteryForecast | null;
}

interface Created {
  id: string;
  secret: string;
  deviceConfig: { broker: { host: string; port: number } };
  qrSvg: string;
}

function AddDevice({ onAdded }: { onAdded: () => void }) {
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const id = String(new FormData(form).get('id')).trim();
    try {
      setCreated(await post<Created>('/ui/api/devices', { id }));
      setError(null);
      form.reset();
      onAdded();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <section aria-labelledby="add-device">
      <h2 id="add-device">Add a device</h2>
      <form class="inline" onSubmit={submit}>
        <label>
          Device id
          <input name="id" required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}" title="1-64 characters of A-Z a-z 0-9 _ . -" />
        </label>
        <button type="submit">Add device</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {created && (
        <div class="credentials" role="region" aria-label={`Credentials of ${created.id}`}>
          <p>
            <strong>Shown once.</strong> Copy the secret or scan the code now; only a slow hash of it is stored.
          </p>
          <dl>
            <dt>Device id</dt>
            <dd data-testid="created-id">{created.id}</dd>
            <dt>Secret</dt>
            <dd>
              <code data-testid="created-secret">{created.secret}</code>
            </dd>
            <dt>Broker</dt>
            <dd data-testid="created-broker">
              {created.deviceConfig.broker.host}:{created.deviceConfig.broker.port}
            </dd>
          </dl>
          <figure>
            <div class="qr" role="img" aria-label="QR code of the device configuration" dangerouslySetInnerHTML={{ __html: created.qrSvg }} />
            <figcaption>Device configuration (broker, id, secret, topics) as JSON</figcaption>
          </figure>
          <button type="button" onClick={() => setCreated(null)}>
            Done, hide the secret
          </button>
        </div>
      )}
    </section>
  );
}

export function DevicesPage({ user }: { user: SessionUser }) {
  const [q, setQ] = useState('');
  const { data, error, reload } = usePoll<{ devices: DeviceRow[] }>(`/ui/api/devices?q=${encodeURIComponent(q)}`, 5000);
  const canEdit = user.role !== 'viewer';
  return (
    <>
      <h1 tabIndex={-1}>Devices</h1>
      {canEdit ? <AddDevice onAdded={reload} /> : <p class="hint">Viewers can look; a technician or admin adds and revokes devices.</p>}
      <section aria-labelledby="device-list">
        <h2 id="device-list">All devices</h2>
        <label class="search">
          Search
          <input type="search" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} placeholder="device id" />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                <th scope="col">Battery</th>
                <th scope="col">Battery forecast</th>
                <th scope="col">Firmware</th>
              </tr>
            </thead>
            <tbody>
              {data?.devices.map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={`#/devices/${encodeURIComponent(d.id)}`}>{d.id}</a>
                  </td>
                  <td>{d.revokedAt ? <span class="badge bad">revoked</span> : d.connected ? <span class="badge ok">online</span> : <span class="badge">offline</span>}</td>
                  <td>{d.connected ? 'now' : ago(d.lastSeenAt)}</td>
                  <td>{d.batteryPercent === null ? '—' : `${Math.round(d.batteryPercent)} %`}</td>
                  <td data-testid="battery-forecast">{d.batteryForecast ? batteryForecastText(d.batteryForecast) : '—'}</td>
                  <td>{d.firmware ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data && data.devices.length === 0 && <p>No devices{q ? ' match' : ' yet'}.</p>}
        </div>
      </section>
    </>
  );
}
