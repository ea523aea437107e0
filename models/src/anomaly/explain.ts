import type { ModelManifest } from './model-manifest.js';
import { featureMetric } from './preprocessing.js';

export interface FeatureContribution {
  feature: string;
  /** Share of the window's total feature error, 0..1. */
  contribution: number;
}

/**
 * The `topK` inputs that carry most of the score: each input's share of the summed feature error, largest
 * first (ties by input order, so the answer is stable); inputs with no error are left out, so the list is
 * empty when there is no error to share. Negative or
 * non-finite entries count as zero: the graph never produces them, and one bad value must not hide the rest.
 */
export function explain(featureError: ArrayLike<number>, featureNames: readonly string[], topK = 3): FeatureContribution[] {
  const n = Math.min(featureError.length, featureNames.length);
  let total = 0;
  const errs: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = featureError[i]!;
    const v = Number.isFinite(e) && e > 0 ? e : 0;
    errs.push(v);
    total += v;
  }
  if (!(total > 0) || topK <= 0) return [];
  const order = errs.flatMap((e, i) => (e > 0 ? [i] : [])).sort((a, b) => errs[b]! - errs[a]! || a - b);
  return order.slice(0, topK).map((i) => ({ feature: featureNames[i]!, contribution: errs[i]! / total }));
}

/** The share of the score per metric, largest first: what an alert on a multi-metric device should point at. */
export function explainByMetric(featureError: ArrayLike<number>, featureNames: readonly string[]): { metric: string; contribution: number }[] {
  const all = explain(featureError, featureNames, featureNames.length);
  const byMetric = new Map<string, number>();
  for (const c of all) byMetric.set(featureMetric(c.feature), (byMetric.get(featureMetric(c.feature)) ?? 0) + c.contribution);
  return [...byMetric].map(([metric, contribution]) => ({ metric, contribution })).sort((a, b) => b.contribution - a.contribution || (a.metric < b.metric ? -1 : 1));
}

export type Severity = 'info' | 'warning' | 'critical';

/**
 * What a raw score means under the manifest's thresholds: null below `threshold` (no alert); up to
 * `confidentAbove` an `info` alert flagged for review (low confidence); then `warning`; `critical` from
 * `critical` up. A NaN score (a broken model or input) is not an alert.
 */
export function severityOf(rawScore: number, thresholds: ModelManifest['thresholds']): { severity: Severity; review: boolean } | null {
  if (Number.isNaN(rawScore) || rawScore < thresholds.threshold) return null;
  if (rawScore < thresholds.confidentAbove) return { severity: 'info', review: true };
  if (rawScore < thresholds.critical) return { severity: 'warning', review: false };
  return { severity: 'critical', review: false };
}
