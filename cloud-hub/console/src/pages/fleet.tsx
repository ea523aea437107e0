import { useState } from 'preact/hooks';
import type { Gateway } from '../api.js';
import { ago, backlogAge, powerText } from '../format.js';
import { usePoll } from '../hooks.js';

type SortKey = 'name' | 'lastSeenAt' | 'backlogRecords' | 'softwareVersion' | 'powerMode';
const STATES = ['all', 'connected', 'offline', 'revoked', 'attention'] as const;
type StateFilter = (typeof STATES)[number];

/** Worth a look: offline, clock not trusted, quarantined records, or a saver/critical power mode. */
const needsAttention = (g: Gateway) => g.revokedAt === null && (!g.connected || g.clockTrusted === false || g.quarantined > 0 || g.powerMode === 'saver' || g.powerMode === 'critical');

function matchesState(g: Gateway, state: StateFilter): boolean {
  switch (state) {
    case 'connected':
      return g.connected;
    case 'offline':
      return !g.connected && g.revokedAt === null;
    case 'revoked':
      return g.revokedAt !== null;
    case 'attention':
      return needsAttention(g);
    default:
      return true;
  }
}

function compare(a: Gateway, b: Gateway, key: SortKey): number {
  const x = a[key] ?? '';
  const y = b[key] ?? '';
  return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
}

export function StateBadge({ g }: { g: Gateway }) {
  if (g.revokedAt !== null) return <span class="badge bad">revoked</span>;
  return g.connected ? <span class="badge ok">connected</span> : <span class="badge warn">offline</span>;
}

export function PowerBadge({ g }: { g: Gateway }) {
  const cls = g.powerMode === 'critical' ? 'bad' : g.powerMode === 'saver' ? 'warn' : g.powerMode ? 'ok' : '';
  return <span class={`badge ${cls}`}>{powerText(g)}</span>;
}

export function FleetPage() {
  const { data, error } = usePoll<{ gateways: Gateway[] }>('/api/v1/gateways', 5000);
  const [text, setText] = useState('');
  const [state, setState] = useState<StateFilter>('all');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'name', desc: false });
  const q = text.trim().toLowerCase();
  const rows = (data?.gateways ?? [])
    .filter((g) => matchesState(g, state) && (!q || [g.id, g.name, g.softwareVersion, g.powerMode ?? ''].some((v) => v.toLowerCase().includes(q))))
    .sort((a, b) => (sort.desc ? -1 : 1) * compare(a, b, sort.key));
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : false })}>
        {label}
        {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  return (
    <>
      <h1 tabIndex={-1}>Fleet</h1>
      <form class="inline filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter gateways">
        <label>
          Search
          <input type="search" value={text} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} placeholder="id, name, version, mode" />
        </label>
        <label>
          State
          <select value={state} onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value as StateFilter)}>
            {STATES.map((s) => (
              <option value={s}>{s === 'attention' ? 'needs attention' : s}</option>
            ))}
          </select>
        </label>
        <p class="hint" aria-live="polite">
          {data ? `${rows.length} of ${data.gateways.length} gateways · refreshed every 5 s` : 'Loading…'}
        </p>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {data && data.gateways.length === 0 && <p>No gateway has enrolled yet. Create an enrollment token on the Enrollment page.</p>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Gateways">
            <thead>
              <tr>
                {header('name', 'Gateway')}
                <th>State</th>
                {header('lastSeenAt', 'Last seen')}
                {header('backlogRecords', 'Backlog')}
                <th>Backlog age</th>
                {header('softwareVersion', 'Software')}
                <th>Protocol</th>
                <th>Clock</th>
                {header('powerMode', 'Power mode')}
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <tr key={g.id} data-gateway-id={g.id}>
                  <td>
                    <a href={`#/gateways/${encodeURIComponent(g.id)}`}>{g.name}</a>
                    <div class="hint small">{g.id}</div>
                  </td>
                  <td>
                    <StateBadge g={g} />
                  </td>
                  <td>{ago(g.lastSeenAt)}</td>
                  <td>{g.backlogRecords ?? '—'}</td>
                  <td>{backlogAge(g)}</td>
                  <td>{g.softwareVersion || '—'}</td>
                  <td>{g.protocolVersion ?? '—'}</td>
                  <td>{g.clockTrusted === null ? '—' : g.clockTrusted ? 'trusted' : <span class="badge warn">not trusted</span>}</td>
                  <td data-testid="power-mode">
                    <PowerBadge g={g} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
