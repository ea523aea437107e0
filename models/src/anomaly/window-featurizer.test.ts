import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSeries } from '../signals/index.js';
import { isModelError } from '../errors.js';
import { featureMetric, featureNames, parseFeatureName } from './preprocessing.js';
import { WindowFeaturizer } from './window-featurizer.js';

const preprocessing = { method: 'ewma-z', alpha: 0.02, diffAlpha: 0.02, warmup: 20, clip: 8, channels: ['z', 'dz', 'ldz'], logFloor: 0.01, stdFloor: { temperature: 0.01 } };
const spec = { metrics: ['humidity', 'temperature'], window: 8, inputSize: 2 * 3 * 8, preprocessing };
const series = () => generateSeries({ seed: 'featurizer-test', deviceIds: ['h1'], profile: 'humidity', startTs: 0, intervalMs: 60_000, samples: 400, anomalyRate: 0.02 }).readings;

const run = (f: WindowFeaturizer, readings: ReturnType<typeof series>) => readings.map((r) => f.push(r.ts, r.metrics));

test('featureNames: metric-major, channel, oldest to newest; featureMetric maps back', () => {
  const names = featureNames(spec);
  assert.equal(names.length, spec.inputSize);
  assert.equal(names[0], 'humidity z[t-7]');
  assert.equal(names[7], 'humidity z[t]');
  assert.equal(names[8], 'humidity dz[t-7]');
  assert.equal(names[47], 'temperature ldz[t]');
  assert.equal(featureMetric('temperature z[t-3]'), 'temperature');
  assert.equal(featureMetric('battery_v dz[t]'), 'battery_v');
  assert.deepEqual(parseFeatureName('humidity ldz[t-12]'), { metric: 'humidity', channel: 'ldz', lag: 12 });
  assert.equal(parseFeatureName('nonsense'), null);
});

test('warms up, then returns a fresh Float32Array of inputSize with finite, clipped values', () => {
  const f = new WindowFeaturizer(spec);
  const out = run(f, series());
  assert.ok(out.slice(0, spec.preprocessing.warmup - 1).every((x) => x === null), 'null while warming up');
  const windows = out.filter((x): x is Float32Array => x !== null);
  assert.ok(windows.length > 300);
  for (const w of windows) {
    assert.equal(w.length, spec.inputSize);
    assert.ok(w.every((v) => Number.isFinite(v) && Math.abs(v) <= 8));
  }
  assert.notEqual(windows[0]!.buffer, windows[1]!.buffer, 'each window is its own array');
  // The newest value of a window is the previous window's shifted one step: a sliding window.
  assert.equal(windows[1]![6], windows[0]![7]);
});

test('deterministic: two featurizers fed the same readings give the same bytes', () => {
  const a = run(new WindowFeaturizer(spec), series());
  const b = run(new WindowFeaturizer(spec), series());
  assert.deepEqual(a, b);
});

test('state survives JSON: resuming from toJSON() gives what an uninterrupted run gives', () => {
  const readings = series();
  const whole = run(new WindowFeaturizer(spec), readings);
  for (const cut of [5, 20, 137]) {
    const first = new WindowFeaturizer(spec);
    const head = run(first, readings.slice(0, cut));
    const saved = JSON.parse(JSON.stringify(first)) as ReturnType<WindowFeaturizer['toJSON']>;
    const tail = run(new WindowFeaturizer(spec, saved), readings.slice(cut));
    assert.deepEqual([...head, ...tail], whole, `cut at ${cut}`);
  }
});

test('a reading without one of the metrics (dropout), a NaN or a repeated ts is skipped without touching the state', () => {
  const readings = series();
  const f = new WindowFeaturizer(spec);
  run(f, readings.slice(0, 50));
  const before = JSON.stringify(f);
  const last = readings[49]!;
  assert.equal(f.push(last.ts + 60_000, { humidity: 50 }), null);
  assert.equal(f.push(last.ts + 60_000, { humidity: Number.NaN, temperature: 20 }), null);
  assert.equal(f.push(last.ts, { humidity: 50, temperature: 20 }), null);
  assert.equal(f.push(last.ts - 1, { humidity: 50, temperature: 20 }), null);
  assert.equal(JSON.stringify(f), before);
  assert.ok(f.push(last.ts + 60_000, { humidity: 50, temperature: 20, extra: 1 }) instanceof Float32Array, 'extra metrics are ignored');
});

