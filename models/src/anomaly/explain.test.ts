import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain, explainByMetric, severityOf } from './explain.js';

const names = ['temperature z[t-1]', 'temperature z[t]', 'humidity z[t-1]', 'humidity z[t]'];

test('explain: shares of the total, largest first, topK of them', () => {
  const top = explain([1, 6, 0, 3], names, 2);
  assert.deepEqual(top, [
    { feature: 'temperature z[t]', contribution: 0.6 },
    { feature: 'humidity z[t]', contribution: 0.3 },
  ]);
  const all = explain(new Float32Array([1, 6, 0, 3]), names, 10);
  assert.equal(all.length, 3, 'the input with no error is left out');
  assert.ok(Math.abs(all.reduce((s, c) => s + c.contribution, 0) - 1) < 1e-12);
  assert.equal(explain([1, 6, 0, 3], names).length, 3, 'topK defaults to 3');
});

test('explain: ties keep input order; zero, negative and non-finite errors explain nothing', () => {
  assert.deepEqual(explain([2, 2, 2, 2], names, 2).map((c) => c.feature), ['temperature z[t-1]', 'temperature z[t]']);
  assert.deepEqual(explain([0, 0, 0, 0], names), []);
  const robust = explain([Number.NaN, -5, Number.POSITIVE_INFINITY, 4], names);
  assert.deepEqual(robust, [{ feature: 'humidity z[t]', contribution: 1 }]);
});

test('explainByMetric sums the shares per metric', () => {
  const byMetric = explainByMetric([1, 6, 0, 3], names);
  assert.deepEqual(byMetric.map((m) => m.metric), ['temperature', 'humidity']);
  assert.ok(Math.abs(byMetric[0]!.contribution - 0.7) < 1e-12);
});

test('severityOf follows threshold, confidentAbove and critical', () => {
  const t = { threshold: 1, confidentAbove: 1.5, critical: 4 };
  assert.equal(severityOf(0.99, t), null);
  assert.equal(severityOf(Number.NaN, t), null);
  assert.deepEqual(severityOf(1, t), { severity: 'info', review: true });
  assert.deepEqual(severityOf(1.49, t), { severity: 'info', review: true });
  assert.deepEqual(severityOf(1.5, t), { severity: 'warning', review: false });
  assert.deepEqual(severityOf(3.99, t), { severity: 'warning', review: false });
  assert.deepEqual(severityOf(4, t), { severity: 'critical', review: false });
  assert.deepEqual(severityOf(Number.POSITIVE_INFINITY, t), { severity: 'critical', review: false });
});
