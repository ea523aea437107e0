import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PowerMode } from '@outpost/protocols';
import { PowerPolicy, type PowerThresholds, wantedMode } from './power-policy.js';
import type { PowerSample } from './power-source.js';

const thresholds: PowerThresholds = {
  saverBelowPercent: 30,
  saverExitPercent: 40,
  criticalBelowPercent: 10,
  criticalExitPercent: 15,
  hotAboveC: 80,
  hotExitC: 70,
  confirmSamples: 2,
  minDwellMs: 60_000,
};

type Input = Pick<PowerSample, 'source' | 'batteryPercent' | 'cpuTempC'>;
const mains = (cpuTempC: number | null = null): Input => ({ source: 'ac', batteryPercent: 100, cpuTempC });
const battery = (batteryPercent: number | null): Input => ({ source: 'battery', batteryPercent, cpuTempC: null });

/** Feed samples 10 s apart from `t0`; the mode after each one. */
function run(policy: PowerPolicy, samples: Input[], t0 = 0, stepMs = 10_000): PowerMode[] {
  return samples.map((s, i) => policy.next(s, t0 + i * stepMs).state.mode);
}

describe('wantedMode: the mode one sample asks for', () => {
  test('mains is performance; a hot CPU on mains is balanced until it cools below the exit temperature', () => {
    assert.equal(wantedMode(null, mains(), thresholds).mode, 'performance');
    assert.equal(wantedMode(null, mains(45), thresholds).mode, 'performance');
    assert.equal(wantedMode('performance', mains(80), thresholds).mode, 'balanced');
    assert.equal(wantedMode('performance', mains(75), thresholds).mode, 'performance', 'between the two temperatures performance stays');
    assert.equal(wantedMode('balanced', mains(75), thresholds).mode, 'balanced', 'between the two temperatures balanced stays');
    assert.equal(wantedMode('balanced', mains(69.9), thresholds).mode, 'performance');
  });

  test('battery levels with their bands, and the unknowns', () => {
    assert.equal(wantedMode(null, battery(80), thresholds).mode, 'balanced');
    assert.equal(wantedMode('balanced', battery(29.9), thresholds).mode, 'saver');
    assert.equal(wantedMode('balanced', battery(35), thresholds).mode, 'balanced', 'above the entry threshold from balanced');
    assert.equal(wantedMode('saver', battery(35), thresholds).mode, 'saver', 'below the exit threshold from saver');
    assert.equal(wantedMode('saver', battery(40), thresholds).mode, 'balanced');
    assert.equal(wantedMode('saver', battery(9), thresholds).mode, 'critical');
    assert.equal(wantedMode('critical', battery(12), thresholds).mode, 'critical');
    assert.equal(wantedMode('critical', battery(15), thresholds).mode, 'saver', 'leaving critical lands in saver until 40 %');
    assert.equal(wantedMode('critical', battery(45), thresholds).mode, 'balanced');
    assert.equal(wantedMode('balanced', battery(null), thresholds).mode, 'saver', 'a battery with no level is treated with caution');
    assert.equal(wantedMode(null, { source: 'unknown', batteryPercent: null, cpuTempC: null }, thresholds).mode, 'balanced');
    assert.equal(wantedMode(null, { source: 'unknown', batteryPercent: 5, cpuTempC: null }, thresholds).mode, 'critical', 'an unknown source with a level is judged by the level');
    assert.match(wantedMode('balanced', battery(28), thresholds).reason, /on battery at 28 % \(saver below 30 %\)/);
  });
});

