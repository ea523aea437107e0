import type { AnomalyType } from '../signals/index.js';
import { confusionAt, rocAuc } from './detection-metrics.js';
import type { WindowClass } from './labelled-windows.js';

/** Anomaly types a window model is scored on: dropout yields no window (the reading is missing), see labelled-windows.ts. */
export const SCORED_TYPES = ['spike', 'drift', 'stuck-at', 'noise-burst'] as const satisfies readonly AnomalyType[];

export interface DetectionStats {
  positives: number;
  negatives: number;
  /** Exact rank ROC AUC (ties count ½). */
  auc: number;
  /** At the threshold. Per type: this type's true positives against all false positives, i.e. the precision if this were the only kind of anomaly at its observed rate. */
  precision: number;
  recall: number;
  falsePositiveRate: number;
}

export interface DetectorEvaluation {
  threshold: number;
  overall: DetectionStats;
  /** AUC with `tail` windows (anomaly already over, still inside the window) counted as normal: the strict reading of the rule. */
  aucTailsAsNormal: number;
  perType: Record<(typeof SCORED_TYPES)[number], DetectionStats>;
  /** False-positive rate of normal windows soon after an anomaly (statistics still recovering) and of the rest. */
  falsePositiveRateAfterAnomaly: { withinMs: number; within: number; withinWindows: number; beyond: number };
}

export interface ScoredWindows {
  scores: ArrayLike<number>;
  cls: readonly WindowClass[];
  type: readonly (AnomalyType | null)[];
  msSinceAnomaly: readonly number[];
}

const pick = (w: ScoredWindows, keep: (i: number) => boolean) => {
  const out: number[] = [];
  for (let i = 0; i < w.cls.length; i++) if (keep(i)) out.push(w.scores[i]!);
  return out;
};

function stats(pos: number[], neg: number[], threshold: number, fpAll: number): DetectionStats {
  const c = confusionAt(pos, neg, threshold);
  return { positives: pos.length, negatives: neg.length, auc: rocAuc(pos, neg), precision: c.tp + fpAll === 0 ? Number.NaN : c.tp / (c.tp + fpAll), recall: c.recall, falsePositiveRate: c.fpr };
}

/** AUC, precision and recall overall and per anomaly type, at `threshold` (alert when score ≥ threshold). */
export function evaluateDetector(w: ScoredWindows, threshold: number, recoveryMs: number): DetectorEvaluation {
  const neg = pick(w, (i) => w.cls[i] === 'normal');
  const pos = pick(w, (i) => w.cls[i] === 'anomaly');
  const fp = confusionAt([], neg, threshold).fp;
  const perType = Object.fromEntries(SCORED_TYPES.map((t) => [t, stats(pick(w, (i) => w.type[i] === t), neg, threshold, fp)])) as DetectorEvaluation['perType'];
  return {
    threshold,
    overall: stats(pos, neg, threshold, fp),
    aucTailsAsNormal: rocAuc(pos, pick(w, (i) => w.cls[i] !== 'anomaly')),
    perType,
    falsePositiveRateAfterAnomaly: {
      withinMs: recoveryMs,
      within: confusionAt([], pick(w, (i) => w.cls[i] === 'normal' && w.msSinceAnomaly[i]! <= recoveryMs), threshold).fpr,
      withinWindows: pick(w, (i) => w.cls[i] === 'normal' && w.msSinceAnomaly[i]! <= recoveryMs).length,
      beyond: confusionAt([], pick(w, (i) => w.cls[i] === 'normal' && w.msSinceAnomaly[i]! > recoveryMs), threshold).fpr,
    },
  };
}
