import type { FederatedDatasetPlan } from './federated-datasets.js';
import type { FederationConfig, RoundRecord } from './run-federation.js';

export interface CentralRun {
  name: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  auc: number;
  seconds: number;
}

export interface StrategyRun {
  name: string;
  description: string;
  config: FederationConfig;
  initialAuc: number;
  history: RoundRecord[];
  seconds: number;
}

export interface FederationReport {
  plan: FederatedDatasetPlan;
  sizes: { clients: number; windowsPerClient: { min: number; median: number; max: number }; pooledWindows: number; contaminatedWindows: number; heldOutWindows: number; heldOutAnomalous: number; parameters: number };
  central: CentralRun[];
  /** The better central AUC: the federation is measured against the stronger peer. */
  referenceAuc: number;
  targetRatio: number;
  strategies: StrategyRun[];
  totalSeconds: number;
  machine: string;
}

export interface StrategySummary {
  name: string;
  finalAuc: number;
  bestAuc: number;
  roundsToTarget: number | null;
  secondsToTarget: number | null;
  seconds: number;
  medianRoundSeconds: number;
  bytesUp: number;
  bytesDown: number;
  epsilon?: { aggregate: number; perUpdate: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function summarise(run: StrategyRun, target: number): StrategySummary {
  const hit = run.history.find((r) => r.auc >= target);
  const last = run.history.at(-1)!;
  return {
    name: run.name,
    finalAuc: last.auc,
    bestAuc: Math.max(...run.history.map((r) => r.auc)),
    roundsToTarget: hit ? hit.round : null,
    secondsToTarget: hit ? run.history.filter((r) => r.round <= hit.round).reduce((s, r) => s + r.seconds, 0) : null,
    seconds: run.seconds,
    medianRoundSeconds: median(run.history.map((r) => r.seconds)),
    bytesUp: median(run.history.map((r) => r.bytesPerClient.up)),
    bytesDown: median(run.history.map((r) => r.bytesPerClient.down)),
    ...(last.epsilon ? { epsilon: last.epsilon } : {}),
  };
}

const f4 = (v: number) => v.toFixed(4);
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

/** The evaluation as markdown: sizes, the central peers, one row per strategy, and the AUC per round. */
export function federationMarkdown(r: FederationReport): string {
  const target = r.referenceAuc * r.targetRatio;
  const rows = r.strategies.map((s) => ({ s, sum: summarise(s, target) }));
  const p = r.plan;
  const lines = [
    '# Federated learning evaluation (`npm run eval:federated`)',
    '',
    `Profile \`${p.profile}\`, ${r.sizes.clients} clients (gateways), seed \`${p.seed}\`; ${r.machine}; whole run ${r.totalSeconds.toFixed(0)} s.`,
    '',
    '## Data',
    '',
    `- Clients: ${p.devicesPerClient[0]}–${p.devicesPerClient[1]} devices each, ${p.readingsPerDevice} readings per device at ${p.intervalsMs.map((ms) => `${ms / 1000} s`).join(' / ')} (one interval per client), anomaly rate ${p.anomalyRate[0]}–${p.anomalyRate[1]} per reading, ${p.anomalyTypesPerClient} anomaly types per client, ${p.labelCoverage * 100} % of anomalies labelled by technicians (the rest stay in the training data), every ${p.trainStride}th window kept.`,
    `- Training windows per client: min ${r.sizes.windowsPerClient.min}, median ${r.sizes.windowsPerClient.median}, max ${r.sizes.windowsPerClient.max}; pooled ${r.sizes.pooledWindows} (${r.sizes.contaminatedWindows} touch an unlabelled anomaly).`,
    `- Held-out: ${r.sizes.heldOutWindows} windows (${r.sizes.heldOutAnomalous} anomalous) from ${p.heldOutDevicesPerInterval} other devices per interval, all four scored anomaly types, rate ${p.heldOutAnomalyRate}. Model: ${r.sizes.parameters} parameters.`,
    '',
    '## Central training on the pooled client data (the peer)',
    '',
    '| run | epochs | batch | learning rate | held-out AUC | seconds |',
    '|---|---|---|---|---|---|',
    ...r.central.map((c) => `| ${c.name} | ${c.epochs} | ${c.batchSize} | ${c.learningRate} | ${f4(c.auc)} | ${c.seconds.toFixed(1)} |`),
    '',
    `Reference: the better of the two, AUC ${f4(r.referenceAuc)}; target ${r.targetRatio} × that = **${f4(target)}**. Untrained (seeded initial) model: AUC ${f4(r.strategies[0]?.initialAuc ?? Number.NaN)}.`,
    '',
    '## Federated runs',
    '',
    '| strategy | rounds to target | seconds to target | final AUC (round ' + (r.strategies[0]?.history.length ?? 0) + ') | best AUC | final / reference | median s per round | bytes per client per round (up / down) | ε (aggregate / per update, δ = 1e-5) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      ({ sum }) =>
        `| ${sum.name} | ${sum.roundsToTarget ?? `not within ${r.strategies[0]?.history.length}`} | ${sum.secondsToTarget?.toFixed(1) ?? '—'} | ${f4(sum.finalAuc)} | ${f4(sum.bestAuc)} | ${(sum.finalAuc / r.referenceAuc).toFixed(3)} | ${sum.medianRoundSeconds.toFixed(2)} | ${kb(sum.bytesUp)} / ${kb(sum.bytesDown)} | ${sum.epsilon ? `${sum.epsilon.aggregate.toFixed(0)} / ${sum.epsilon.perUpdate.toFixed(0)}` : '—'} |`,
    ),
    '',
    ...rows.map(({ s }) => `- **${s.name}**: ${s.description}`),
    '',
    '## Held-out AUC per round',
    '',
    `| round | ${rows.map(({ s }) => s.name).join(' | ')} |`,
    `|---|${rows.map(() => '---').join('|')}|`,
    ...(r.strategies[0]?.history ?? []).map((_, i) => `| ${i + 1} | ${rows.map(({ s }) => (s.history[i] ? f4(s.history[i]!.auc) : '—')).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}