test('series with every anomaly type, dropouts included, never throw and stay finite', () => {
  const { readings } = generateSeries({ seed: 7, deviceIds: ['a', 'b'], profile: 'humidity', startTs: 0, intervalMs: 60_000, samples: 2000, anomalyRate: 0.05 });
  const f = new WindowFeaturizer(spec);
  const out = run(f, readings.filter((r) => r.deviceId === 'a'));
  assert.ok(out.every((w) => w === null || w.every(Number.isFinite)));
});

test('bad preprocessing and foreign states are refused with their codes', () => {
  assert.throws(() => new WindowFeaturizer({ ...spec, preprocessing: { ...preprocessing, alpha: 2 } }), (e) => isModelError(e, 'MODEL_ERR_PREPROCESSING') && /preprocessing\.alpha/.test(e.message));
  assert.throws(() => new WindowFeaturizer({ ...spec, inputSize: 10 }), (e) => isModelError(e, 'MODEL_ERR_PREPROCESSING') && /inputSize/.test(e.message));
  assert.throws(() => new WindowFeaturizer({ ...spec, preprocessing: { ...preprocessing, warmup: 3 } }), (e) => isModelError(e, 'MODEL_ERR_PREPROCESSING') && /warmup/.test(e.message));
  const saved = new WindowFeaturizer(spec).toJSON();
  const other = { ...spec, preprocessing: { ...preprocessing, alpha: 0.05 } };
  assert.throws(() => new WindowFeaturizer(other, saved), (e) => isModelError(e, 'MODEL_ERR_FEATURIZER_STATE') && !e.retryable);
  assert.throws(() => new WindowFeaturizer(spec, { ...saved, accepted: -1 }), (e) => isModelError(e, 'MODEL_ERR_FEATURIZER_STATE') && /accepted/.test(e.message));
});

test('a frozen signal drives ldz and mldz to the floor, unless it sits at the sensor limit (saturation)', () => {
  const p = { method: 'ewma-z', alpha: 0.05, diffAlpha: 0.05, warmup: 30, clip: 8, channels: ['ldz', 'mldz'], smooth: 4, logFloor: 0.01, saturation: { battery_v: [3, 4.2] } };
  const s = { metrics: ['battery_v'], window: 4, inputSize: 8, preprocessing: p };
  const run = (frozenAt: number) => {
    const f = new WindowFeaturizer(s);
    let out: Float32Array | null = null;
    for (let i = 0; i < 40; i++) out = f.push(i, { battery_v: 3.9 + 0.01 * Math.sin(i * 1.7) });
    for (let i = 40; i < 50; i++) out = f.push(i, { battery_v: frozenAt });
    return out!;
  };
  const frozen = run(3.8);
  assert.ok(frozen.subarray(0, 4).every((v) => Math.abs(v - Math.log(0.01)) < 1e-5), 'ldz at ln(logFloor)');
  assert.ok(Math.abs(frozen[7]! - Math.log(0.01)) < 1e-5, 'mldz too, once smooth readings are frozen');
  const saturated = run(4.2);
  assert.ok(saturated.every((v) => Math.abs(v - Math.log(0.6745)) < 1e-5), 'a reading pinned at the limit counts as an ordinary amount of change');
});

test('logOffset makes a multiplicative signal scale-free: doubling every reading leaves dz, mdz and mldz unchanged', () => {
  const p = { method: 'ewma-z', alpha: 0.05, diffAlpha: 0.05, warmup: 30, clip: 8, channels: ['dz', 'mdz', 'mldz'], smooth: 4, logOffset: { power_w: 1e-6 } };
  const s = { metrics: ['power_w'], window: 5, inputSize: 15, preprocessing: p };
  const { readings } = generateSeries({ seed: 'log', deviceIds: ['p'], profile: 'power', startTs: 0, intervalMs: 60_000, samples: 120 });
  const a = new WindowFeaturizer(s);
  const b = new WindowFeaturizer(s);
  for (const r of readings) {
    const x = a.push(r.ts, r.metrics);
    const y = b.push(r.ts, { power_w: 2 * r.metrics.power_w! });
    if (x && y) x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) < 1e-3, `${i}: ${v} vs ${y[i]}`));
  }
});
