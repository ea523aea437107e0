/**
 * Running statistics of one metric in one window: Welford's online algorithm for the mean and the sum of
 * squared deviations (m2), so the variance stays exact for long windows of large, close values.
 * `stddev` is the population standard deviation, sqrt(m2 / count) (0 for a single value).
 */
export interface SummaryStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  m2: number;
  last: number;
}

export function startStats(value: number): SummaryStats {
  return { count: 1, min: value, max: value, mean: value, m2: 0, last: value };
}

/** Add one value (Welford). Mutates `s`. */
export function addValue(s: SummaryStats, value: number): void {
  s.count++;
  const delta = value - s.mean;
  s.mean += delta / s.count;
  s.m2 += delta * (value - s.mean);
  if (value < s.min) s.min = value;
  if (value > s.max) s.max = value;
  s.last = value;
}

/**
 * Merge windows into one (Chan et al.'s parallel variance formula). `parts` must be in time order:
 * `last` comes from the latest part.
 */
export function mergeStats(parts: readonly SummaryStats[]): SummaryStats {
  if (parts.length === 0) throw new RangeError('nothing to merge');
  const out = { ...parts[0]! };
  for (const p of parts.slice(1)) {
    const count = out.count + p.count;
    const delta = p.mean - out.mean;
    out.mean += (delta * p.count) / count;
    out.m2 += p.m2 + (delta * delta * out.count * p.count) / count;
    out.count = count;
    out.min = Math.min(out.min, p.min);
    out.max = Math.max(out.max, p.max);
    out.last = p.last;
  }
  return out;
}

export function stddevOf(s: SummaryStats): number {
  return s.count > 0 ? Math.sqrt(Math.max(0, s.m2) / s.count) : 0;
}
