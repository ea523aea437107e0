/**
 * The statistical baseline the autoencoder has to beat: a robust z-score (median / MAD) of the newest reading
 * against its window, on the level and on first differences, the largest over metrics. It reads the same
 * raw readings as the autoencoder's window and needs no training.
 */

/** 1.4826 × MAD estimates σ for normal data. */
const MAD_TO_SIGMA = 1.4826;

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function robustZOfLast(values: Float64Array, floor: number): number {
  const med = median(values);
  const mad = median(values.map((v) => Math.abs(v - med)));
  return Math.abs(values[values.length - 1]! - med) / Math.max(MAD_TO_SIGMA * mad, floor);
}

/**
 * Score of one window: `raw[m]` is metric m's readings, oldest first; `floors[m]` bounds its σ from below
 * (in metric units) so a flat window does not divide by zero.
 */
export function robustZScore(raw: readonly Float64Array[], floors: readonly number[]): number {
  let score = 0;
  raw.forEach((values, m) => {
    const floor = floors[m] ?? 1e-9;
    const diffs = values.subarray(1).map((v, i) => v - values[i]!);
    score = Math.max(score, robustZOfLast(values, floor), diffs.length > 1 ? robustZOfLast(diffs, floor) : 0);
  });
  return score;
}
