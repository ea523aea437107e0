import { bytes, duration } from '../format.js';
import { usePoll } from '../hooks.js';

interface Overview {
  devices: { total: number; online: number; revoked: number };
  messagesPerSec: number;
  openAlerts: number | null;
  sync: { available: false } | { available: true; enabled: boolean; state: string; hubUrl: string | null; backlogRecords: number; backlogAgeMs: number; drainRatePerSec: number; lastError: { message: string } | null };
  power:
    | { available: false }
    | {
        available: true;
        mode: string;
        simulated: boolean;
        source: string | null;
        batteryPercent: number | null;
        charging: boolean | null;
        reason: string | null;
        syncIntervalMs: number;
        deferredClasses: string[];
      };
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

const CLASS_NAMES: Record<string, string> = { summary: 'summaries', rawReading: 'raw readings', event: 'events', deviceState: 'device state' };

/** What the mode is based on and what it holds back; "simulated" leads, so it cannot be missed. */
function powerDetail(p: Extract<Overview['power'], { available: true }>): string {
  const parts: string[] = [];
  if (p.simulated) parts.push('simulated readings');
  if (p.batteryPercent !== null) parts.push(`battery ${Math.round(p.batteryPercent)} %${p.charging ? ', charging' : p.source === 'battery' ? ', discharging' : ''}`);
  else if (p.source === 'ac') parts.push('on mains');
  if (p.syncIntervalMs > 0) parts.push(`alerts sent at once, other data every ${duration(p.syncIntervalMs)}`);
  if (p.deferredClasses.length > 0) parts.push(`${p.deferredClasses.map((c) => CLASS_NAMES[c] ?? c).join(' and ')} wait`);
  return parts.join(' · ');
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
          <Tile
            testId="power-mode"
            label="Power mode"
            value={!data.power.available ? 'not available yet' : data.power.simulated ? `${data.power.mode} (simulated)` : data.power.mode}
            detail={data.power.available ? powerDetail(data.power) : 'edge-runtime has not reported one'}
          />
          <Tile label="Model version" value={data.model.available ? data.model.version : 'not available yet'} detail={data.model.available ? data.model.state : 'edge-runtime has not reported one'} />
          <Tile label="Store" value={bytes(data.store.usedBytes)} detail={`of ${bytes(data.store.maxBytes)} budget${data.store.full ? ' — FULL: raw readings refused' : ''}`} />
          <Tile label="Up for" value={duration(data.uptimeMs)} />
        </div>
      )}
    </>
  );
}
