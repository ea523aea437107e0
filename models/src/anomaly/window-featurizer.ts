import { z } from 'zod';
import { ModelError } from '../errors.js';
import { type FeatureChannel, type FeaturizerSpec, type Preprocessing, parsePreprocessing, specFingerprint } from './preprocessing.js';

export const FEATURIZER_STATE_VERSION = 1;

const metricStateSchema = z
  .object({
    /** Readings this metric's statistics have seen (drives the 1/n start of the EWMAs). */
    n: z.number().int().min(0),
    mean: z.number(),
    variance: z.number().min(0),
    /** Running median of |first difference| (after the log transform, if any). */
    diffScale: z.number().min(0),
    previous: z.number().nullable(),
    /** The last ≤ `smooth` clipped dz and ldz values, oldest first: what `mdz` and `mldz` summarise. */
    recentDz: z.array(z.number()),
    recentLdz: z.array(z.number()),
    /** Per channel, the last ≤ window feature values, oldest first. */
    history: z.record(z.string(), z.array(z.number())),
  })
  .strict();

export const featurizerStateSchema = z
  .object({
    v: z.literal(FEATURIZER_STATE_VERSION),
    /** specFingerprint of the model it belongs to: a state never silently feeds a model with other features. */
    fingerprint: z.string(),
    /** Accepted readings (all metrics present, ts increasing). */
    accepted: z.number().int().min(0),
    lastTs: z.number().nullable(),
    metrics: z.record(z.string(), metricStateSchema),
  })
  .strict();
export type FeaturizerState = z.infer<typeof featurizerStateSchema>;
type MetricState = z.infer<typeof metricStateSchema>;

/** σ = 1.4826 × median |x| for normal data. */
const MEDIAN_ABS_TO_SIGMA = 1.4826;
/** ln of |dz| at its median for normal data: a saturated reading's stand-in ldz, neither flat nor jumpy. */
const NEUTRAL_LDZ = Math.log(0.6745);
const clampAbs = (v: number, limit: number) => (v > limit ? limit : v < -limit ? -limit : v);

/**
 * Turns one device's readings into model inputs. Each metric (optionally log-transformed) is normalised online
 * against this device's own history (winsorised EWMA mean/variance of the level, a running median of the size
 * of first differences), and the last `window` values of each feature channel are kept. Deterministic: the same readings give the same bytes, and
 * `toJSON()` → constructor resumes exactly where it stopped.
 *
 * A reading that lacks a metric (dropout), carries a non-finite value, or does not advance `ts` (redelivery,
 * clock step back) is skipped without touching the state, and `push` returns null for it.
 */
export class WindowFeaturizer {
  readonly spec: FeaturizerSpec;
  private readonly p: Preprocessing;
  private readonly fingerprint: string;
  private state: FeaturizerState;

  constructor(spec: FeaturizerSpec, state?: FeaturizerState) {
    this.p = parsePreprocessing(spec);
    this.spec = { metrics: [...spec.metrics], window: spec.window, inputSize: spec.inputSize, preprocessing: this.p };
    this.fingerprint = specFingerprint(this.spec);
    this.state = state === undefined ? this.freshState() : this.restore(state);
  }

  /** Readings accepted so far; the first window comes once this reaches `preprocessing.warmup`. */
  get accepted(): number {
    return this.state.accepted;
  }

