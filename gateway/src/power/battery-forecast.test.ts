import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forecastBattery } from './battery-forecast.js';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

describe('battery forecast', () => {
  it('a steady drain of 1 %/h: −24 %/day, empty when the line reaches 0', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ ts: T0 + i * HOUR, percent: 80 - i }));
    const f = forecastBattery(points)!;
    assert.equal(f.percentPerDay, -24);
    assert.equal(f.basedOnSamples, 10);
    assert.equal(f.spanMs, 9 * HOUR);
    // 71 % left at 1 %/h: 71 hours after the last point.
    assert.ok(Math.abs(f.emptyAt! - (T0 + 9 * HOUR + 71 * HOUR)) < 1000, `emptyAt ${f.emptyAt}`);
  });

  it('noise around the trend does not move the slope much; charging gives no empty time', () => {
    const noisy = Array.from({ length: 48 }, (_, i) => ({ ts: T0 + i * HOUR, percent: 90 - 0.5 * i + (i % 2 === 0 ? 0.8 : -0.8) }));
    const f = forecastBattery(noisy)!;
    assert.ok(Math.abs(f.percentPerDay + 12) < 0.5, `${f.percentPerDay}`);
    const charging = forecastBattery([20, 30, 40].map((percent, i) => ({ ts: T0 + i * HOUR, percent })))!;
    assert.equal(charging.percentPerDay, 240);
    assert.equal(charging.emptyAt, null);
  });

  it('too little history: fewer than 3 points, or less than 15 minutes between first and last', () => {
    assert.equal(forecastBattery([]), null);
    assert.equal(forecastBattery([{ ts: T0, percent: 50 }, { ts: T0 + HOUR, percent: 49 }]), null);
    assert.equal(forecastBattery([0, 1, 2].map((i) => ({ ts: T0 + i * 60_000, percent: 50 - i }))), null);
  });
});
