import { bytes, duration } from '../format.js';
import { usePoll } from '../hooks.js';

interface Overview {
  devices: { total: number; online: number; revoked: number };
  messagesPerSec: number;
  openAlerts: number | null;
  sync: { available: false } | { available: true; enabled: boolean; state: string; hubUrl: string | null; backlogRecords: number; backlogAgeMs: number; drainRatePerSec: number; lastError: { message: string } | null };
  power: { available: false } | { available: true; mode: string; simulated: boolean };
  model: { available: false } | { available: true; version: string; state: string };
  store: { usedBytes: number; maxBytes: number; full: boolean };
  uptimeMs: number;
}

function Tile({ label, value, detail, testId }: { label: string; value: string; detail?: string; testId?: string }) {
  return (
    <section class="tile" aria-label={label} data-testid={testId}>
      <h2>{label}</h2>
      <p class={value.length > 10 ? 'value text' : 'value'}>{value}</p>
      {detail && <p class="detail">{detail}</p>}
    </section>
  );
}

export function OverviewPage() {
  const { data, error } = usePoll<Overview>('/ui/api/overview', 3000);
  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {data && (
        <div class="tiles">
          <Tile testId="devices-online" label="Devices online" value={`${data.devices.online} / ${data.devices.total - data.devices.revoked}`} detail={data.devices.revoked ? `${data.devices.revoked} revoked` : undefined} />
          <Tile label="Messages per second" value={data.messagesPerSec.toFixed(1)} detail="committed, last 10 s" />
          <Tile label="Open alerts" value={data.openAlerts === null ? 'not available yet' : String(data.openAlerts)} />
          <Tile
            label="Sync"
            value={!data.sync.available ? 'not available' : !data.sync.enabled ? 'off (no hub set)' : data.sync.state}
            detail={data.sync.available ? `backlog ${data.sync.backlogRecords} records, oldest ${duration(data.sync.backlogAgeMs)}${data.sync.lastError ? ` · last error: ${data.sync.lastError.message}` : ''}` : undefined}
          />
          <Tile label="Power mode" value={data.power.available ? data.power.mode : 'not available yet'} detail={data.power.available && data.power.simulated ? 'simulated' : data.power.available ? undefined : 'edge-runtime has not reported one'} />
          <Tile label="Model version" value={data.model.available ? data.model.version : 'not available yet'} detail={data.model.available ? data.model.state : 'edge-runtime has not reported one'} />
          <Tile label="Store" value={bytes(data.store.usedBytes)} detail={`of ${bytes(data.store.maxBytes)} budget${data.store.full ? ' — FULL: raw readings refused' : ''}`} />
          <Tile label="Up for" value={duration(data.uptimeMs)} />
        </div>
      )}
    </>
  );
}
