import { probationLength } from './profiles.js';
import { MAX_TP_SIGMOID, scaledSigmoid } from './scaled-sigmoid.js';

/** One labelled anomaly window as row indices of its series, both ends included. */
export interface NabWindow {
  start: number;
  end: number;
}

/**
 * One series prepared for scoring, independent of the profile and the threshold: the scored points
 * (probation removed) with their anomaly score, the window each lies in, and NAB's unweighted credit.
 */
export interface FileSweep {
  name: string;
  pointCount: number;
  probation: number;
  /** Windows that hold at least one scored point: only those can be detected or missed. */
  windowCount: number;
  /** Anomaly score of each scored point (row `probation + k`). */
  scores: Float64Array;
  /** Index (0 … windowCount − 1) of the window holding the point, −1 outside every window. */
  windowOf: Int32Array;
  /**
   * Inside a window: scaledSigmoid(−(end − i + 1)/width) / scaledSigmoid(−1), to be multiplied by tpWeight
   * (1 on the window's first row, a small positive number on its last). Outside: scaledSigmoid of the
   * distance past the closest preceding window, |end − i|/(width − 1), or −1 with no window before; to be
   * multiplied by fpWeight.
   */
  credit: Float64Array;
}

/**
 * Prepares one series the way NAB's sweeper walks it: window width counts rows (end − start + 1); a
 * point inside a window is weighted by its position measured from one past the window's end; a point after
 * a window by its distance from the window's last row over (width − 1); the first rows (the probation)
 * are dropped, and so is any window with no row after the probation.
 */
export function sweepFile(name: string, anomalyScores: ArrayLike<number>, windows: readonly NabWindow[]): FileSweep {
  const pointCount = anomalyScores.length;
  const probation = probationLength(pointCount);
  const firstScored = Math.ceil(probation);
  const scoredCount = Math.max(0, pointCount - firstScored);
  const scores = new Float64Array(scoredCount);
  const windowOf = new Int32Array(scoredCount);
  const credit = new Float64Array(scoredCount);
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  for (const [k, w] of sorted.entries()) {
    if (!(w.start <= w.end) || w.start < 0 || w.end >= pointCount) throw new Error(`${name}: window ${k} [${w.start}, ${w.end}] is not inside the series of ${pointCount} rows`);
    const next = sorted[k + 1];
    if (next && next.start <= w.end) throw new Error(`${name}: windows ${k} and ${k + 1} overlap`);
  }
  let next = 0;
  let current: NabWindow | undefined;
  let previous: NabWindow | undefined;
  let currentId = -1;
  let windowCount = 0;
  for (let i = 0; i < pointCount; i++) {
    const candidate = sorted[next];
    if (!current && candidate && candidate.start === i) {
      current = candidate;
      next++;
      currentId = -1;
    }
    if (i >= firstScored) {
      const k = i - firstScored;
      scores[k] = anomalyScores[i] as number;
      if (current) {
        if (currentId < 0) currentId = windowCount++;
        const width = current.end - current.start + 1;
        windowOf[k] = currentId;
        credit[k] = scaledSigmoid(-(current.end - i + 1) / width) / MAX_TP_SIGMOID;
      } else {
        windowOf[k] = -1;
        credit[k] = previous ? scaledSigmoid(Math.abs(previous.end - i) / (previous.end - previous.start)) : -1;
      }
    }
    if (current && i === current.end) {
      previous = current;
      current = undefined;
    }
  }
  return { name, pointCount, probation, windowCount, scores, windowOf, credit };
}
