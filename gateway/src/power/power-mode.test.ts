import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadGatewayConfig } from '../config/load-config.js';
import { logLevelFor, powerEffects } from './power-mode.js';

const { power } = loadGatewayConfig({ env: {} });

describe('the power mode policy table', () => {
  test('performance and balanced send continuously, every class; only performance allows training', () => {
    for (const mode of ['performance', 'balanced'] as const) {
      const e = powerEffects(mode, power, 'info');
      assert.deepEqual(e.sync, { intervalMs: 0, maxBatchRecords: null, maxPriority: null, deferredClasses: [] });
      assert.equal(e.logLevel, 'info');
    }
    assert.equal(powerEffects('performance', power, 'info').trainingAllowed, true);
    assert.equal(powerEffects('balanced', power, 'info').trainingAllowed, false);
  });

  test('saver and critical pace sync in rounds, cap batches and defer summaries and raw readings; alerts are never deferred', () => {
    const saver = powerEffects('saver', power, 'debug');
    assert.deepEqual(saver.sync, { intervalMs: 30_000, maxBatchRecords: 500, maxPriority: 4, deferredClasses: ['summary', 'rawReading'] });
    assert.equal(saver.logLevel, 'info');
    const critical = powerEffects('critical', power, 'debug');
    assert.deepEqual(critical.sync, { intervalMs: 120_000, maxBatchRecords: 100, maxPriority: 4, deferredClasses: ['summary', 'rawReading'] });
    assert.equal(critical.logLevel, 'warn');
    assert.equal(critical.trainingAllowed, false);
  });

  test('no mode reported runs as performance; a more severe configured log level stays', () => {
    assert.deepEqual(powerEffects(null, power, 'info'), powerEffects('performance', power, 'info'));
    assert.equal(logLevelFor('critical', 'error'), 'error');
    assert.equal(logLevelFor('critical', 'silent'), 'silent');
    assert.equal(logLevelFor('saver', 'trace'), 'info');
    assert.equal(logLevelFor(null, 'trace'), 'trace');
  });
});
