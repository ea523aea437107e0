import { ModelError } from '../errors.js';

export type AggregatorKind = 'fedavg' | 'trimmed-mean' | 'median';

export interface AggregatorConfig {
  kind: AggregatorKind;
  /** trimmed-mean: the fraction cut from each end per coordinate (0 ≤ f < 0.5); default 0.1. */
  trimFraction?: number;
}

export const DEFAULT_TRIM_FRACTION = 0.1;

/**
 * Combines client deltas into one. `fedavg` weights by sample count. The robust kinds work per coordinate
 * and unweighted (a weight would let one client claim a large count and dominate): `trimmed-mean` drops
 * the ⌊f·n⌋ smallest and largest values, `median` takes the middle (mean of the two middles for even n).
 */
export function aggregate(updates: readonly { delta: Float32Array; samples: number }[], how: AggregatorConfig): Float32Array {
  if (updates.length === 0) throw new ModelError('MODEL_ERR_FL_CONFIG', 'no updates to aggregate');
  const length = updates[0]!.delta.length;
  updates.forEach((u, i) => {
    if (u.delta.length !== length) throw new ModelError('MODEL_ERR_FL_VECTOR', `update ${i} has ${u.delta.length} values, update 0 has ${length}`);
    if (!(Number.isFinite(u.samples) && u.samples > 0)) throw new ModelError('MODEL_ERR_FL_CONFIG', `update ${i}: samples ${u.samples}, expected > 0`);
  });
  switch (how.kind) {
    case 'fedavg':
      return weightedMean(updates, length);
    case 'trimmed-mean': {
      const f = how.trimFraction ?? DEFAULT_TRIM_FRACTION;
      if (!(f >= 0 && f < 0.5)) throw new ModelError('MODEL_ERR_FL_CONFIG', `trimFraction: expected 0 ≤ f < 0.5, got ${f}`);
      const k = Math.floor(f * updates.length);
      return perCoordinate(updates, length, (sorted) => {
        let s = 0;
        for (let i = k; i < sorted.length - k; i++) s += sorted[i]!;
        return s / (sorted.length - 2 * k);
      });
    }
    case 'median':
      return perCoordinate(updates, length, (sorted) => {
        const m = sorted.length >> 1;
        return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
      });
    default:
      throw new ModelError('MODEL_ERR_FL_CONFIG', `aggregator kind: expected fedavg, trimmed-mean or median, got ${String((how as { kind: unknown }).kind)}`);
  }
}

function weightedMean(updates: readonly { delta: Float32Array; samples: number }[], length: number): Float32Array {
  const acc = new Float64Array(length);
  let total = 0;
  for (const u of updates) {
    total += u.samples;
    for (let i = 0; i < length; i++) acc[i]! += u.samples * u.delta[i]!;
  }
  return Float32Array.from(acc, (v) => v / total);
}

function perCoordinate(updates: readonly { delta: Float32Array }[], length: number, reduce: (sorted: Float64Array) => number): Float32Array {
  const out = new Float32Array(length);
  const column = new Float64Array(updates.length);
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < updates.length; j++) column[j] = updates[j]!.delta[i]!;
    column.sort();
    out[i] = reduce(column);
  }
  return out;
}
