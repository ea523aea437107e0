import { bytes, duration } from '../format.js';
import { usePoll } from '../hooks.js';

interface Diagnostics {
  system: {
    cpu: { loadPercent: number; cores: number };
    memory: { totalBytes: number; usedBytes: number; availableBytes: number };
    disks: { mount: string; sizeBytes: number; usedBytes: number; usePercent: number }[];
    temperature: { available: false } | { available: true; mainC: number | null; maxC: number | null; coresC: number[] };
  };
  process: { pid: number; node: string; rssBytes: number; uptimeMs: number };
  broker: { connections: Record<string, number>; connectedDevices: number; liveUiSockets: number };
  store: { usedBytes: number; maxBytes: number; full: boolean; queuedRows: number; pausedProducers: number; storedReadings: number; accepted: Record<string, number>; deadLetters: number };
  refusals: Record<string, number>;
  logLines: string[];
}

function Facts({ rows }: { rows: [string, string][] }) {
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </>
      ))}
    </dl>
  );
}

export function DiagnosticsPage() {
  const { data, error } = usePoll<Diagnostics>('/ui/api/diagnostics', 5000);
  const t = data?.system.temperature;
  return (
    <>
      <h1 tabIndex={-1}>Diagnostics</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {data && (
        <div class="columns">
          <section aria-labelledby="sys">
            <h2 id="sys">System</h2>
            <Facts
              rows={[
                ['CPU', `${data.system.cpu.loadPercent} % of ${data.system.cpu.cores} cores`],
                ['Memory', `${bytes(data.system.memory.usedBytes)} used of ${bytes(data.system.memory.totalBytes)}`],
                ...data.system.disks.map((d): [string, string] => [`Disk ${d.mount}`, `${bytes(d.usedBytes)} of ${bytes(d.sizeBytes)} (${Math.round(d.usePercent)} %)`]),
                ['Temperature', t && t.available ? `${t.mainC ?? '—'} °C (max ${t.maxC ?? '—'} °C)` : 'not available (no sensor on this box)'],
                ['Gateway process', `pid ${data.process.pid}, Node ${data.process.node}, ${bytes(data.process.rssBytes)} RSS, up ${duration(data.process.uptimeMs)}`],
              ]}
            />
          </section>
          <section aria-labelledby="broker">
            <h2 id="broker">Broker</h2>
            <Facts
              rows={[
                ['Devices connected', String(data.broker.connectedDevices)],
                ...Object.entries(data.broker.connections).map(([k, v]): [string, string] => [`Connections (${k})`, String(v)]),
                ['Live UI sockets', String(data.broker.liveUiSockets)],
              ]}
            />
          </section>
          <section aria-labelledby="store">
            <h2 id="store">Store</h2>
            <Facts
              rows={[
                ['Disk budget', `${bytes(data.store.usedBytes)} of ${bytes(data.store.maxBytes)}${data.store.full ? ' — FULL' : ''}`],
                ['Stored readings', String(data.store.storedReadings)],
                ['Write queue', `${data.store.queuedRows} rows, ${data.store.pausedProducers} producers paused`],
                ...Object.entries(data.store.accepted).map(([k, v]): [string, string] => [`Accepted ${k}`, String(v)]),
                ['Dead letters', String(data.store.deadLetters)],
              ]}
            />
          </section>
          <section aria-labelledby="refusals">
            <h2 id="refusals">Refusals by reason</h2>
            {Object.keys(data.refusals).length === 0 ? <p>None since start.</p> : <Facts rows={Object.entries(data.refusals).map(([k, v]) => [k, String(v)])} />}
          </section>
        </div>
      )}
      {data && (
        <section aria-labelledby="logs">
          <h2 id="logs">Recent log lines</h2>
          <pre class="logs" tabIndex={0} aria-label="Recent log lines">
            {data.logLines.length ? data.logLines.join('\n') : 'No log lines captured.'}
          </pre>
        </section>
      )}
    </>
  );
}
