/**
 * NAB's weighting curve of a detection by its relative position y: 2/(1+e^(5y)) − 1. y = −1 is the left
 * edge of a window (+0.98661), y = 0 its right edge (0), y > 0 a false positive y window-lengths past the
 * right edge (towards −1). NAB clamps y ≥ 3 to exactly −1.
 */
export function scaledSigmoid(y: number): number {
  if (y >= 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** scaledSigmoid(−1): NAB divides true-positive weights by it, so a detection on a window's first point is worth exactly tpWeight. */
export const MAX_TP_SIGMOID = scaledSigmoid(-1);
