import type { MetricSpec } from './profiles.js';
import type { Prng } from './prng.js';

export const ANOMALY_TYPES = ['spike', 'drift', 'stuck-at', 'noise-burst', 'dropout'] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

/**
 * One injected anomaly, written when it ends. Timestamps are the `ts` of the first and last affected
 * reading as the device stamped them (so they match stored readings, clock skew included).
 * `magnitude` by type: spike = offset added (signed, metric units); drift = offset reached at the end
 * (signed); stuck-at = the value held; noise-burst = standard deviation of the added noise; dropout = 0
 * (the metric is absent from the readings between startTs and endTs).
 */
export interface AnomalyLabel {
  deviceId: string;
  metric: string;
  type: AnomalyType;
  startTs: number;
  endTs: number;
  magnitude: number;
  /** Readings affected (for dropout: readings that lack the metric). */
  samples: number;
}

/** Samples an anomaly of each type lasts, inclusive range. */
export const ANOMALY_SAMPLES: Record<AnomalyType, readonly [number, number]> = {
  spike: [1, 2],
  drift: [30, 90],
  'stuck-at': [15, 45],
  'noise-burst': [10, 30],
  dropout: [5, 15],
};

export interface ActiveAnomaly {
  type: AnomalyType;
  metric: MetricSpec;
  samples: number;
  done: number;
  magnitude: number;
  startTs: number;
}

/** Choose a type, a metric and a magnitude that fits the metric's physical range from the current clean value. */
export function startAnomaly(rng: Prng, types: readonly AnomalyType[], metrics: readonly MetricSpec[], clean: Record<string, number>, lastEmitted: Record<string, number>, ts: number): ActiveAnomaly {
  const type = rng.pick(types);
  const metric = rng.pick(metrics);
  const [minSamples, maxSamples] = ANOMALY_SAMPLES[type];
  const samples = rng.int(minSamples, maxSamples);
  const value = clean[metric.name] ?? metric.min;
  // Offsets go the way the range has room for, so clamping cannot hide them.
  const sign = value + metric.scale * 16 > metric.max ? -1 : value - metric.scale * 16 < metric.min ? 1 : rng.next() < 0.5 ? -1 : 1;
  let magnitude = 0;
  if (type === 'spike') magnitude = sign * rng.uniform(8, 15) * metric.scale;
  else if (type === 'drift') magnitude = sign * rng.uniform(6, 12) * metric.scale;
  else if (type === 'stuck-at') magnitude = lastEmitted[metric.name] ?? value;
  else if (type === 'noise-burst') magnitude = rng.uniform(3, 6) * metric.scale;
  return { type, metric, samples, done: 0, magnitude, startTs: ts };
}

/** The emitted value of the anomalous metric at this sample, or `undefined` to leave it out (dropout). */
export function applyAnomaly(a: ActiveAnomaly, clean: number, rng: Prng): number | undefined {
  const k = a.done;
  switch (a.type) {
    case 'spike':
      return clean + a.magnitude;
    case 'drift':
      return clean + (a.magnitude * (k + 1)) / a.samples;
    case 'stuck-at':
      return a.magnitude;
    case 'noise-burst': {
      // Near a range limit the noise is folded to the side with room, so clamping cannot hide it.
      const n = a.magnitude * rng.normal();
      if (clean - 3 * a.magnitude < a.metric.min) return clean + Math.abs(n);
      if (clean + 3 * a.magnitude > a.metric.max) return clean - Math.abs(n);
      return clean + n;
    }
    case 'dropout':
      return undefined;
  }
}
