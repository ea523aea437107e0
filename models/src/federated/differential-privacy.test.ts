import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isModelError } from '../errors.js';
import { clipAndNoise, l2Norm } from './differential-privacy.js';
import { privacySpent, rdpSampledGaussian } from './privacy-accountant.js';

test('clipping bounds the L2 norm and keeps the direction; a small update passes unchanged without noise', () => {
  const big = Float32Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -2));
  const r = clipAndNoise(big, { clipNorm: 1, noiseMultiplier: 0 }, 's');
  assert.equal(r.clipped, true);
  assert.ok(Math.abs(r.preClipNorm - l2Norm(big)) < 1e-9);
  assert.ok(Math.abs(l2Norm(r.delta) - 1) < 1e-5);
  assert.ok(Math.abs(r.delta[0]! / r.delta[1]! - -2) < 1e-5);
  const small = Float32Array.from([0.1, -0.2]);
  const s = clipAndNoise(small, { clipNorm: 1, noiseMultiplier: 0 }, 's');
  assert.equal(s.clipped, false);
  assert.deepEqual(s.delta, small);
});

test('noise is seeded, and its std is noiseMultiplier · clipNorm within a statistical bound', () => {
  const n = 20_000;
  const zero = new Float32Array(n);
  const a = clipAndNoise(zero, { clipNorm: 0.5, noiseMultiplier: 2 }, 'seed-a');
  assert.deepEqual(clipAndNoise(zero, { clipNorm: 0.5, noiseMultiplier: 2 }, 'seed-a').delta, a.delta);
  assert.notDeepEqual(clipAndNoise(zero, { clipNorm: 0.5, noiseMultiplier: 2 }, 'seed-b').delta, a.delta);
  let sum = 0;
  let sq = 0;
  for (const x of a.delta) {
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  const std = Math.sqrt(sq / n - mean * mean);
  // Expected std 1; the sample std's own std is ≈ 1/√(2n) = 0.005, the mean's 1/√n = 0.007: 5σ bounds.
  assert.ok(Math.abs(std - 1) < 0.025, `std ${std}`);
  assert.ok(Math.abs(mean) < 0.035, `mean ${mean}`);
  assert.throws(() => clipAndNoise(zero, { clipNorm: 0, noiseMultiplier: 1 }, 's'), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
  assert.throws(() => clipAndNoise(Float32Array.from([Number.NaN]), { clipNorm: 1, noiseMultiplier: 1 }, 's'), (e) => isModelError(e, 'MODEL_ERR_FL_VECTOR'));
});

test('RDP of the Gaussian: q = 1 is α/(2σ²); subsampling only lowers it', () => {
  assert.ok(Math.abs(rdpSampledGaussian(2, 1, 8) - 8 / 8) < 1e-12);
  assert.ok(rdpSampledGaussian(2, 0.1, 8) < rdpSampledGaussian(2, 1, 8));
  // For small q the RDP is about 2·α·q²/(2σ²)·… : check against the exact binomial sum at α = 2, which is log(1 + q²(e^{1/σ²} − 1)).
  const q = 0.05;
  const sigma = 1.5;
  assert.ok(Math.abs(rdpSampledGaussian(sigma, q, 2) - Math.log(1 + q * q * (Math.exp(1 / (sigma * sigma)) - 1))) < 1e-12);
});

test('privacySpent grows with rounds and shrinks with more noise; known value for one full-batch round', () => {
  const rounds = (n: number, z: number, q = 0.5) => Array.from({ length: n }, () => ({ noiseMultiplier: z, samplingRate: q }));
  let last = 0;
  for (const n of [1, 2, 5, 10, 30]) {
    const e = privacySpent(rounds(n, 1), 1e-5).epsilon;
    assert.ok(e > last, `${n} rounds: ${e} after ${last}`);
    last = e;
  }
  let prev = Infinity;
  for (const z of [0.5, 1, 2, 4, 8]) {
    const e = privacySpent(rounds(10, z), 1e-5).epsilon;
    assert.ok(e < prev, `noise ${z}: ${e} not below ${prev}`);
    prev = e;
  }
  // One round, q = 1, σ = 1: min over integer α of α/2 + ln(1e5)/(α − 1) — at α = 6 (3 + 2.3026 = 5.3026).
  assert.ok(Math.abs(privacySpent(rounds(1, 1, 1), 1e-5).epsilon - (3 + Math.log(1e5) / 5)) < 1e-9);
  assert.equal(privacySpent([], 1e-5).epsilon, 0);
  assert.equal(privacySpent(rounds(1, 0), 1e-5).epsilon, Infinity);
  assert.throws(() => privacySpent(rounds(1, 1), 0), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
  assert.throws(() => privacySpent(rounds(1, 1, 1.5), 1e-5), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
});