  /** The model input for the window ending at this reading, or null (warming up, or reading skipped). */
  push(ts: number, metrics: Readonly<Record<string, number>>): Float32Array | null {
    if (!Number.isFinite(ts) || (this.state.lastTs !== null && ts <= this.state.lastTs)) return null;
    for (const name of this.spec.metrics) {
      const v = metrics[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    }
    this.state.lastTs = ts;
    this.state.accepted++;
    for (const name of this.spec.metrics) this.update(name, this.state.metrics[name]!, metrics[name]!);
    return this.state.accepted >= this.p.warmup ? this.assemble() : null;
  }

  /** Plain data for JSON: persist it and pass it back to the constructor to resume. */
  toJSON(): FeaturizerState {
    return structuredClone(this.state);
  }

  private update(name: string, s: MetricState, raw: number): void {
    const { clip, winsor, alpha, diffAlpha, logFloor } = this.p;
    const offset = this.p.logOffset[name];
    // Multiplicative signals (power, vibration) get a log: their noise and steps scale with the level.
    const x = offset === undefined ? raw : Math.log(Math.max(raw + offset, offset * 1e-3));
    const floor = this.p.stdFloor[name] ?? 1e-9;
    const std = Math.max(Math.sqrt(s.variance), floor);
    const diffSigma = Math.max(MEDIAN_ABS_TO_SIGMA * s.diffScale, floor);
    // Features use the statistics from before this reading: a reading is judged against its past only.
    const z = s.n === 0 ? 0 : clampAbs((x - s.mean) / std, clip);
    const dx = s.previous === null ? 0 : x - s.previous;
    // A reading pinned at the sensor's range limit that did not move is saturation, not a frozen sensor:
    // it shows no slope and an ordinary amount of movement, so normal saturation cannot teach the model that flat is fine.
    const range = this.p.saturation[name];
    const saturated = range !== undefined && dx === 0 && (raw <= range[0] || raw >= range[1]);
    const dz = s.n < 3 ? 0 : clampAbs(dx / diffSigma, clip);
    const ldz = saturated ? NEUTRAL_LDZ : clampAbs(Math.log(Math.max(Math.abs(dz), logFloor)), clip);
    push(s.recentDz, dz, this.p.smooth);
    push(s.recentLdz, ldz, this.p.smooth);
    const values: Record<FeatureChannel, number> = { z, dz, ldz, mdz: median(s.recentDz), mldz: s.recentLdz.reduce((sum, v) => sum + v, 0) / s.recentLdz.length };
    for (const channel of this.p.channels) push(s.history[channel]!, values[channel], this.spec.window);
    // Winsorised updates once the statistics have settled: an anomaly moves them as little as a `winsor`-σ reading would.
    const settled = s.n >= this.p.warmup;
    s.n++;
    const a = Math.max(alpha, 1 / s.n);
    const d = settled ? clampAbs(x - s.mean, winsor * std) : x - s.mean;
    s.mean += a * d;
    s.variance = (1 - a) * (s.variance + a * d * d);
    if (s.previous !== null && !saturated) {
      // A running median of |dx| (multiplicative steps up or down): the typical change between readings,
      // blind to load switches and spikes that an RMS would count. Larger steps while it is young.
      const ad = Math.abs(dx);
      if (s.diffScale === 0) s.diffScale = ad;
      else s.diffScale *= Math.exp(Math.max(diffAlpha, 1 / s.n) * (ad > s.diffScale ? 1 : ad < s.diffScale ? -1 : 0));
    }
    s.previous = x;
  }

  private assemble(): Float32Array {
    const out = new Float32Array(this.spec.inputSize);
    let i = 0;
    for (const name of this.spec.metrics) {
      const s = this.state.metrics[name]!;
      for (const channel of this.p.channels) {
        for (const v of s.history[channel]!) out[i++] = v;
      }
    }
    return out;
  }

  private freshState(): FeaturizerState {
    const metrics: Record<string, MetricState> = {};
    for (const name of this.spec.metrics) {
      metrics[name] = { n: 0, mean: 0, variance: 0, diffScale: 0, previous: null, recentDz: [], recentLdz: [], history: Object.fromEntries(this.p.channels.map((c) => [c, []])) };
    }
    return { v: FEATURIZER_STATE_VERSION, fingerprint: this.fingerprint, accepted: 0, lastTs: null, metrics };
  }

  private restore(input: unknown): FeaturizerState {
    const parsed = featurizerStateSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ModelError('MODEL_ERR_FEATURIZER_STATE', `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
    }
    const state = structuredClone(parsed.data);
    if (state.fingerprint !== this.fingerprint) {
      throw new ModelError('MODEL_ERR_FEATURIZER_STATE', `state belongs to features ${state.fingerprint}, this model has ${this.fingerprint}; start a fresh featurizer`);
    }
    for (const name of this.spec.metrics) {
      const s = state.metrics[name];
      if (!s) throw new ModelError('MODEL_ERR_FEATURIZER_STATE', `metrics.${name}: missing`);
      if (s.recentDz.length > this.p.smooth || s.recentLdz.length > this.p.smooth) throw new ModelError('MODEL_ERR_FEATURIZER_STATE', `metrics.${name}.recentDz/recentLdz: expected at most ${this.p.smooth} values`);
      for (const channel of this.p.channels) {
        const h = s.history[channel];
        if (!h || h.length > this.spec.window) throw new ModelError('MODEL_ERR_FEATURIZER_STATE', `metrics.${name}.history.${channel}: expected at most ${this.spec.window} values`);
      }
      // A full window must be there once warmed up, or assemble() would return a short vector.
      if (state.accepted >= this.p.warmup && Object.values(s.history).some((h) => h.length !== this.spec.window)) {
        throw new ModelError('MODEL_ERR_FEATURIZER_STATE', `metrics.${name}.history: expected ${this.spec.window} values per channel after warm-up`);
      }
    }
    return state;
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Appends and keeps the last `max` values. */
function push(values: number[], v: number, max: number): void {
  values.push(v);
  if (values.length > max) values.shift();
}
