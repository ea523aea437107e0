import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ENERGY_MODEL, batteryJoules, batteryLifeDays, joulesPerDay } from './energy-model.js';

describe('energy model (simulated)', () => {
  it('adds samples, transmissions, sleep and self-discharge per day', () => {
    const m = { sampleJ: 1e-3, txOverheadJ: 10e-3, txPerByteJ: 1e-3, sleepW: 1e-6, batteryMah: 1000, batteryVolts: 3, selfDischargePerYear: 0.365 };
    assert.equal(batteryJoules(m), 10_800);
    const perDay = joulesPerDay(m, { samplesPerDay: 1000, transmissionsPerDay: 100, bytesPerTransmission: 40 });
    // 1 J of samples, 100 × 50 mJ of radio, 86.4 mJ of sleep, 10.8 J of self-discharge.
    assert.ok(Math.abs(perDay - (1 + 5 + 0.0864 + 10.8)) < 1e-9, `${perDay}`);
  });

  it('fewer transmissions mean a longer life, bounded by sampling, sleep and self-discharge', () => {
    const periodic = batteryLifeDays(DEFAULT_ENERGY_MODEL, { samplesPerDay: 1440, transmissionsPerDay: 1440, bytesPerTransmission: 50 });
    const adaptive = batteryLifeDays(DEFAULT_ENERGY_MODEL, { samplesPerDay: 1440, transmissionsPerDay: 144, bytesPerTransmission: 50 });
    const silent = batteryLifeDays(DEFAULT_ENERGY_MODEL, { samplesPerDay: 1440, transmissionsPerDay: 0, bytesPerTransmission: 50 });
    assert.ok(periodic < adaptive && adaptive < silent);
    // One reading a minute over LoRa-class radio: years, not months or decades, for a 2.6 Ah cell.
    assert.ok(periodic > 365 && periodic < 10 * 365, `${periodic} days`);
    assert.ok(silent < 100 * 365, 'self-discharge bounds the life even with the radio off');
  });
});
