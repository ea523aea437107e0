import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { ApiError, post } from '../api.js';
import { duration, time } from '../format.js';
import { usePoll } from '../hooks.js';

/** What GET /api/v1/federations returns per federation (aggregate figures only: never one gateway's update). */
interface RoundSummary {
  selected: number;
  completed: number;
  dropped: number;
  refusals: Record<string, number>;
  lateOrInvalid: number;
  secureAggregation: boolean;
  aggregateNorm: number | null;
  meanLoss: number | null;
  auc: number | null;
  epsilon: number | null;
  bytesPerGateway: number;
}
interface RoundRecord {
  round: number;
  status: 'completed' | 'failed';
  reason: string | null;
  summary: RoundSummary;
  startedAt: number;
  endedAt: number;
}
interface Federation {
  id: string;
  name: string;
  status: 'running' | 'completed' | 'stopped' | 'failed';
  reason: string | null;
  createdAt: number;
  config: { profile: string; rounds: number; aggregator: { kind: string }; serverOptimizer: { kind: string }; secureAggregation?: { enabled: boolean } | null; dp?: { noiseMultiplier: number } | null };
  round: number;
  rounds: RoundRecord[];
  privacy: { epsilon: number; delta: number } | null;
  latestAuc: number | null;
}

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function StatusBadge({ status }: { status: Federation['status'] }) {
  const cls = status === 'running' ? 'ok' : status === 'failed' ? 'bad' : status === 'stopped' ? 'warn' : '';
  return <span class={`badge ${cls}`}>{status}</span>;
}

function method(f: Federation): string {
  const parts = [f.config.aggregator.kind, f.config.serverOptimizer.kind];
  if (f.config.secureAggregation?.enabled) parts.push('secure aggregation');
  if (f.config.dp) parts.push(`DP noise ${f.config.dp.noiseMultiplier}`);
  return parts.join(' · ');
}

