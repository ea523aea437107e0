import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowReservoir } from './window-reservoir.js';

const v = (x: number, n = 4) => Float32Array.from({ length: n }, () => x);

test('keeps at most `capacity` windows per profile, a uniform sample of all it saw, and counts fresh ones', () => {
  const r = new WindowReservoir(50, 2, 7);
  for (let i = 0; i < 1000; i++) r.add('temperature', 'd1', i, v(i), false);
  const kept = r.windows('temperature', 4);
  assert.equal(kept.length, 50);
  // Uniform over 0..999: some of the first half and some of the second survive.
  assert.ok(kept.some((w) => w[0]! < 500) && kept.some((w) => w[0]! >= 500));
  assert.equal(r.fresh('temperature', 4), 50);
  r.trained('temperature');
  assert.equal(r.fresh('temperature', 4), 0);
  r.add('temperature', 'd1', 1001, v(1), false);
  assert.equal(r.fresh('temperature', 4), 1);
  assert.equal(r.fresh('temperature', 8), 0, 'another layout has no windows');
});

test('bounds the profiles, and a new input layout replaces the old windows of a profile', () => {
  const r = new WindowReservoir(16, 2);
  r.add('a', 'd', 1, v(1), false);
  r.add('b', 'd', 1, v(1), false);
  r.add('c', 'd', 1, v(1), false);
  assert.deepEqual(Object.keys(r.stats()).sort(), ['a', 'b']);
  r.add('a', 'd', 2, v(2, 6), false);
  assert.equal(r.windows('a', 4).length, 0);
  assert.equal(r.windows('a', 6).length, 1);
});

test('flagged windows wait for a label: normal admits them, anomaly removes the device\'s windows near the alert', () => {
  const r = new WindowReservoir(100, 1);
  r.add('t', 'd1', 1000, v(1), false);
  r.add('t', 'd1', 5000, v(2), true);
  r.add('t', 'd2', 5000, v(3), false);
  assert.equal(r.windows('t', 4).length, 2, 'the flagged window is not trained on');
  assert.equal(r.label('d1', 5000, 'normal', 100), 1);
  assert.equal(r.windows('t', 4).length, 3);
  assert.equal(r.label('d1', 1000, 'anomaly', 100), 1, 'only d1\'s window at 1000 goes');
  assert.deepEqual(r.windows('t', 4).map((w) => w[0]).sort(), [2, 3]);
});
