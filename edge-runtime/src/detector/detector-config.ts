/**
 * Tuning of the online detector. One configuration for every stream — nothing here is chosen per series;
 * the defaults were chosen on the whole NAB corpus (see docs/benchmarks.md, "Anomaly detection on NAB").
 */
export interface OnlineDetectorConfig {
  /** Points learned before any score is emitted (NAB's probationary period: 15% of a series, ≤ 750). */
  warmupPoints: number;
  /** Points that only settle levels and spreads before the surprise histograms start learning. */
  settlePoints: number;
  /** EWMA weight of the fast level that predicts the next point. */
  fastAlpha: number;
  /** EWMA weight of the one-step residual's spread (until the hour-of-day spread has enough visits). */
  spreadAlpha: number;
  /** EWMA weight, per visit, of the residual's spread in each hour of the day. */
  hourSpreadAlpha: number;
  /** Visits an hour of the day needs before its own spread is used. */
  hourSpreadMinVisits: number;
  /** EWMA weight of the short level compared with the long one (change-point evidence). */
  shortAlpha: number;
  /** EWMA weight of the long level and its spread. */
  longAlpha: number;
  /** Period of the seasonal baseline (a day) and its number of phase buckets. */
  seasonPeriodMs: number;
  seasonBuckets: number;
  /** EWMA weight, per visit, of each phase bucket of the seasonal baseline. */
  seasonAlpha: number;
  /** Visits a phase bucket needs before it predicts. */
  seasonMinVisits: number;
  /** Forgetting of the surprise histograms (1/alpha ≈ points of memory). */
  tailAlpha: number;
  tailBins: number;
  /** Bin width of the surprise histograms, in units of log(1 + z). */
  tailBinWidth: number;
  /** Share of memory above which the tail is modelled as exponential (peaks over threshold). */
  tailShare: number;
  /** Weight of the one-point (spike) evidence against the others. */
  spikeWeight: number;
  /** A value beyond the range seen so far by more than this share of the range is novel ... */
  rangeTolerance: number;
  /** ... and scores this −log10 tail probability, plus rangeSlope per range-width beyond. */
  rangeBase: number;
  rangeSlope: number;
  /** −log10 tail probability at which the score reaches 0.5. */
  halfScoreLog10: number;
  /** Per-point decay of the last peak: a score must beat the decayed peak to count as a new event. */
  peakDecay: number;
  /** Factor applied to scores that do not beat the decayed peak (one event, one alert). */
  repeatDamping: number;
  /** Spreads never fall below this share of the value range seen (flat or quantised streams). */
  minSpreadOfRange: number;
}

export const DEFAULT_DETECTOR_CONFIG: Readonly<OnlineDetectorConfig> = Object.freeze({
  warmupPoints: 750,
  settlePoints: 50,
  fastAlpha: 0.3,
  spreadAlpha: 0.01,
  hourSpreadAlpha: 0.03,
  hourSpreadMinVisits: 60,
  shortAlpha: 0.1,
  longAlpha: 0.001,
  seasonPeriodMs: 86_400_000,
  seasonBuckets: 288,
  seasonAlpha: 0.2,
  seasonMinVisits: 2,
  tailAlpha: 0.001,
  tailBins: 64,
  tailBinWidth: 0.125,
  tailShare: 0.02,
  spikeWeight: 0.9,
  rangeTolerance: 0.05,
  rangeBase: 4,
  rangeSlope: 1,
  halfScoreLog10: 5,
  peakDecay: 0.999,
  repeatDamping: 0.5,
  minSpreadOfRange: 0.001,
});

const SHARES = ['fastAlpha', 'spreadAlpha', 'hourSpreadAlpha', 'shortAlpha', 'longAlpha', 'seasonAlpha', 'tailAlpha', 'tailShare', 'peakDecay', 'repeatDamping'] as const;
const COUNTS = ['warmupPoints', 'settlePoints', 'hourSpreadMinVisits', 'seasonBuckets', 'seasonMinVisits', 'tailBins'] as const;

/** Merges overrides into the defaults and refuses a value that would break the detector, naming it. */
export function resolveDetectorConfig(overrides: Partial<OnlineDetectorConfig> = {}): OnlineDetectorConfig {
  const config = { ...DEFAULT_DETECTOR_CONFIG, ...overrides };
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`detector config ${key}: got ${String(value)}, expected a finite number ≥ 0`);
  }
  for (const key of SHARES) if (config[key] <= 0 || config[key] > 1) throw new RangeError(`detector config ${key}: got ${config[key]}, expected a number in (0, 1]`);
  for (const key of COUNTS) if (!Number.isInteger(config[key])) throw new RangeError(`detector config ${key}: got ${config[key]}, expected an integer`);
  if (config.seasonBuckets < 1 || config.tailBins < 2 || config.seasonPeriodMs <= 0 || config.tailBinWidth <= 0 || config.halfScoreLog10 <= 0) {
    throw new RangeError('detector config: seasonBuckets ≥ 1, tailBins ≥ 2, and seasonPeriodMs, tailBinWidth, halfScoreLog10 > 0 are required');
  }
  return config;
}
