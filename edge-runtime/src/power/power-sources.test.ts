import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { POWER_SOURCES } from '@outpost/protocols';
import { loadRuntimeConfig } from '../config/load-config.js';
import { isRuntimeError, RuntimeError } from '../errors.js';
import { SimulatedPowerSource } from './simulated-power-source.js';
import { SystemPowerSource, toPowerSample } from './system-power-source.js';

const dir = mkdtempSync(join(tmpdir(), 'outpost-power-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ok = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });
const failed = (message: string): PromiseRejectedResult => ({ status: 'rejected', reason: new Error(message) });
const noBattery = { hasBattery: false, isCharging: false, acConnected: true, percent: 0 };

describe('SystemPowerSource', () => {
  test('reads this box through systeminformation: a well-formed sample, not simulated', async () => {
    const sample = await new SystemPowerSource().read();
    assert.ok((POWER_SOURCES as readonly string[]).includes(sample.source));
    assert.equal(sample.simulated, false);
    if (sample.batteryPercent !== null) assert.ok(sample.batteryPercent >= 0 && sample.batteryPercent <= 100);
    if (sample.cpuLoadPercent !== null) assert.ok(sample.cpuLoadPercent >= 0 && sample.cpuLoadPercent <= 100);
  });

  test('a box without a battery is on mains, with no level and no charging state', () => {
    const sample = toPowerSample({ battery: ok(noBattery), load: ok({ currentLoad: 12.5 }), temperature: ok({ main: null as unknown as number, max: null as unknown as number }) });
    assert.deepEqual(sample, { source: 'ac', batteryPercent: null, charging: null, cpuLoadPercent: 12.5, cpuTempC: null, simulated: false });
  });

  test('a battery box: acConnected tells mains from battery; -1 °C is no sensor; max stands in for main', () => {
    const onBattery = toPowerSample({ battery: ok({ hasBattery: true, isCharging: false, acConnected: false, percent: 37 }), load: ok({ currentLoad: 3 }), temperature: ok({ main: -1, max: 64 }) });
    assert.deepEqual(onBattery, { source: 'battery', batteryPercent: 37, charging: false, cpuLoadPercent: 3, cpuTempC: 64, simulated: false });
    const charging = toPowerSample({ battery: ok({ hasBattery: true, isCharging: true, acConnected: true, percent: 80 }), load: ok({ currentLoad: 3 }), temperature: ok({ main: -1, max: -1 }) });
    assert.equal(charging.source, 'ac');
    assert.equal(charging.charging, true);
    assert.equal(charging.cpuTempC, null);
  });

  test('a failed battery query is source unknown; failed battery and load queries are RT_ERR_POWER_SOURCE', () => {
    assert.equal(toPowerSample({ battery: failed('no /sys'), load: ok({ currentLoad: 1 }), temperature: failed('x') }).source, 'unknown');
    assert.throws(
      () => toPowerSample({ battery: failed('no /sys'), load: failed('no /proc'), temperature: failed('x') }),
      (err: unknown) => isRuntimeError(err, 'RT_ERR_POWER_SOURCE') && /no \/sys/.test(err.message),
    );
  });
});

describe('SimulatedPowerSource', () => {
  test('re-reads its file at every sample; every sample says simulated', async () => {
    const file = join(dir, 'power.json');
    writeFileSync(file, '{"source":"battery","batteryPercent":42,"charging":false}');
    const source = SimulatedPowerSource.fromFile(file);
    assert.equal(source.simulated, true);
    assert.deepEqual(await source.read(), { source: 'battery', batteryPercent: 42, charging: false, cpuLoadPercent: null, cpuTempC: null, simulated: true });
    writeFileSync(file, '{"source":"ac","cpuTempC":85.5}');
    assert.deepEqual(await source.read(), { source: 'ac', batteryPercent: null, charging: null, cpuLoadPercent: null, cpuTempC: 85.5, simulated: true });
  });

  test('a missing, torn or wrong file is RT_ERR_POWER_SOURCE naming the file and the problem', async () => {
    const file = join(dir, 'bad.json');
    const source = SimulatedPowerSource.fromFile(file);
    const refused = async (pattern: RegExp) =>
      assert.rejects(source.read(), (err: unknown) => err instanceof RuntimeError && err.code === 'RT_ERR_POWER_SOURCE' && err.retryable && pattern.test(err.message));
    await refused(/cannot read the simulated power file .*bad\.json/);
    writeFileSync(file, '{"source":"battery","batteryPer');
    await refused(/is not JSON/);
    writeFileSync(file, '{"source":"battery","batteryPercent":142}');
    await refused(/batteryPercent: Too big/);
    writeFileSync(file, '{"source":"battery","volts":3.7}');
    await refused(/volts/);
  });

  test('fixed values from the configuration (environment): simulated too', async () => {
    const config = loadRuntimeConfig({ env: { OUTPOST_RT_POWER_SOURCE: 'fixed', OUTPOST_RT_POWER_FIXED_BATTERY_PERCENT: '12', OUTPOST_RT_POWER_FIXED_CHARGING: 'true' } });
    assert.deepEqual(config.power.fixed, { source: 'battery', batteryPercent: 12, charging: true });
    const sample = await SimulatedPowerSource.fixed({ ...config.power.fixed }).read();
    assert.deepEqual(sample, { source: 'battery', batteryPercent: 12, charging: true, cpuLoadPercent: null, cpuTempC: null, simulated: true });
  });
});

describe('power configuration', () => {
  test('thresholds without hysteresis, in the wrong order, or a file source without a file are refused by key', () => {
    const refuse = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadRuntimeConfig({ env }), (err: unknown) => isRuntimeError(err, 'RT_ERR_CONFIG') && pattern.test(err.message));
    refuse({ OUTPOST_RT_POWER_SAVER_EXIT_PERCENT: '30' }, /power\.saverExitPercent.*must be above saverBelowPercent \(30\)/);
    refuse({ OUTPOST_RT_POWER_CRITICAL_BELOW_PERCENT: '35', OUTPOST_RT_POWER_CRITICAL_EXIT_PERCENT: '38' }, /power\.criticalBelowPercent.*must be below saverBelowPercent/);
    refuse({ OUTPOST_RT_POWER_HOT_EXIT_C: '90' }, /power\.hotExitC.*must be below hotAboveC/);
    refuse({ OUTPOST_RT_POWER_SOURCE: 'file' }, /power\.file.*needs power\.file/);
    refuse({ OUTPOST_RT_POWER_SOURCE: 'solar' }, /power\.source from env OUTPOST_RT_POWER_SOURCE: got "solar"/);
  });
});
