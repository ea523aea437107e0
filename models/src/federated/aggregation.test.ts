import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isModelError } from '../errors.js';
import { aggregate } from './aggregators.js';
import { createServerOptimizer } from './server-optimizer.js';

const v = (...xs: number[]) => Float32Array.from(xs);
const close = (a: Float32Array, b: number[], tol = 1e-6) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= tol, `${i}: ${x} vs ${b[i]}`));

test('fedavg weights by sample count', () => {
  close(aggregate([{ delta: v(1, 0), samples: 1 }, { delta: v(4, 3), samples: 2 }], { kind: 'fedavg' }), [3, 2]);
  assert.throws(() => aggregate([], { kind: 'fedavg' }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
  assert.throws(() => aggregate([{ delta: v(1), samples: 1 }, { delta: v(1, 2), samples: 1 }], { kind: 'fedavg' }), (e) => isModelError(e, 'MODEL_ERR_FL_VECTOR'));
  assert.throws(() => aggregate([{ delta: v(1), samples: 0 }], { kind: 'fedavg' }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
});

test('trimmed mean and median shrug off one wild client where fedavg does not', () => {
  const honest = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((x) => ({ delta: v(x, -x), samples: 10 }));
  const attacked = [...honest, { delta: v(1e6, -1e6), samples: 10 }];
  close(aggregate(attacked, { kind: 'trimmed-mean', trimFraction: 0.1 }), [5.5, -5.5]);
  close(aggregate(attacked, { kind: 'median' }), [5.5, -5.5]);
  assert.ok(aggregate(attacked, { kind: 'fedavg' })[0]! > 1e5);
  // Odd count: the middle value; trimFraction 0 is the plain mean.
  close(aggregate(honest, { kind: 'median' }), [5, -5]);
  close(aggregate([{ delta: v(1), samples: 1 }, { delta: v(2), samples: 100 }], { kind: 'trimmed-mean', trimFraction: 0 }), [1.5]);
  assert.throws(() => aggregate(honest, { kind: 'trimmed-mean', trimFraction: 0.5 }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
});

test('server sgd: learning rate 1 is plain FedAvg, 0.5 goes half way', () => {
  close(createServerOptimizer({ kind: 'sgd', learningRate: 1 }).step(v(1, 1), v(0.5, -2)), [1.5, -1]);
  close(createServerOptimizer({ kind: 'sgd', learningRate: 0.5 }).step(v(1, 1), v(0.5, -2)), [1.25, 0]);
});

test('FedAdam matches a hand-computed two-step example, and resumes from its state', () => {
  const cfg = { kind: 'fedadam' as const, learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.01 };
  const opt = createServerOptimizer(cfg);
  // Step 1, Δ = (0.2, −0.1): m = (0.02, −0.01), v = (0.0004, 0.0001), √v = (0.02, 0.01);
  // x = (1, 2) + 0.1 · m / (√v + 0.01) = (1 + 0.002/0.03, 2 − 0.001/0.02) = (1.0666667, 1.95).
  const x1 = opt.step(v(1, 2), v(0.2, -0.1));
  close(x1, [1 + 0.002 / 0.03, 1.95]);
  const saved = JSON.parse(JSON.stringify(opt.state())) as Record<string, unknown>;
  // Step 2, Δ = (0.2, 0.1): m = (0.038, 0.001), v = (0.000796, 0.000199);
  // x = x1 + 0.1 · m / (√v + 0.01).
  const m = [0.9 * 0.02 + 0.1 * 0.2, 0.9 * -0.01 + 0.1 * 0.1];
  const s = [0.99 * 0.0004 + 0.01 * 0.04, 0.99 * 0.0001 + 0.01 * 0.01];
  const expected = [x1[0]! + (0.1 * m[0]!) / (Math.sqrt(s[0]!) + 0.01), x1[1]! + (0.1 * m[1]!) / (Math.sqrt(s[1]!) + 0.01)];
  close(opt.step(x1, v(0.2, 0.1)), expected, 1e-5);
  close(createServerOptimizer(cfg, saved).step(x1, v(0.2, 0.1)), expected, 1e-5);
  assert.equal(saved.steps, 1);
});

test('a state that does not fit is refused with MODEL_ERR_FL_OPTIMIZER_STATE', () => {
  const opt = createServerOptimizer({ kind: 'fedadam', learningRate: 0.1 });
  opt.step(v(1, 2), v(0.1, 0.1));
  const state = opt.state();
  const refused = (s: Record<string, unknown>, kind: 'sgd' | 'fedadam' = 'fedadam') => assert.throws(() => createServerOptimizer({ kind, learningRate: 0.1 }, s), (e) => isModelError(e, 'MODEL_ERR_FL_OPTIMIZER_STATE'));
  refused(state, 'sgd');
  refused({ ...state, version: 2 });
  refused({ ...state, m: 'garbage!' });
  refused({ ...state, v: undefined });
  assert.throws(() => createServerOptimizer({ kind: 'fedadam', learningRate: 0.1 }, state).step(v(1, 2, 3), v(0, 0, 0)), (e) => isModelError(e, 'MODEL_ERR_FL_OPTIMIZER_STATE'));
  assert.throws(() => createServerOptimizer({ kind: 'fedadam', learningRate: 0 }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
});