describe('PowerPolicy: the state machine', () => {
  test('mains → battery → saver → critical and back to mains', () => {
    const policy = new PowerPolicy(thresholds);
    const modes = run(policy, [
      mains(), // first sample: taken at once
      battery(90), // asks balanced (1 of 2)
      battery(90), // confirmed: balanced
      battery(29),
      battery(28), // saver
      battery(9),
      battery(8), // critical
      mains(), // mains back: asks performance (1 of 2)
      mains(), // confirmed, but critical was entered 10 s ago: held by the dwell time
    ]);
    assert.deepEqual(modes, ['performance', 'performance', 'balanced', 'balanced', 'saver', 'saver', 'critical', 'critical', 'critical']);
    // 60 s after entering critical, still on mains: performance.
    assert.equal(policy.next(mains(), 60_000 + 60_000).state.mode, 'performance');
    assert.equal(policy.state?.reason, 'on mains');
  });

  test('going down is not delayed by the dwell time, only confirmed', () => {
    const policy = new PowerPolicy(thresholds);
    policy.next(battery(50), 0);
    assert.equal(policy.next(battery(5), 1000).state.mode, 'balanced', 'one sample is not enough');
    const step = policy.next(battery(5), 2000);
    assert.equal(step.state.mode, 'critical', 'two in a row are, 2 s after the last change');
    assert.equal(step.changedFrom, 'balanced');
    assert.equal(step.state.sinceMs, 2000);
  });

  const expectedChanges: Record<number, PowerMode[]> = {
    // One sample is enough: the first dip below 30 % enters saver, the first reading at 40 % leaves it, and
    // so on; the wobble that follows each crossing changes nothing.
    1: ['saver', 'balanced', 'critical', 'saver', 'balanced'],
    // Two in a row: the wobble alone never confirms a change; the steady readings between do.
    2: ['saver', 'critical', 'saver', 'balanced'],
  };
  for (const confirmSamples of [1, 2]) {
    test(`a battery level oscillating around a threshold does not flap (confirmSamples ${confirmSamples})`, () => {
      const policy = new PowerPolicy({ ...thresholds, confirmSamples, minDwellMs: 0 });
      const around = (value: number) => Array.from({ length: 40 }, (_, i) => battery(i % 2 === 0 ? value - 0.5 : value + 0.5));
      // Down through every threshold, wobbling around each one on the way, then back up the same way.
      const modes = run(policy, [
        battery(50),
        ...around(30), // saver entry
        battery(25),
        battery(25),
        ...around(40), // saver exit, from saver
        ...around(10), // critical entry
        battery(8),
        battery(8),
        ...around(15), // critical exit, from critical
        battery(20),
        battery(20),
        ...around(30),
        battery(45),
        battery(45),
      ]);
      const changes = modes.filter((m, i) => i > 0 && m !== modes[i - 1]);
      assert.deepEqual(changes, expectedChanges[confirmSamples], 'each threshold crossed once, never back and forth');
    });
  }

  test('a reading noisier than the hysteresis band still does not flap: leaving needs confirmation and the dwell time', () => {
    const policy = new PowerPolicy({ ...thresholds, minDwellMs: 60_000 });
    // Noise of ±6 % around 36 %: crosses 40 % (saver exit) and 30 % (saver entry), never twice in a row.
    const noisy = Array.from({ length: 40 }, (_, i) => battery(i % 2 === 0 ? 42 : 29));
    const modes = run(policy, [battery(25), ...noisy]);
    assert.equal(new Set(modes).size, 1, `stayed in saver, got ${[...new Set(modes)].join(', ')}`);
  });

  test('the dwell time holds a move up; the move happens once it passed, if the samples still ask for it', () => {
    const policy = new PowerPolicy({ ...thresholds, confirmSamples: 1, minDwellMs: 60_000 });
    policy.next(battery(20), 0); // saver
    assert.equal(policy.next(battery(45), 30_000).state.mode, 'saver', 'asks balanced, held by the dwell time');
    assert.deepEqual(policy.state?.pending, { mode: 'balanced', count: 1 });
    assert.equal(policy.next(battery(35), 50_000).state.mode, 'saver', 'back in the band: nothing pending');
    assert.equal(policy.state?.pending, null);
    assert.equal(policy.next(battery(45), 61_000).state.mode, 'balanced', 'dwelled and asked again');
  });

  test('a sample asking for the current mode clears a pending change', () => {
    const policy = new PowerPolicy({ ...thresholds, confirmSamples: 3 });
    const modes = run(policy, [battery(50), battery(20), battery(20), battery(50), battery(20), battery(20), battery(20)]);
    assert.deepEqual(modes, ['balanced', 'balanced', 'balanced', 'balanced', 'balanced', 'balanced', 'saver']);
  });

  test('a hot CPU on mains goes balanced and back without flapping around the hot threshold', () => {
    const policy = new PowerPolicy(thresholds);
    const wobble = Array.from({ length: 30 }, (_, i) => mains(i % 2 === 0 ? 79 : 81));
    const modes = run(policy, [mains(50), mains(85), mains(85), ...wobble, mains(65), mains(65)], 0, 10_000);
    const changes = modes.filter((m, i) => i > 0 && m !== modes[i - 1]);
    assert.deepEqual(changes, ['balanced', 'performance']);
  });
});
