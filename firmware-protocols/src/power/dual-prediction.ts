import { MAX_METRICS_PER_READING } from '../messages/common.js';
import { MAX_SILENCE_SAMPLES, type PredictorKind, type ReportingPolicy } from '../messages/device-downlink.js';
import { DEFAULT_LMS_ORDER, type Predictor, type PredictorState, createPredictor, lmsEpsilonFor, shouldTransmit } from './predictors.js';

/**
 * Adaptive reporting by dual prediction. The device and the gateway keep the same reconstructed stream:
 * at each sample index, a metric's reconstructed value is the value the device sent, or, when it sent
 * nothing for that metric, the shared predictor's value. Both feed it to the same predictors, so both
 * predict the same numbers, and the gateway can fill in every sample the device skipped. docs/power.md.
 *
 * Resync: an epoch starts at seq 0. The device starts one when it boots and whenever it applies a
 * config with a new configVersion (it resets its predictors and its sample index). The receiver resets at
 * seq 0; any other surprise (a seq that goes back, a gap longer than the heartbeat allows, the same seq
 * with other values) means the two sides may disagree: the receiver stops filling until the next seq 0,
 * and the gateway asks for one by publishing the config again with a higher configVersion.
 */

/** Default heartbeat period when a policy gives none (kept within intervalMs … MAX_SILENCE_SAMPLES × intervalMs). */
export const DEFAULT_MAX_SILENCE_MS = 3_600_000;
/** Metrics one stream predicts at most; later new metrics ride along with transmissions, unpredicted. */
export const MAX_PREDICTED_METRICS = MAX_METRICS_PER_READING;

export type Metrics = Readonly<Record<string, number>>;

/** A reporting policy with every default applied; what both sides run. */
export interface AdaptivePolicy {
  intervalMs: number;
  predictor: PredictorKind;
  /** Tolerance per metric; a metric not listed has tolerance 0 (sent unless predicted exactly). */
  tolerance: Readonly<Record<string, number>>;
  maxSilenceMs: number;
  /** The most consecutive sample indices between two transmissions: floor(maxSilenceMs / intervalMs), at least 1. */
  maxSilenceSamples: number;
  lmsOrder?: number;
  lmsStep?: number;
}

/** The adaptive policy of a reporting policy, or null when it is periodic. */
export function adaptivePolicyOf(reporting: ReportingPolicy | undefined): AdaptivePolicy | null {
  if (!reporting || reporting.mode !== 'adaptive') return null;
  const fallback = Math.min(Math.max(reporting.intervalMs, DEFAULT_MAX_SILENCE_MS), reporting.intervalMs * MAX_SILENCE_SAMPLES);
  const maxSilenceMs = Math.min(Math.max(reporting.intervalMs, reporting.maxSilenceMs ?? fallback), reporting.intervalMs * MAX_SILENCE_SAMPLES);
  return {
    intervalMs: reporting.intervalMs,
    predictor: reporting.predictor ?? 'last-value',
    tolerance: { ...(reporting.tolerance ?? {}) },
    maxSilenceMs,
    maxSilenceSamples: Math.max(1, Math.floor(maxSilenceMs / reporting.intervalMs)),
    ...(reporting.lmsOrder !== undefined ? { lmsOrder: reporting.lmsOrder } : {}),
    ...(reporting.lmsStep !== undefined ? { lmsStep: reporting.lmsStep } : {}),
  };
}

/**
 * The reconstructed stream of one device: one predictor per metric, created when the metric is first
 * transmitted (so a new metric is always sent before it can be predicted).
 */
export class ReconstructedStream {
  readonly #predictors = new Map<string, Predictor>();

  constructor(readonly policy: AdaptivePolicy) {}

  get metricCount(): number {
    return this.#predictors.size;
  }

  toleranceOf(metric: string): number {
    return Object.hasOwn(this.policy.tolerance, metric) ? this.policy.tolerance[metric]! : 0;
  }

