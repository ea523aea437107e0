import type { BuiltModel, TrainingPlan } from './build-profile-model.js';
import { evaluateDetector, SCORED_TYPES } from './evaluate-windows.js';
import type { WindowClass } from './labelled-windows.js';

const f3 = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(3));

/**
 * Results over several profiles at once. Each model's scores are divided by its own threshold first (the
 * alert rule is score ≥ threshold, so 1 is every model's threshold), then pooled.
 */
export function pooledEvaluation(models: readonly BuiltModel[]) {
  const cls: WindowClass[] = [];
  const since: number[] = [];
  const type: BuiltModel['pooled']['windows']['type'][number][] = [];
  const ae: number[] = [];
  const bl: number[] = [];
  for (const m of models) {
    cls.push(...m.pooled.windows.cls);
    type.push(...m.pooled.windows.type);
    since.push(...m.pooled.windows.msSinceAnomaly);
    ae.push(...m.pooled.autoencoder);
    bl.push(...m.pooled.baseline);
  }
  const recoveryMs = models[0]?.autoencoder.falsePositiveRateAfterAnomaly.withinMs ?? 0;
  return { autoencoder: evaluateDetector({ cls, type, msSinceAnomaly: since, scores: ae }, 1, recoveryMs), baseline: evaluateDetector({ cls, type, msSinceAnomaly: since, scores: bl }, 1, recoveryMs) };
}

/** Markdown: per profile, then per anomaly type pooled over profiles, autoencoder beside baseline. */
export function summaryMarkdown(models: readonly BuiltModel[], plan: TrainingPlan, buildSeconds: number): string {
  const lines = [
    '# Anomaly models: evaluation summary',
    '',
    `Written by \`npm run models:build\` (${buildSeconds.toFixed(0)} s). Held-out generated data; threshold: false-positive rate ${plan.targetFpr} on normal validation windows; a model ships when its AUC ≥ ${plan.minAuc}.`,
    '',
    '## Per sensor profile',
    '',
    '| profile | shipped | positives | AUC AE | AUC baseline | precision AE | recall AE | precision baseline | recall baseline | FPR AE |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...models.map((m) => {
      const a = m.autoencoder.overall;
      const b = m.baseline.overall;
      return `| ${m.config.profile} | ${a.auc >= plan.minAuc ? 'yes' : 'no'} | ${a.positives} | ${f3(a.auc)} | ${f3(b.auc)} | ${f3(a.precision)} | ${f3(a.recall)} | ${f3(b.precision)} | ${f3(b.recall)} | ${(a.falsePositiveRate * 100).toFixed(2)} % |`;
    }),
  ];
  const groups: [string, BuiltModel[]][] = [['all profiles', [...models]]];
  const shipped = models.filter((m) => m.autoencoder.overall.auc >= plan.minAuc);
  if (shipped.length > 0 && shipped.length < models.length) groups.push([`shipped profiles (${shipped.map((m) => m.config.profile).join(', ')})`, shipped]);
  for (const [label, group] of groups) {
    const p = pooledEvaluation(group);
    lines.push('', `## Per anomaly type, ${label}`, '', '| type | positives | AUC AE | AUC baseline | precision AE | recall AE | precision baseline | recall baseline |', '|---|---|---|---|---|---|---|---|');
    const r = (name: string, a: typeof p.autoencoder.overall, b: typeof p.baseline.overall) => `| ${name} | ${a.positives} | ${f3(a.auc)} | ${f3(b.auc)} | ${f3(a.precision)} | ${f3(a.recall)} | ${f3(b.precision)} | ${f3(b.recall)} |`;
    lines.push(r('**all**', p.autoencoder.overall, p.baseline.overall), ...SCORED_TYPES.map((t) => r(t, p.autoencoder.perType[t], p.baseline.perType[t])));
  }
  lines.push('', 'Per-profile, per-type tables are in each model card. Dropout is not scored: a reading without the metric yields no window.');
  return `${lines.join('\n')}\n`;
}
