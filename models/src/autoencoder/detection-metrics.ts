/**
 * Detection metrics for scored windows. ROC AUC is exact and rank-based (Mann–Whitney U with average ranks
 * for ties), so it needs no threshold and a detector that ties everything gets 0.5, not something better.
 */

/** P(score of a random positive > score of a random negative) + ½·P(tie); NaN when either class is empty. */
export function rocAuc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const np = positives.length;
  const nn = negatives.length;
  if (np === 0 || nn === 0) return Number.NaN;
  const all: { s: number; pos: boolean }[] = [];
  for (let i = 0; i < np; i++) all.push({ s: positives[i]!, pos: true });
  for (let i = 0; i < nn; i++) all.push({ s: negatives[i]!, pos: false });
  all.sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.s === all[i]!.s) j++;
    // Ranks are 1-based; a run of ties shares the average of its ranks.
    const avgRank = (i + 1 + (j + 1)) / 2;
    for (let k = i; k <= j; k++) if (all[k]!.pos) rankSumPos += avgRank;
    i = j + 1;
  }
  return (rankSumPos - (np * (np + 1)) / 2) / (np * nn);
}

/**
 * The smallest threshold whose false-positive rate on these normal scores is at most `fpr` (alerts fire at
 * score ≥ threshold): the k-th largest normal score, nudged above it so that k − 1 normals alert.
 */
export function thresholdForFpr(normalScores: ArrayLike<number>, fpr: number): number {
  const sorted = Float64Array.from(normalScores).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const allowed = Math.floor(fpr * n);
  if (allowed >= n) return sorted[0]!;
  const cut = sorted[n - 1 - allowed]!;
  // Just above the cut: that score and the ones tied with it stay below the threshold.
  return cut + Math.max(Math.abs(cut) * 1e-6, Number.MIN_VALUE);
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  fpr: number;
}

/** Counts at `score ≥ threshold`. Precision is NaN when nothing alerts, recall NaN without positives. */
export function confusionAt(positives: ArrayLike<number>, negatives: ArrayLike<number>, threshold: number): Confusion {
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < positives.length; i++) if (positives[i]! >= threshold) tp++;
  for (let i = 0; i < negatives.length; i++) if (negatives[i]! >= threshold) fp++;
  const fn = positives.length - tp;
  const tn = negatives.length - fp;
  return { tp, fp, fn, tn, precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp), recall: positives.length === 0 ? Number.NaN : tp / positives.length, fpr: negatives.length === 0 ? Number.NaN : fp / negatives.length };
}