  /** The prediction of every metric that has one. */
  predict(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [metric, p] of this.#predictors) {
      const y = p.predict();
      if (y !== null) out[metric] = y;
    }
    return out;
  }

  /** Whether the device must send this sample: a metric without a prediction, or one out of its tolerance. */
  mustTransmit(real: Metrics): boolean {
    for (const [metric, value] of Object.entries(real)) {
      const p = this.#predictors.get(metric);
      // A metric beyond the predictor bound is never predicted, so it never forces a transmission.
      if (!p && this.#predictors.size >= MAX_PREDICTED_METRICS) continue;
      if (shouldTransmit(value, p ? p.predict() : null, this.toleranceOf(metric))) return true;
    }
    return false;
  }

  /**
   * Move to the next sample index. `sent`: the metrics transmitted at this index, or null. Returns the
   * reconstructed sample (a sent metric as sent, every other known metric as predicted).
   */
  advance(sent: Metrics | null): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [metric, p] of this.#predictors) {
      const value = sent && Object.hasOwn(sent, metric) ? sent[metric]! : p.predict();
      if (value === null) continue;
      p.update(value);
      out[metric] = value;
    }
    for (const [metric, value] of Object.entries(sent ?? {})) {
      if (Object.hasOwn(out, metric)) continue;
      out[metric] = value;
      if (this.#predictors.size >= MAX_PREDICTED_METRICS) continue;
      const order = this.policy.lmsOrder ?? DEFAULT_LMS_ORDER;
      const p = createPredictor(this.policy.predictor, { ...this.policy, lmsEpsilon: lmsEpsilonFor(order, this.toleranceOf(metric)) });
      p.update(value);
      this.#predictors.set(metric, p);
    }
    return out;
  }

  reset(): void {
    this.#predictors.clear();
  }

  toJSON(): Record<string, PredictorState> {
    return Object.fromEntries([...this.#predictors].map(([metric, p]) => [metric, p.toJSON()]));
  }
}

export interface SenderDecision {
  /** The sample index of this sample in the current epoch; the telemetry's `seq` when sent. */
  seq: number;
  transmit: boolean;
  /** What the gateway will hold for this index. */
  reconstructed: Record<string, number>;
}

/**
 * The device side. A sample with no value at all (every sensor failed) is not a sample: it takes no
 * index. Otherwise the sample is sent when it leaves the tolerance, when it is the first of an epoch,
 * or when `maxSilenceSamples` indices passed since the last one sent (heartbeat).
 */
export class AdaptiveSender {
  readonly stream: ReconstructedStream;
  #next = 0;
  #lastSent: number | null = null;

  constructor(readonly policy: AdaptivePolicy) {
    this.stream = new ReconstructedStream(policy);
  }

  /** Sample indices used in this epoch. */
  get samples(): number {
    return this.#next;
  }

  sample(real: Metrics | null): SenderDecision | null {
    if (!real || Object.keys(real).length === 0) return null;
    const seq = this.#next++;
    const transmit = this.#lastSent === null || seq - this.#lastSent >= this.policy.maxSilenceSamples || this.stream.mustTransmit(real);
    if (transmit) this.#lastSent = seq;
    // Sent: the reconstructed sample carries every real value. Not sent: every value is its prediction
    // (a metric that has no predictor yet cannot be here, since it forces a transmission).
    return { seq, transmit, reconstructed: this.stream.advance(transmit ? real : null) };
  }

  /** A new epoch: seq restarts at 0, predictors forget. */
  reset(): void {
    this.#next = 0;
    this.#lastSent = null;
    this.stream.reset();
  }
}

export type ReceiveOutcome =
  /** In sequence: the skipped indices are in `filled`. */
  | 'in-sync'
  /** seq 0: a new epoch started; nothing to fill. */
  | 'epoch-start'
  /** The same seq and values as the last transmission (a resend): nothing changes. */
  | 'duplicate'
  /** Waiting for seq 0 after a desync or a restart: stored as sent, nothing filled. */
  | 'unsynced'
  /** This transmission shows the two sides may disagree; from now on `unsynced` until seq 0. */
  | 'desync';

export interface ReceiveResult {
  outcome: ReceiveOutcome;
  /** The predicted samples for the skipped indices, oldest first; `k` = 1 for the index after the previous transmission. */
  filled: { k: number; seq: number; metrics: Record<string, number> }[];
}

/** The gateway side of one device: rebuilds the stream from the transmissions. */
export class AdaptiveReceiver {
  readonly stream: ReconstructedStream;
  #lastSeq: number | null = null;
  #lastSent: Metrics | null = null;

  constructor(readonly policy: AdaptivePolicy) {
    this.stream = new ReconstructedStream(policy);
  }

  get synced(): boolean {
    return this.#lastSeq !== null;
  }

  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  receive(seq: number, sent: Metrics): ReceiveResult {
    if (seq === 0) {
      this.stream.reset();
      this.#accept(0, sent);
      return { outcome: 'epoch-start', filled: [] };
    }
    const last = this.#lastSeq;
    if (last === null) return { outcome: 'unsynced', filled: [] };
    if (seq === last && this.#lastSent && sameMetrics(this.#lastSent, sent)) return { outcome: 'duplicate', filled: [] };
    if (seq <= last || seq - last > this.policy.maxSilenceSamples) {
      this.desync();
      return { outcome: 'desync', filled: [] };
    }
    const filled: ReceiveResult['filled'] = [];
    for (let k = 1; last + k < seq; k++) {
      const metrics = this.stream.advance(null);
      if (Object.keys(metrics).length > 0) filled.push({ k, seq: last + k, metrics });
    }
    this.#accept(seq, sent);
    return { outcome: 'in-sync', filled };
  }

  /** Stop filling until the device starts a new epoch. */
  desync(): void {
    this.#lastSeq = null;
    this.#lastSent = null;
    this.stream.reset();
  }

  #accept(seq: number, sent: Metrics): void {
    this.stream.advance(sent);
    this.#lastSeq = seq;
    this.#lastSent = { ...sent };
  }
}

function sameMetrics(a: Metrics, b: Metrics): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
}
