import { ModelError } from '../errors.js';
import { decodeVector, encodeVector } from './vector-codec.js';

export interface ServerOptimizerConfig {
  kind: 'sgd' | 'fedadam';
  /** Server learning rate η: sgd with 1 is plain FedAvg (the global model becomes the clients' average). */
  learningRate: number;
  /** FedAdam: first-moment decay (default 0.9). */
  beta1?: number;
  /** FedAdam: second-moment decay (default 0.99). */
  beta2?: number;
  /** FedAdam: adaptivity τ, added to √v (default 1e-3). */
  tau?: number;
}

/** JSON-serialisable (vectors base64): what a coordinator checkpoints to resume. */
export type ServerOptimizerState = Record<string, unknown>;

export interface ServerOptimizer {
  /** The next global parameters from the current ones and the aggregated client delta (new − global). */
  step(global: Float32Array, aggregatedDelta: Float32Array): Float32Array;
  state(): ServerOptimizerState;
}

const STATE_VERSION = 1;
export const FEDADAM_DEFAULTS = { beta1: 0.9, beta2: 0.99, tau: 1e-3 } as const;

/**
 * sgd: x ← x + η·Δ. FedAdam (Reddi et al. 2021, Algorithm 2, no bias correction as in the paper):
 * m ← β1·m + (1−β1)·Δ, v ← β2·v + (1−β2)·Δ², x ← x + η·m/(√v + τ). `state` restores a checkpoint.
 */
export function createServerOptimizer(cfg: ServerOptimizerConfig, state?: ServerOptimizerState): ServerOptimizer {
  const bad = (what: string, v: unknown) => new ModelError('MODEL_ERR_FL_CONFIG', `${what}: got ${String(v)}`);
  if (cfg.kind !== 'sgd' && cfg.kind !== 'fedadam') throw bad('server optimizer kind (expected sgd or fedadam)', cfg.kind);
  if (!(Number.isFinite(cfg.learningRate) && cfg.learningRate > 0)) throw bad('server learningRate (expected > 0)', cfg.learningRate);
  const beta1 = cfg.beta1 ?? FEDADAM_DEFAULTS.beta1;
  const beta2 = cfg.beta2 ?? FEDADAM_DEFAULTS.beta2;
  const tau = cfg.tau ?? FEDADAM_DEFAULTS.tau;
  if (!(beta1 >= 0 && beta1 < 1)) throw bad('beta1 (expected 0 ≤ β1 < 1)', beta1);
  if (!(beta2 >= 0 && beta2 < 1)) throw bad('beta2 (expected 0 ≤ β2 < 1)', beta2);
  if (!(Number.isFinite(tau) && tau > 0)) throw bad('tau (expected > 0)', tau);

  let steps = 0;
  let m: Float32Array | undefined;
  let v: Float32Array | undefined;
  if (state !== undefined) ({ steps, m, v } = restore(cfg.kind, state));

  const checkLengths = (global: Float32Array, delta: Float32Array) => {
    if (global.length !== delta.length) throw new ModelError('MODEL_ERR_FL_VECTOR', `global has ${global.length} values, the delta ${delta.length}`);
    if (m && m.length !== global.length) throw new ModelError('MODEL_ERR_FL_OPTIMIZER_STATE', `optimizer state has ${m.length} values, the model ${global.length}`);
  };

  return {
    step(global, delta) {
      checkLengths(global, delta);
      const out = new Float32Array(global.length);
      if (cfg.kind === 'sgd') {
        for (let i = 0; i < global.length; i++) out[i] = global[i]! + cfg.learningRate * delta[i]!;
      } else {
        m ??= new Float32Array(global.length);
        v ??= new Float32Array(global.length);
        for (let i = 0; i < global.length; i++) {
          const d = delta[i]!;
          m[i] = beta1 * m[i]! + (1 - beta1) * d;
          v[i] = beta2 * v[i]! + (1 - beta2) * d * d;
          out[i] = global[i]! + (cfg.learningRate * m[i]!) / (Math.sqrt(v[i]!) + tau);
        }
      }
      steps++;
      return out;
    },
    state() {
      return { version: STATE_VERSION, kind: cfg.kind, steps, ...(m && v ? { m: encodeVector(m), v: encodeVector(v) } : {}) };
    },
  };
}

function restore(kind: ServerOptimizerConfig['kind'], s: ServerOptimizerState): { steps: number; m?: Float32Array; v?: Float32Array } {
  const bad = (detail: string, cause?: unknown) => new ModelError('MODEL_ERR_FL_OPTIMIZER_STATE', detail, { cause });
  if (typeof s !== 'object' || s === null) throw bad('not an object');
  if (s.version !== STATE_VERSION) throw bad(`version ${String(s.version)}, expected ${STATE_VERSION}`);
  if (s.kind !== kind) throw bad(`saved by a ${String(s.kind)} optimizer, restored into ${kind}`);
  if (!(Number.isInteger(s.steps) && (s.steps as number) >= 0)) throw bad(`steps ${String(s.steps)}`);
  if (s.m === undefined && s.v === undefined) return { steps: s.steps as number };
  if (kind !== 'fedadam' || typeof s.m !== 'string' || typeof s.v !== 'string') throw bad('moments present for sgd, or only one of m and v');
  try {
    const m = decodeVector(s.m);
    const v = decodeVector(s.v, m.length);
    if (v.some((x) => x < 0)) throw bad('negative second moment');
    return { steps: s.steps as number, m, v };
  } catch (err) {
    throw err instanceof ModelError && err.code === 'MODEL_ERR_FL_OPTIMIZER_STATE' ? err : bad('moment vectors do not decode', err);
  }
}