export function FederationsPage() {
  const { data, error } = usePoll<{ federations: Federation[] }>('/api/v1/federations', 5000);
  return (
    <>
      <h1 tabIndex={-1}>Federated learning</h1>
      <p class="hint">
        Federations are created through the API (<code>POST /api/v1/federations</code>, see the API docs). Gateways train on their own data;
        the hub keeps only aggregates. Refreshed every 5 s.
      </p>
      {error && <p class="error" role="alert">{error}</p>}
      {data && data.federations.length === 0 && <p>No federation yet.</p>}
      {data && data.federations.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="hint small">Newest first</caption>
            <thead>
              <tr>
                <th scope="col">Federation</th>
                <th scope="col">Status</th>
                <th scope="col">Profile</th>
                <th scope="col">Round</th>
                <th scope="col">Latest AUC</th>
                <th scope="col">Privacy ε</th>
                <th scope="col">Method</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {[...data.federations].sort((a, b) => b.createdAt - a.createdAt).map((f) => (
                <tr key={f.id} data-testid="federation">
                  <td>
                    <a href={`#/federations/${encodeURIComponent(f.id)}`}>{f.name}</a>
                    <div class="hint small">{f.id}</div>
                  </td>
                  <td>
                    <StatusBadge status={f.status} />
                  </td>
                  <td>{f.config.profile}</td>
                  <td>
                    {f.round} / {f.config.rounds}
                  </td>
                  <td>{num(f.latestAuc)}</td>
                  <td>{f.privacy ? f.privacy.epsilon.toPrecision(3) : '—'}</td>
                  <td>{method(f)}</td>
                  <td>{time(f.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** AUC on the hub's held-out data after each completed round. */
function AucChart({ rounds }: { rounds: RoundRecord[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const width = () => Math.max(260, el.clientWidth - 16);
    plot.current = new uPlot(
      { width: width(), height: 200, series: [{ label: 'round' }, { label: 'AUC', stroke: '#0b6bcb', width: 2, points: { show: true, size: 5 } }], axes: [{ label: 'round' }, {}], scales: { x: { time: false } } },
      [[], []],
      el,
    );
    const onResize = () => plot.current?.setSize({ width: width(), height: 200 });
    addEventListener('resize', onResize);
    return () => {
      removeEventListener('resize', onResize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    const done = rounds.filter((r) => r.summary.auc !== null);
    plot.current?.setData([done.map((r) => r.round), done.map((r) => r.summary.auc)]);
  }, [rounds]);
  return <div class="chart" ref={box} role="img" aria-label="AUC per round" />;
}

export function FederationDetailPage({ id }: { id: string }) {
  const { data: f, error, reload } = usePoll<Federation>(`/api/v1/federations/${encodeURIComponent(id)}`, 5000);
  const [confirming, setConfirming] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const stop = () =>
    post(`/api/v1/federations/${encodeURIComponent(id)}/stop`).then(
      () => {
        setConfirming(false);
        reload();
      },
      (err: unknown) => setActionError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err)),
    );
  return (
    <>
      <p>
        <a href="#/federations">← Federated learning</a>
      </p>
      <h1 tabIndex={-1}>{f?.name ?? id}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {f && (
        <>
          <dl class="columns facts">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={f.status} /> {f.reason ?? ''}
              </dd>
            </div>
            <div>
              <dt>Rounds</dt>
              <dd>
                {f.round} of {f.config.rounds}
              </dd>
            </div>
            <div>
              <dt>Profile</dt>
              <dd>{f.config.profile}</dd>
            </div>
            <div>
              <dt>Method</dt>
              <dd>{method(f)}</dd>
            </div>
            <div>
              <dt>Latest AUC (held out)</dt>
              <dd>{num(f.latestAuc)}</dd>
            </div>
            <div>
              <dt>Privacy spent</dt>
              <dd>{f.privacy ? `ε ${f.privacy.epsilon.toPrecision(3)} at δ ${f.privacy.delta}` : 'no differential privacy'}</dd>
            </div>
          </dl>
          {f.status === 'running' && (
            <div class="actions">
              {!confirming && (
                <button type="button" onClick={() => setConfirming(true)}>
                  Stop federation…
                </button>
              )}
              {confirming && (
                <div class="confirm" role="group" aria-label="Confirm stop">
                  <p>The current round is abandoned; finished rounds and the checkpoint stay.</p>
                  <button type="button" onClick={stop}>
                    Stop now
                  </button>{' '}
                  <button type="button" onClick={() => setConfirming(false)}>
                    Cancel
                  </button>
                </div>
              )}
              {actionError && (
                <p class="error" role="alert">
                  {actionError}
                </p>
              )}
            </div>
          )}
          <h2>AUC per round</h2>
          <AucChart rounds={f.rounds} />
          <h2>Round history</h2>
          {f.rounds.length === 0 ? (
            <p>No round has finished yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Round</th>
                    <th scope="col">Result</th>
                    <th scope="col">Selected</th>
                    <th scope="col">Completed</th>
                    <th scope="col">Dropped</th>
                    <th scope="col">Refused</th>
                    <th scope="col">AUC</th>
                    <th scope="col">Mean loss</th>
                    <th scope="col">Update norm</th>
                    <th scope="col">ε</th>
                    <th scope="col">Per gateway</th>
                    <th scope="col">Took</th>
                  </tr>
                </thead>
                <tbody>
                  {[...f.rounds].reverse().map((r) => (
                    <tr key={r.round} data-testid="round">
                      <td>{r.round}</td>
                      <td>
                        {r.status === 'completed' ? <span class="badge ok">completed</span> : <span class="badge bad">failed</span>}
                        {r.reason && <div class="hint small">{r.reason}</div>}
                      </td>
                      <td>{r.summary.selected}</td>
                      <td>{r.summary.completed}</td>
                      <td>{r.summary.dropped}</td>
                      <td>{Object.values(r.summary.refusals).reduce((a, b) => a + b, 0)}</td>
                      <td>{num(r.summary.auc)}</td>
                      <td>{num(r.summary.meanLoss, 4)}</td>
                      <td>{num(r.summary.aggregateNorm)}</td>
                      <td>{r.summary.epsilon === null ? '—' : r.summary.epsilon.toPrecision(3)}</td>
                      <td>{kib(r.summary.bytesPerGateway)}</td>
                      <td>{duration(r.endedAt - r.startedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}
