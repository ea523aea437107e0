import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { StoredReading } from '@outpost/protocols';
import { createCoreFixture, readingStream } from '../../test/helpers/core-fixture.js';
import { writeTestModel } from '../../test/helpers/test-models.js';
import { NAB_STANDARD_ALERT_THRESHOLD } from '../detector/alert-threshold.js';
import { validateRules } from '../rules/load-rules.js';
import { WorkerScoringBackend } from '../scoring/worker-backend.js';
import { loadState, saveState, stateFilePath } from '../state/state-file.js';

const dir = await mkdtemp(join(tmpdir(), 'outpost-rt-pipeline-'));
const backend = new WorkerScoringBackend({ intraOpThreads: 1 });
after(async () => {
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});
const model = await writeTestModel(join(dir, 'model'), { window: 4 });

describe('reading pipeline', () => {
  test('model alerts: a 30-reading drift gives one alert per device and cooldown, with the model fields', async () => {
    const fixture = createCoreFixture(backend, { config: { alerts: { cooldownMs: 60_000 } } });
    fixture.core.loop.start();
    await fixture.core.models.load(model.manifestPath, 'config');
    // 4 warm-up readings, then 30 windows per device 1 s apart: all past the tiny threshold, all within 60 s.
    for (const batch of readingStream({ devices: 3, steps: 34 })) fixture.core.pipeline.process(batch);
    await fixture.core.idle();
    assert.equal(fixture.events.count('windows_scored'), 90);
    const alerts = fixture.alerts.filter((a) => a.kind === 'autoencoder');
    assert.equal(alerts.length, 3, 'one per device');
    assert.equal(fixture.events.count('alert_suppressed.model'), 87);
    for (const a of alerts) {
      assert.equal(a.source, 'model');
      assert.equal(a.metric, 'temperature');
      assert.equal(a.modelVersion, 'ae-test@1.0.0');
      assert.equal(a.threshold, model.fields.thresholds.threshold);
      assert.ok(a.explanation!.length > 0 && a.explanation!.length <= 3);
      assert.match(a.explanation![0]!.feature, /^temperature (z|dz)\[t(-\d)?\]$/);
      assert.ok(['info', 'warning', 'critical'].includes(a.severity));
      assert.equal(typeof a.review, 'boolean');
      assert.match(a.alertId, /^[0-9a-f]{32}$/);
    }
    await fixture.core.loop.close();
  });

  test('rules and the online detector raise alerts; a redelivered batch is not processed twice', async () => {
    const rules = validateRules({ rules: [{ id: 'hot', kind: 'threshold', metric: 'temperature', op: '>', value: 100, severity: 'critical' }] });
    const fixture = createCoreFixture(backend, { rules, config: { detector: { enabled: true }, alerts: { cooldownMs: 0 } } });
    fixture.core.loop.start();
    const steady: StoredReading[] = [];
    for (let i = 0; i < 1200; i++) {
      const ts = 1_700_000_000_000 + i * 60_000;
      steady.push({ id: i + 1, deviceId: 'pump-1', ts, receivedAt: ts, metrics: { temperature: 50 + Math.sin(i / 10) } });
    }
    fixture.core.pipeline.process(steady);
    const spikeTs = 1_700_000_000_000 + 1200 * 60_000;
    const spike: StoredReading[] = [{ id: 1201, deviceId: 'pump-1', ts: spikeTs, receivedAt: spikeTs, metrics: { temperature: 500 } }];
    fixture.core.pipeline.process(spike);
    fixture.core.pipeline.process(spike); // QoS 1 redelivery of the same batch
    await fixture.core.idle();

    const rule = fixture.alerts.filter((a) => a.source === 'rule');
    assert.deepEqual(rule.map((a) => [a.kind, a.deviceId, a.metric, a.score, a.threshold, a.severity, a.ts]), [['hot', 'pump-1', 'temperature', 500, 100, 'critical', spikeTs]]);
    const detector = fixture.alerts.filter((a) => a.kind === 'online-detector');
    assert.ok(detector.some((a) => a.ts === spikeTs && a.score >= NAB_STANDARD_ALERT_THRESHOLD && a.threshold === NAB_STANDARD_ALERT_THRESHOLD && a.metric === 'temperature'));
    assert.equal(fixture.events.count('readings_redelivered'), 1);
    await fixture.core.loop.close();
  });

  test('state saved at close resumes featurizers and the detector after a restart; a corrupt file is refused with a code', async () => {
    const first = createCoreFixture(backend, { config: { detector: { enabled: true } } });
    first.core.loop.start();
    await first.core.models.load(model.manifestPath, 'config');
    for (const batch of readingStream({ devices: 2, steps: 10 })) first.core.pipeline.process(batch);
    await first.core.idle();
    await first.core.loop.close();
    const file = stateFilePath(join(dir, 'state'));
    await saveState(file, first.core.snapshot());

    const saved = loadState(file);
    assert.ok(saved && saved.detector && Object.keys(saved.detector.devices).length === 2);
    const second = createCoreFixture(backend, { saved, config: { detector: { enabled: true } } });
    second.core.loop.start();
    await second.core.models.load(model.manifestPath, 'config');
    // Warm at once: the first reading after the restart yields a window for each device.
    second.core.pipeline.process(readingStream({ devices: 2, steps: 1, startStep: 10 })[0]!);
    await second.core.idle();
    assert.equal(second.events.count('windows_scored'), 2);
    assert.equal(second.core.detector!.streams, 2);
    await second.core.loop.close();

    writeFileSync(file, '{"v":1,"savedAt":1,"detector":null,"featurizers":[');
    assert.throws(() => loadState(file), (err: Error & { code?: string }) => err.code === 'RT_ERR_STATE_CORRUPT');
    writeFileSync(file, JSON.stringify({ v: 2 }));
    assert.throws(() => loadState(file), (err: Error & { code?: string }) => err.code === 'RT_ERR_STATE_CORRUPT' && /v:/.test(err.message));
    assert.equal(loadState(join(dir, 'none.json')), null);
  });
});
