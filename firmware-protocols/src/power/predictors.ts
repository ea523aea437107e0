import type { PredictorKind } from '../messages/device-downlink.js';

/**
 * The predictors of adaptive reporting. Device and gateway each run one per metric over the same
 * reconstructed sequence, so they must compute bit-identical float64 results: every formula below is
 * evaluated exactly in the order written, in IEEE 754 binary64 with round-to-nearest-even, with no fused
 * multiply-add and no extended precision (C: `double`, `-ffp-contract=off`, no `-ffast-math`, SSE2 not x87).
 * `h[0]` is the newest reconstructed value, `h[1]` the one before, …; `n` how many the predictor has seen.
 *
 * - last-value: n = 0 → none; else h[0].
 * - linear: n = 0 → none; n = 1 → h[0]; else y = h[0] + (h[0] − h[1]).
 * - lms (normalized LMS of order p, step μ, regularization ε, after Santini & Römer 2006): weights
 *   w[0..p−1] start at [1, 0, …, 0] (a last-value predictor that learns). n = 0 → none; n < p → h[0];
 *   else y = 0; for i = 0..p−1: y = y + w[i]·h[i].
 *   update(x) when n ≥ p (before x enters the history): e = x − y (y as predicted just now);
 *   s = 0; for i = 0..p−1: s = s + h[i]·h[i]; s = s + ε; g = (μ·e) / s;
 *   for i = 0..p−1: w[i] = w[i] + g·h[i]. If any w[i] is then not finite, w = [1, 0, …, 0].
 *   In a reconstructed stream ε = p·(τ·τ) for a metric of tolerance τ (1e-9 if that is not a finite
 *   number > 0): input energy
 *   below the tolerance's resolution hardly moves the weights, so a signal rising from near zero (a
 *   machine switching on) does not throw them off.
 * Any y that is not finite is replaced by h[0]. Then x enters the history (h shifts by one) and n grows
 * (it may saturate at the history length).
 */
export interface Predictor {
  readonly kind: PredictorKind;
  /** The next value, or null before the first update. */
  predict(): number | null;
  /** The reconstructed value of this sample: the transmitted one, or the prediction when nothing was sent. */
  update(value: number): void;
  reset(): void;
  toJSON(): PredictorState;
}

export interface PredictorState {
  kind: PredictorKind;
  /** Newest first. */
  history: number[];
  weights?: number[];
  epsilon?: number;
}

export interface PredictorOptions {
  /** lms: filter order p (default 4). */
  lmsOrder?: number;
  /** lms: step size μ, 0 < μ < 2 (default 0.05). */
  lmsStep?: number;
  /** lms: regularization ε added to the input energy, > 0 (default 1e-9; see lmsEpsilonFor). */
  lmsEpsilon?: number;
}

export const DEFAULT_LMS_ORDER = 4;
export const DEFAULT_LMS_STEP = 0.05;
/** Added to the input energy so that an all-zero history cannot divide by zero. */
export const LMS_EPSILON = 1e-9;

/** The regularization of a metric's LMS predictor in a reconstructed stream: p·(τ·τ), or 1e-9 when that is not a finite number > 0. */
export function lmsEpsilonFor(order: number, tolerance: number): number {
  const epsilon = order * (tolerance * tolerance);
  return epsilon > 0 && Number.isFinite(epsilon) ? epsilon : LMS_EPSILON;
}

/** The newest `size` values, newest first, in a fixed array (no allocation per sample). */
class History {
  readonly values: Float64Array;
  count = 0;

  constructor(readonly size: number) {
    this.values = new Float64Array(size);
  }

  push(value: number): void {
    for (let i = this.size - 1; i > 0; i--) this.values[i] = this.values[i - 1]!;
    this.values[0] = value;
    if (this.count < this.size) this.count++;
  }

  at(i: number): number {
    return this.values[i]!;
  }

  toArray(): number[] {
    return Array.from(this.values.subarray(0, this.count));
  }
}

function lastValue(): Predictor {
  const h = new History(1);
  return {
    kind: 'last-value',
    predict: () => (h.count === 0 ? null : h.at(0)),
    update: (value) => h.push(value),
    reset: () => void (h.count = 0),
    toJSON: () => ({ kind: 'last-value', history: h.toArray() }),
  };
}

function linear(): Predictor {
  const h = new History(2);
  return {
    kind: 'linear',
    predict() {
      if (h.count === 0) return null;
      if (h.count === 1) return h.at(0);
      const y = h.at(0) + (h.at(0) - h.at(1));
      return Number.isFinite(y) ? y : h.at(0);
    },
    update: (value) => h.push(value),
    reset: () => void (h.count = 0),
    toJSON: () => ({ kind: 'linear', history: h.toArray() }),
  };
}

function lms(order: number, step: number, epsilon: number): Predictor {
  if (!Number.isSafeInteger(order) || order < 1 || order > 16) throw new RangeError(`lmsOrder: expected an integer from 1 to 16, got ${order}`);
  if (!(step > 0 && step < 2)) throw new RangeError(`lmsStep: expected 0 < μ < 2, got ${step}`);
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new RangeError(`lmsEpsilon: expected a finite number > 0, got ${epsilon}`);
  const h = new History(order);
  const w = new Float64Array(order);
  const resetWeights = () => {
    w.fill(0);
    w[0] = 1;
  };
  resetWeights();

  function filter(): number {
    let y = 0;
    for (let i = 0; i < order; i++) y = y + w[i]! * h.at(i);
    return Number.isFinite(y) ? y : h.at(0);
  }

  return {
    kind: 'lms',
    predict() {
      if (h.count === 0) return null;
      return h.count < order ? h.at(0) : filter();
    },
    update(value) {
      if (h.count >= order) {
        const e = value - filter();
        let s = 0;
        for (let i = 0; i < order; i++) s = s + h.at(i) * h.at(i);
        s = s + epsilon;
        const g = (step * e) / s;
        let finite = true;
        for (let i = 0; i < order; i++) {
          w[i] = w[i]! + g * h.at(i);
          if (!Number.isFinite(w[i]!)) finite = false;
        }
        if (!finite) resetWeights();
      }
      h.push(value);
    },
    reset() {
      h.count = 0;
      resetWeights();
    },
    toJSON: () => ({ kind: 'lms', history: h.toArray(), weights: Array.from(w), epsilon }),
  };
}

/** A fresh predictor of this kind (one per metric). */
export function createPredictor(kind: PredictorKind, options: PredictorOptions = {}): Predictor {
  switch (kind) {
    case 'last-value':
      return lastValue();
    case 'linear':
      return linear();
    case 'lms':
      return lms(options.lmsOrder ?? DEFAULT_LMS_ORDER, options.lmsStep ?? DEFAULT_LMS_STEP, options.lmsEpsilon ?? LMS_EPSILON);
  }
}

/** Whether a sample must be sent: no prediction yet, or |real − predicted| > tolerance (NaN-safe: sends). */
export function shouldTransmit(real: number, predicted: number | null, tolerance: number): boolean {
  return predicted === null || !(Math.abs(real - predicted) <= tolerance);
}
