// The gateway's side of the power mode, in process: a stand-in for edge-runtime publishes power reports on
// local/v1/power/mode (the real runtime drives it in power-scenario.test.ts). The API shows the mode and
// its effects, the log level follows it, and critical flushes and checkpoints the store and runs the action.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { encodeMessage, type LocalPowerMode, localTopics } from '@outpost/protocols';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { type SyncView, waitFor } from './helpers/sync-fixture.js';
import { type TestGateway, startTestGateway } from './helpers/test-gateway.js';
import { connectInternal } from './helpers/ui-browser.js';

interface PowerView {
  available: boolean;
  mode: string | null;
  simulated: boolean | null;
  source: string | null;
  batteryPercent: number | null;
  reason: string | null;
  effects: { sync: { intervalMs: number; maxBatchRecords: number | null; deferredClasses: string[] }; logLevel: string; trainingAllowed: boolean };
  criticalAction: string;
  lastCritical: { storeFlushed: boolean; checkpoint: { busy: boolean; walBytesAfter: number } | null; logsFlushed: boolean; error: string | null; action: string; shutdown: string } | null;
}

const report = (mode: LocalPowerMode['mode'], extra: Partial<LocalPowerMode> = {}): Buffer =>
  encodeMessage('localPowerMode', { v: 1, ts: Date.now(), mode, simulated: true, source: 'battery', ...extra });

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

describe('gateway power mode (reports from a stand-in edge-runtime)', () => {
  let gw: TestGateway;
  let runtime: MqttClient;
  const logs = logSink();
  let shutdowns = 0;
  const power = async () => (await gw.api<PowerView>('/api/v1/power')).body;
  const publish = (payload: Buffer) => runtime.publishAsync(localTopics.powerMode(), payload, { qos: 1, retain: true });

  before(async () => {
    gw = await startTestGateway({ power: { criticalAction: 'shutdown' } }, undefined, { logger: logs.logger, onPowerShutdown: () => shutdowns++ });
    runtime = await connectInternal(gw.addresses.mqttPort, gw.dataDir);
  });
  after(async () => {
    await runtime?.endAsync();
    await gw?.close();
  });

  it('before any report: not available, the gateway runs as in performance', async () => {
    const view = await power();
    assert.equal(view.available, false);
    assert.equal(view.mode, null);
    assert.deepEqual(view.effects.sync, { intervalMs: 0, maxBatchRecords: null, maxPriority: null, deferredClasses: [] });
    assert.equal(view.criticalAction, 'shutdown');
    assert.equal(view.lastCritical, null);
  });

  it('saver: the API and the sync status show it, simulated; debug logging stops', async () => {
    await publish(report('saver', { batteryPercent: 25, charging: false, reason: 'on battery at 25 % (saver below 30 %)' }));
    const view = await waitFor('saver', async () => ((await power()).mode === 'saver' ? power() : undefined), 10_000);
    assert.deepEqual(
      { simulated: view.simulated, source: view.source, batteryPercent: view.batteryPercent, reason: view.reason },
      { simulated: true, source: 'battery', batteryPercent: 25, reason: 'on battery at 25 % (saver below 30 %)' },
    );
    assert.deepEqual(view.effects.sync.deferredClasses, ['summary', 'rawReading']);
    assert.equal(view.effects.logLevel, 'info');
    assert.equal(view.effects.trainingAllowed, false);
    assert.equal(gw.gateway.logger.level, 'info');
    const sync = (await gw.api<SyncView & { power: { mode: string; simulated: boolean; intervalMs: number; deferredClasses: string[] } }>('/api/v1/sync')).body;
    assert.deepEqual(sync.power, { mode: 'saver', simulated: true, intervalMs: 30_000, maxBatchRecords: 500, deferredClasses: ['summary', 'rawReading'] });
    const line = logs.lines.find((l) => l.event === 'power-mode' && l.to === 'saver');
    assert.equal(line?.simulated, true);
    assert.match(String(line?.msg), /power mode saver \(simulated\)/);
  });

  it('an invalid report changes nothing', async () => {
    await runtime.publishAsync(localTopics.powerMode(), Buffer.from('{"v":1,"ts":1,"mode":"turbo","simulated":false}'), { qos: 1 });
    await waitFor('the invalid report logged', async () => logs.lines.some((l) => l.event === 'power-report-invalid'), 10_000);
    assert.equal((await power()).mode, 'saver');
  });

  it('critical: the store is flushed and checkpointed, logs flushed, the shutdown action runs; only warnings are logged', async () => {
    await publish(report('critical', { batteryPercent: 8 }));
    const view = await waitFor('the critical flush', async () => {
      const v = await power();
      return v.lastCritical?.logsFlushed ? v : undefined;
    }, 10_000);
    const c = view.lastCritical!;
    assert.deepEqual(
      { storeFlushed: c.storeFlushed, busy: c.checkpoint?.busy, walBytesAfter: c.checkpoint?.walBytesAfter, logsFlushed: c.logsFlushed, error: c.error, action: c.action, shutdown: c.shutdown },
      { storeFlushed: true, busy: false, walBytesAfter: 0, logsFlushed: true, error: null, action: 'shutdown', shutdown: 'started' },
    );
    assert.equal(shutdowns, 1, 'the process runner was asked to shut down');
    assert.equal(gw.gateway.logger.level, 'warn');
    const flushed = logs.lines.find((l) => l.event === 'power-critical');
    assert.equal(flushed?.storeFlushed, true);
    // A periodic re-publish of the same mode is no new entry into critical.
    await publish(report('critical', { batteryPercent: 7 }));
    await waitFor('the new report', async () => ((await power()).batteryPercent === 7 ? true : undefined), 10_000);
    assert.equal(shutdowns, 1);
  });

  it('back on mains: performance, everything flows again, the configured log level is back', async () => {
    await publish(report('performance', { source: 'ac', simulated: false, reason: 'on mains' }));
    const view = await waitFor('performance', async () => ((await power()).mode === 'performance' ? power() : undefined), 10_000);
    assert.equal(view.simulated, false);
    assert.deepEqual(view.effects.sync.deferredClasses, []);
    assert.equal(view.effects.trainingAllowed, true);
    assert.equal(gw.gateway.logger.level, 'debug');
  });
});
