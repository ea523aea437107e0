import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confusionAt, rocAuc, thresholdForFpr } from './detection-metrics.js';

test('rocAuc: perfect, inverted, all tied, and ties counted as one half', () => {
  assert.equal(rocAuc([3, 4], [1, 2]), 1);
  assert.equal(rocAuc([1, 2], [3, 4]), 0);
  assert.equal(rocAuc([5, 5, 5], [5, 5]), 0.5);
  // Pairs: (2>1) (2=2) (3>1) (3>2) → (1 + 0.5 + 1 + 1) / 4.
  assert.equal(rocAuc([2, 3], [1, 2]), 0.875);
  assert.ok(Number.isNaN(rocAuc([], [1])));
});

test('rocAuc equals the pairwise definition on random data with many ties', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pos = Array.from({ length: 300 }, () => Math.round(rnd() * 20));
  const neg = Array.from({ length: 400 }, () => Math.round(rnd() * 15));
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  assert.ok(Math.abs(rocAuc(pos, neg) - wins / (pos.length * neg.length)) < 1e-12);
});

test('thresholdForFpr lets at most the target share of normal scores alert', () => {
  const normal = Array.from({ length: 1000 }, (_, i) => i / 10);
  const t = thresholdForFpr(normal, 0.01);
  const c = confusionAt([], normal, t);
  assert.ok(c.fpr <= 0.01, `fpr ${c.fpr}`);
  assert.ok(c.fp >= 9, 'not needlessly strict');
  assert.equal(confusionAt([t, t - 1e-9], [], t).tp, 1, 'score ≥ threshold alerts');
});
