import { resolveDetectorConfig, type OnlineDetectorConfig } from './detector-config.js';
import { SurpriseTail, type SurpriseTailState } from './surprise-tail.js';

const HOURS = 24;

/** Everything the detector has learned, as plain JSON. */
export interface OnlineDetectorState {
  version: 1;
  config: OnlineDetectorConfig;
  count: number;
  min: number;
  max: number;
  fastLevel: number;
  fastSpread: number;
  hourSpread: number[];
  hourSeen: number[];
  shortLevel: number;
  longLevel: number;
  longSpread: number;
  season: number[];
  seasonSeen: number[];
  seasonShift: number;
  peak: number;
  spikeTail: SurpriseTailState;
  shiftTail: SurpriseTailState;
  seasonTail: SurpriseTailState;
}

const phaseOf = (timestampMs: number, periodMs: number, buckets: number) => Math.floor((((timestampMs % periodMs) + periodMs) % periodMs) / (periodMs / buckets));

/**
 * Online anomaly detector for one metric of one device. Four kinds of evidence, each judged against the
 * stream's own history (a surprise tail per kind), so a noisy stream and a quiet one are both held to
 * their own normal:
 * - spike: the residual against the better of a fast EWMA and the daily seasonal baseline, over the
 *   residual spread of that hour of the day;
 * - shift: a short EWMA level against a long one, over the long spread (change point);
 * - season: a short EWMA of the distance to the seasonal baseline (the daily shape breaks);
 * - range: a value beyond the whole range seen so far by more than 5% of it (HTM's "spatial anomaly").
 * The strongest, as −log10 of a tail probability L, gives the score L/(L + halfScoreLog10); a score
 * that does not beat the decayed recent peak is damped, so one event raises one alert.
 * O(1) state updates plus two short histogram scans per point; no allocation per point.
 */
export class OnlineAnomalyDetector {
  private readonly cfg: OnlineDetectorConfig;
  private count = 0;
  private min = 0;
  private max = 0;
  private fastLevel = 0;
  private fastSpread = 0;
  private hourSpread = new Float64Array(HOURS);
  private hourSeen = new Float64Array(HOURS);
  private shortLevel = 0;
  private longLevel = 0;
  private longSpread = 0;
  private season: Float64Array;
  private seasonSeen: Float64Array;
  private seasonShift = 0;
  private peak = 0;
  private readonly spikeTail: SurpriseTail;
  private readonly shiftTail: SurpriseTail;
  private readonly seasonTail: SurpriseTail;

  constructor(config: Partial<OnlineDetectorConfig> = {}) {
    const c = (this.cfg = resolveDetectorConfig(config));
    this.season = new Float64Array(c.seasonBuckets);
    this.seasonSeen = new Float64Array(c.seasonBuckets);
    this.spikeTail = new SurpriseTail(c.tailBins, c.tailBinWidth, c.tailAlpha, c.tailShare);
    this.shiftTail = new SurpriseTail(c.tailBins, c.tailBinWidth, c.tailAlpha, c.tailShare);
    this.seasonTail = new SurpriseTail(c.tailBins, c.tailBinWidth, c.tailAlpha, c.tailShare);
  }

  /** Learns from one reading and returns its anomaly score in [0, 1) (0 during the warm-up, 0 for a non-finite value). */
  update(value: number, timestampMs: number): number {
    if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) return 0;
    const c = this.cfg;
    if (this.count === 0) this.min = this.max = this.fastLevel = this.shortLevel = this.longLevel = value;

    const range = this.max - this.min;
    const tolerance = range * c.rangeTolerance;
    const excess = Math.max(value - (this.max + tolerance), this.min - tolerance - value, 0);
    const rangeSurprise = range > 0 && excess > 0 ? c.rangeBase + (excess / range) * c.rangeSlope : 0;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const floor = Math.max((this.max - this.min) * c.minSpreadOfRange, Math.abs(this.longLevel) * 1e-9, 1e-12);

    // Spike: the one-step residual, unless the same phase of yesterday (± one bucket) predicts better.
    const residual = value - this.fastLevel;
    const hour = phaseOf(timestampMs, c.seasonPeriodMs, HOURS);
    const hourSeen = this.hourSeen[hour] as number;
    const spread = (hourSeen >= c.hourSpreadMinVisits ? (this.hourSpread[hour] as number) : this.fastSpread) + floor;
    const buckets = c.seasonBuckets;
    const phase = phaseOf(timestampMs, c.seasonPeriodMs, buckets);
    let bestResidual = Math.abs(residual);
    let seasonKnown = false;
    for (let k = -1; k <= 1; k++) {
      const b = (phase + k + buckets) % buckets;
      if ((this.seasonSeen[b] as number) < c.seasonMinVisits) continue;
      seasonKnown = true;
      bestResidual = Math.min(bestResidual, Math.abs(value - (this.season[b] as number)));
    }
    const spikeZ = bestResidual / spread;

