import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANOMALY_TYPES, type AnomalyLabel, type AnomalyType } from './anomalies.js';
import { generateSeries, type SeriesReading } from './generate-series.js';
import { METRICS, PROFILE_NAMES } from './profiles.js';
import { SignalGenerator } from './signal-generator.js';

const DEVICES = ['d-0', 'd-1', 'd-2', 'd-3', 'd-4'];
const START = Date.UTC(2026, 0, 1);
const scaleOf = (metric: string) => Object.values(METRICS).find((m) => m.name === metric)!.scale;

function series(seed: number, anomalyRate: number, types: readonly AnomalyType[] = ANOMALY_TYPES) {
  return generateSeries({ seed, deviceIds: DEVICES, profile: 'mixed', startTs: START, intervalMs: 60_000, samples: 1500, anomalyRate, anomalyTypes: types });
}

function inWindow(readings: SeriesReading[], label: AnomalyLabel): SeriesReading[] {
  return readings.filter((r) => r.deviceId === label.deviceId && r.ts >= label.startTs && r.ts <= label.endTs);
}

describe('signal generators', () => {
  it('give identical readings and labels for the same seed, different ones for another seed', () => {
    const a = series(7, 0.02);
    const b = series(7, 0.02);
    assert.deepEqual(a, b);
    assert.ok(a.labels.length > 10, `expected labels, got ${a.labels.length}`);
    const c = series(8, 0.02);
    assert.notDeepEqual(a.readings.slice(0, 50), c.readings.slice(0, 50));
  });

  it('keep the clean signal the same whether anomalies are injected or not', () => {
    const clean = series(3, 0);
    const dirty = series(3, 0.03);
    assert.equal(clean.labels.length, 0);
    const cleanByKey = new Map(clean.readings.map((r) => [`${r.deviceId}@${r.ts}`, r.clean]));
    for (const r of dirty.readings) assert.deepEqual(r.clean, cleanByKey.get(`${r.deviceId}@${r.ts}`));
  });

  it('stay inside each metric\'s physical range, every profile', () => {
    const { readings } = series(11, 0.05);
    const seen = new Set<string>();
    for (const r of readings) {
      for (const [name, v] of Object.entries(r.metrics)) {
        const spec = Object.values(METRICS).find((m) => m.name === name)!;
        assert.ok(v >= spec.min && v <= spec.max, `${name}=${v} outside [${spec.min}, ${spec.max}]`);
        seen.add(name);
      }
    }
    assert.deepEqual([...seen].sort(), Object.values(METRICS).map((m) => m.name).sort());
  });

  for (const type of ANOMALY_TYPES) {
    it(`make each ${type} visible in the signal at its label, and nowhere else`, () => {
      const { readings, labels } = series(21, 0.02, [type]);
      assert.ok(labels.length >= 5, `expected several ${type} labels, got ${labels.length}`);
      for (const label of labels) {
        assert.equal(label.type, type);
        const window = inWindow(readings, label);
        const scale = scaleOf(label.metric);
        const dev = window.map((r) => (r.metrics[label.metric] ?? NaN) - (r.clean[label.metric] ?? NaN));
        if (type === 'spike') {
          assert.ok(window.length === label.samples && dev.every((d) => Math.abs(d) >= 5 * scale), `spike ${JSON.stringify(label)} deviations ${dev}`);
        } else if (type === 'drift') {
          const spec = Object.values(METRICS).find((m) => m.name === label.metric)!;
          const last = window.at(-1)!.metrics[label.metric]!;
          const atLimit = last === spec.min || last === spec.max;
          assert.ok(atLimit || Math.abs(dev.at(-1)! - label.magnitude) < 1e-3, `drift ends at its magnitude: ${dev.at(-1)} vs ${label.magnitude}`);
          assert.ok(Math.abs(dev.at(-1)!) > Math.abs(dev[0]!), 'drift grows');
        } else if (type === 'stuck-at') {
          assert.ok(window.every((r) => r.metrics[label.metric] === label.magnitude), 'stuck at the labelled value');
        } else if (type === 'noise-burst') {
          const rms = Math.sqrt(dev.reduce((s, d) => s + d * d, 0) / dev.length);
          assert.ok(rms > 1.5 * scale, `noise rms ${rms} vs scale ${scale}`);
        } else {
          assert.ok(window.every((r) => !(label.metric in r.metrics)), 'the metric is absent during a dropout');
          const span = (label.endTs - label.startTs) / 60_000 + 1;
          assert.equal(span, label.samples);
        }
      }
      // Outside every label window the readings are the clean signal.
      for (const r of readings) {
        const covered = labels.some((l) => l.deviceId === r.deviceId && r.ts >= l.startTs && r.ts <= l.endTs);
        if (!covered) assert.deepEqual(r.metrics, r.clean, `${r.deviceId}@${r.ts} differs from the clean signal outside any label`);
      }
    });
  }

  it('drains a battery when it is not charging and recovers while charging', () => {
    const gen = new SignalGenerator({ seed: 1, deviceId: 'b-1', profile: 'battery', timeScale: 3600 });
    assert.ok(gen.battery, 'the battery profile exposes its battery');
    gen.battery.charging = false;
    gen.battery.drainMultiplier = 20;
    const volts = (from: number, n: number) => Array.from({ length: n }, (_, i) => gen.next(from + i * 1000).clean.battery_v!);
    const draining = volts(START, 40);
    assert.ok(draining.at(-1)! < draining[0]! - 0.05, `drains: ${draining[0]} → ${draining.at(-1)}`);
    gen.battery.charging = true;
    gen.battery.drainMultiplier = 1;
    const charging = volts(START + 40_000, 40);
    assert.ok(charging.at(-1)! > draining.at(-1)!, `recovers: ${draining.at(-1)} → ${charging.at(-1)}`);
  });

  it('has a profile for each sensor type', () => {
    for (const profile of PROFILE_NAMES) {
      const s = new SignalGenerator({ seed: 'x', deviceId: 'p', profile }).next(START);
      assert.ok(s.metrics && Object.keys(s.metrics).length >= 1, profile);
    }
  });
});
