import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnomalyLabel, SeriesReading } from '../signals/index.js';
import { labelWindows } from './labelled-windows.js';
import { robustZScore } from './robust-z-baseline.js';

const spec = { metrics: ['temperature'], window: 4, inputSize: 8, preprocessing: { method: 'ewma-z', alpha: 0.1, diffAlpha: 0.1, warmup: 5, clip: 4, channels: ['z', 'dz'] } };
const reading = (i: number, value?: number): SeriesReading => ({ deviceId: 'd', ts: i * 60_000, metrics: value === undefined ? {} : { temperature: value }, clean: { temperature: 20 } });
const label = (type: AnomalyLabel['type'], from: number, to: number): AnomalyLabel => ({ deviceId: 'd', metric: 'temperature', type, startTs: from * 60_000, endTs: to * 60_000, magnitude: 1, samples: to - from + 1 });

test('windows are anomaly (last reading inside a label), tail (anomaly inside, already over) or normal', () => {
  const readings = Array.from({ length: 30 }, (_, i) => reading(i, 20 + Math.sin(i) + (i === 12 ? 10 : 0)));
  const w = labelWindows(spec, readings, [label('spike', 12, 12), label('drift', 20, 21)]);
  // Warm-up of 5 readings: windows end at readings 4..29.
  assert.equal(w.inputs.length, 26);
  const at = (i: number) => i - 4;
  assert.equal(w.cls[at(12)], 'anomaly');
  assert.equal(w.type[at(12)], 'spike');
  assert.deepEqual([13, 14, 15].map((i) => w.cls[at(i)]), ['tail', 'tail', 'tail']);
  assert.equal(w.cls[at(16)], 'normal', 'the spike left the 4-reading window');
  assert.equal(w.msSinceAnomaly[at(16)], 4 * 60_000);
  assert.equal(w.msSinceAnomaly[at(11)], Number.POSITIVE_INFINITY);
  assert.deepEqual([20, 21].map((i) => w.type[at(i)]), ['drift', 'drift']);
  assert.equal(w.cls[at(11)], 'normal');
  assert.deepEqual(Array.from(w.raw[at(12)]![0]!), [9, 10, 11, 12].map((i) => 20 + Math.sin(i) + (i === 12 ? 10 : 0)));
});

test('a dropout yields no window, only skipped readings, and never a positive', () => {
  const readings = Array.from({ length: 20 }, (_, i) => reading(i, i >= 10 && i <= 12 ? undefined : 20 + Math.cos(i)));
  const w = labelWindows(spec, readings, [label('dropout', 10, 12)]);
  assert.equal(w.skippedReadings, 3);
  assert.equal(w.inputs.length, 17 - 4);
  assert.ok(w.cls.every((c) => c === 'normal'));
});

test('the robust z baseline scores a spike high, a flat window zero, and takes the largest metric', () => {
  const calm = Float64Array.from([1, 1.1, 0.9, 1, 1.05, 0.95, 1]);
  const spiked = Float64Array.from([1, 1.1, 0.9, 1, 1.05, 0.95, 5]);
  assert.ok(robustZScore([spiked], [1e-3]) > 10 * robustZScore([calm], [1e-3]));
  assert.equal(robustZScore([new Float64Array(7).fill(2)], [1e-3]), 0);
  assert.equal(robustZScore([calm, spiked], [1e-3, 1e-3]), robustZScore([spiked], [1e-3]));
});