    const seen = this.seasonSeen[phase] as number;
    const seasonResidual = value - (this.season[phase] as number);
    this.season[phase] = seen === 0 ? value : (this.season[phase] as number) + c.seasonAlpha * seasonResidual;
    this.seasonSeen[phase] = seen + 1;
    if (seasonKnown) this.seasonShift += c.shortAlpha * (Math.abs(seasonResidual) / (this.longSpread + floor) - this.seasonShift);

    this.fastLevel += c.fastAlpha * residual;
    this.fastSpread += Math.max(c.spreadAlpha, 1 / (this.count + 1)) * (Math.abs(residual) - this.fastSpread);
    const hourSpread = this.hourSpread[hour] as number;
    this.hourSpread[hour] = hourSeen === 0 ? Math.abs(residual) : hourSpread + Math.max(c.hourSpreadAlpha, 1 / (hourSeen + 1)) * (Math.abs(residual) - hourSpread);
    this.hourSeen[hour] = hourSeen + 1;

    // Shift: short level against long level.
    this.shortLevel += c.shortAlpha * (value - this.shortLevel);
    const shiftZ = Math.abs(this.shortLevel - this.longLevel) / (this.longSpread + floor);
    const longAlpha = Math.max(c.longAlpha, 1 / (this.count + 1));
    const longResidual = value - this.longLevel;
    this.longLevel += longAlpha * longResidual;
    this.longSpread += longAlpha * (Math.abs(longResidual) - this.longSpread);

    // The first points only settle levels and spreads: their residuals say nothing about the stream.
    const settled = this.count >= c.settlePoints;
    const spike = this.spikeTail.update(Math.log1p(spikeZ), settled) * c.spikeWeight;
    const shift = this.shiftTail.update(Math.log1p(shiftZ), settled);
    const seasonal = seasonKnown ? this.seasonTail.update(Math.log1p(this.seasonShift), settled) : 0;
    this.count++;
    if (this.count <= c.warmupPoints) return 0;

    const surprise = Math.max(spike, shift, seasonal, rangeSurprise);
    const score = surprise / (surprise + c.halfScoreLog10);
    const decayed = this.peak * c.peakDecay;
    this.peak = Math.max(decayed, score);
    return score > decayed ? score : score * c.repeatDamping;
  }

  /** The learned state as plain JSON; {@link OnlineAnomalyDetector.fromJSON} resumes from it exactly. */
  toJSON(): OnlineDetectorState {
    return {
      version: 1,
      config: { ...this.cfg },
      count: this.count,
      min: this.min,
      max: this.max,
      fastLevel: this.fastLevel,
      fastSpread: this.fastSpread,
      hourSpread: Array.from(this.hourSpread),
      hourSeen: Array.from(this.hourSeen),
      shortLevel: this.shortLevel,
      longLevel: this.longLevel,
      longSpread: this.longSpread,
      season: Array.from(this.season),
      seasonSeen: Array.from(this.seasonSeen),
      seasonShift: this.seasonShift,
      peak: this.peak,
      spikeTail: this.spikeTail.toJSON(),
      shiftTail: this.shiftTail.toJSON(),
      seasonTail: this.seasonTail.toJSON(),
    };
  }

  /** Resumes a detector saved with {@link OnlineAnomalyDetector.toJSON}. */
  static fromJSON(state: OnlineDetectorState): OnlineAnomalyDetector {
    if (state.version !== 1) throw new Error(`unsupported detector state version ${String(state.version)}`);
    const d = new OnlineAnomalyDetector(state.config);
    if (state.season.length !== d.season.length || state.hourSpread.length !== HOURS) throw new Error('detector state does not match its configuration');
    d.count = state.count;
    d.min = state.min;
    d.max = state.max;
    d.fastLevel = state.fastLevel;
    d.fastSpread = state.fastSpread;
    d.hourSpread = Float64Array.from(state.hourSpread);
    d.hourSeen = Float64Array.from(state.hourSeen);
    d.shortLevel = state.shortLevel;
    d.longLevel = state.longLevel;
    d.longSpread = state.longSpread;
    d.season = Float64Array.from(state.season);
    d.seasonSeen = Float64Array.from(state.seasonSeen);
    d.seasonShift = state.seasonShift;
    d.peak = state.peak;
    d.spikeTail.restore(state.spikeTail);
    d.shiftTail.restore(state.shiftTail);
    d.seasonTail.restore(state.seasonTail);
    return d;
  }
}
