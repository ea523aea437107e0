import type { NabProfile } from './profiles.js';
import type { FileSweep } from './sweep.js';

/** The score of a set of series at one threshold, with NAB's point counts. */
export interface ThresholdScore {
  threshold: number;
  score: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** NAB starts its sweep above every score in [0, 1]: no detection at all. */
export const NO_DETECTION_THRESHOLD = 1.1;

/** Points are ordered once per detector and reused for every profile. */
export interface SortedCorpus {
  files: readonly FileSweep[];
  order: Uint32Array;
  scores: Float64Array;
  windowOf: Int32Array;
  credit: Float64Array;
  windowCount: number;
  pointCount: number;
}

/** Concatenates the scored points of several series with corpus-wide window ids, sorted by score, highest first. */
export function sortCorpus(files: readonly FileSweep[]): SortedCorpus {
  const pointCount = files.reduce((n, f) => n + f.scores.length, 0);
  const scores = new Float64Array(pointCount);
  const windowOf = new Int32Array(pointCount);
  const credit = new Float64Array(pointCount);
  let offset = 0;
  let windowBase = 0;
  for (const f of files) {
    scores.set(f.scores, offset);
    credit.set(f.credit, offset);
    for (let k = 0; k < f.windowOf.length; k++) {
      const w = f.windowOf[k] as number;
      windowOf[offset + k] = w < 0 ? -1 : windowBase + w;
    }
    offset += f.scores.length;
    windowBase += f.windowCount;
  }
  const order = new Uint32Array(pointCount);
  for (let i = 0; i < pointCount; i++) order[i] = i;
  // Stable on ties, as NAB's sorted(); ties share a threshold anyway.
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return { files, order, scores, windowOf, credit, windowCount: windowBase, pointCount };
}

/**
 * NAB's threshold sweep: for every distinct anomaly score t, highest first, the score when every point
 * with a score ≥ t is a detection. A detection outside every window adds credit × fpWeight (a negative
 * number); a window is worth −fnWeight until detected, then its earliest detection's credit × tpWeight.
 */
export function sweepThresholds(corpus: SortedCorpus, profile: NabProfile): ThresholdScore[] {
  const { order, scores, windowOf, credit } = corpus;
  const best = new Float64Array(corpus.windowCount).fill(-profile.fnWeight);
  let inWindow = 0;
  for (let i = 0; i < corpus.pointCount; i++) if ((windowOf[i] as number) >= 0) inWindow++;
  let tp = 0;
  let fp = 0;
  let fn = inWindow;
  let tn = corpus.pointCount - inWindow;
  let windowSum = -profile.fnWeight * corpus.windowCount;
  let fpSum = 0;
  const first = corpus.pointCount > 0 ? (scores[order[0] as number] as number) : 0;
  let threshold = first >= NO_DETECTION_THRESHOLD ? Number.POSITIVE_INFINITY : NO_DETECTION_THRESHOLD;
  const out: ThresholdScore[] = [];
  for (let r = 0; r < corpus.pointCount; r++) {
    const i = order[r] as number;
    const s = scores[i] as number;
    if (s !== threshold) {
      out.push({ threshold, score: windowSum + fpSum, tp, fp, fn, tn });
      threshold = s;
    }
    const w = windowOf[i] as number;
    if (w >= 0) {
      tp++;
      fn--;
      const value = (credit[i] as number) * profile.tpWeight;
      const old = best[w] as number;
      if (value > old) {
        best[w] = value;
        windowSum += value - old;
      }
    } else {
      fp++;
      tn--;
      fpSum += (credit[i] as number) * profile.fpWeight;
    }
  }
  out.push({ threshold, score: windowSum + fpSum, tp, fp, fn, tn });
  return out;
}

/** NAB's threshold optimisation over a whole corpus: the best score; on a tie, the highest threshold. */
export function optimiseThreshold(corpus: SortedCorpus, profile: NabProfile): ThresholdScore {
  let best: ThresholdScore | undefined;
  for (const row of sweepThresholds(corpus, profile)) if (!best || row.score > best.score) best = row;
  if (!best) throw new Error('empty sweep');
  return best;
}

/** One series at a fixed threshold: every scored point with a score ≥ threshold is a detection. */
export function scoreFile(file: FileSweep, threshold: number, profile: NabProfile): ThresholdScore & { detectedWindows: number } {
  const best = new Float64Array(file.windowCount).fill(-profile.fnWeight);
  const detected = new Uint8Array(file.windowCount);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let fpSum = 0;
  for (let k = 0; k < file.scores.length; k++) {
    const hit = (file.scores[k] as number) >= threshold;
    const w = file.windowOf[k] as number;
    if (w >= 0) {
      if (!hit) {
        fn++;
        continue;
      }
      tp++;
      detected[w] = 1;
      best[w] = Math.max(best[w] as number, (file.credit[k] as number) * profile.tpWeight);
    } else if (hit) {
      fp++;
      fpSum += (file.credit[k] as number) * profile.fpWeight;
    } else tn++;
  }
  const score = best.reduce((a, b) => a + b, 0) + fpSum;
  return { threshold, score, tp, fp, fn, tn, detectedWindows: detected.reduce((a, b) => a + b, 0) };
}

/** The best possible raw score: every window detected on its first row. */
export function perfectRawScore(windowCount: number, profile: NabProfile): number {
  return windowCount * profile.tpWeight;
}

/** NAB's normalisation: 0 for the null detector, 100 for the perfect one. */
export function normaliseScore(raw: number, nullRaw: number, perfectRaw: number): number {
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}
