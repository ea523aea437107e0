import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildAutoencoderOnnx, writeModelArtifact } from '@outpost/models/anomaly';
import { Prng } from '@outpost/models/signals';
import { createCoreFixture, readingStream } from '../../test/helpers/core-fixture.js';
import { randomLayers, writeTestModel } from '../../test/helpers/test-models.js';
import { REPLAY_READINGS } from '../pipeline/scoring-core.js';
import { isRuntimeError, type RuntimeErrorCode } from '../errors.js';
import type { ModelIo, RunOutput, ScoringBackend, SessionInfo } from '../scoring/scoring-backend.js';
import { WorkerScoringBackend } from '../scoring/worker-backend.js';

const dir = await mkdtemp(join(tmpdir(), 'outpost-rt-models-'));
const worker = new WorkerScoringBackend({ intraOpThreads: 1 });
after(async () => {
  await worker.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The real worker behind the ScoringBackend interface, with an injected failure hook: runs of an armed
 * session key throw, as a model that breaks on real data would. It also records releases.
 */
class FaultyBackend implements ScoringBackend {
  readonly failing = new Set<string>();
  readonly unloaded: string[] = [];
  load(key: string, onnx: Uint8Array, io: ModelIo): Promise<SessionInfo> {
    return worker.load(key, onnx, io);
  }
  run(key: string, input: Float32Array, rows: number, inputSize: number): Promise<RunOutput> {
    if (this.failing.has(key)) return Promise.reject(new Error(`injected failure of ${key}`));
    return worker.run(key, input, rows, inputSize);
  }
  unload(key: string): Promise<void> {
    this.unloaded.push(key);
    return worker.unload(key);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const sub = (name: string) => join(dir, name);

async function refusedWith(promise: Promise<unknown>, code: RuntimeErrorCode, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (err) => isRuntimeError(err, code) && (!pattern || pattern.test(err.message)));
}

/** Process batches one by one and wait until every window is scored and every alert acknowledged. */
async function feed(fixture: ReturnType<typeof createCoreFixture>, batches: ReturnType<typeof readingStream>): Promise<void> {
  for (const batch of batches) fixture.core.pipeline.process(batch);
  await fixture.core.idle();
}

const modelAlerts = (fixture: ReturnType<typeof createCoreFixture>) => fixture.alerts.filter((a) => a.kind === 'autoencoder');

describe('model manager', () => {
  test('an offer whose sha256 differs from the manifest is refused with RT_ERR_MODEL_SHA256; the old model keeps serving', async () => {
    const fixture = createCoreFixture(new FaultyBackend());
    fixture.core.loop.start();
    const a = await writeTestModel(sub('sha-a'), { name: 'ae-test', version: '1.0.0' });
    const b = await writeTestModel(sub('sha-b'), { name: 'ae-test', version: '2.0.0' });
    await fixture.core.models.load(a.manifestPath, 'config');
    await refusedWith(fixture.core.models.load(b.manifestPath, 'offer', a.sha256, 'offer-1'), 'RT_ERR_MODEL_SHA256', /the offer names sha256/);
    // The same through the offer path the gateway uses.
    fixture.core.models.offer({ v: 1, offerId: 'offer-2', manifestPath: b.manifestPath, sha256: 'f'.repeat(64) });
    await fixture.core.models.idle();
    assert.equal(fixture.health.state, 'ready', 'a refused offer does not degrade a serving runtime');
    assert.match(fixture.health.detail ?? '', /offer offer-2 refused: RT_ERR_MODEL_SHA256/);
    assert.equal(fixture.health.modelVersion, 'ae-test@1.0.0');
    assert.equal(fixture.events.count('model_refused.RT_ERR_MODEL_SHA256'), 2);

    await feed(fixture, readingStream({ devices: 2, steps: 12 }));
    const alerts = modelAlerts(fixture);
    assert.ok(alerts.length > 0);
    assert.ok(alerts.every((x) => x.modelVersion === 'ae-test@1.0.0'));
    await fixture.core.loop.close();
  });

  test('a corrupted, a non-ONNX and a mis-shaped model are refused with their codes', async () => {
    const fixture = createCoreFixture(new FaultyBackend());
    // A byte flipped after the manifest was written: the artifact check catches it.
    const flipped = await writeTestModel(sub('corrupt-flip'));
    const bytes = await readFile(flipped.onnxPath);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await writeFile(flipped.onnxPath, bytes);
    await refusedWith(fixture.core.models.load(flipped.manifestPath, 'config'), 'RT_ERR_MODEL_SHA256', /sha256/);

    // A consistent artifact whose bytes are not a graph: onnxruntime refuses it.
    const good = await writeTestModel(sub('corrupt-junk-src'));
    const junk = await writeModelArtifact(sub('corrupt-junk'), new Uint8Array([8, 7, 18, 3, 1, 2, 3]), good.fields, '# junk');
    await refusedWith(fixture.core.models.load(junk.manifestPath, 'config'), 'RT_ERR_MODEL_LOAD', /onnxruntime refused the graph/);

    // A real graph for 6 inputs behind a manifest promising 8.
    const six = buildAutoencoderOnnx({ inputSize: 6, layers: randomLayers(new Prng('six'), [6, 3, 6]) });
    const shaped = await writeModelArtifact(sub('corrupt-shape'), six, good.fields, '# wrong shape');
    await refusedWith(fixture.core.models.load(shaped.manifestPath, 'config'), 'RT_ERR_MODEL_SHAPE', /input "input" has shape \[N, 6\], expected \[N, 8\]/);

    await refusedWith(fixture.core.models.load(join(dir, 'nope.json'), 'config'), 'RT_ERR_MODEL_INVALID', /cannot read/);
    assert.equal(fixture.core.models.activeSlots().length, 0);
  });

  test('hot swaps during a stream of batches score every window exactly once', async () => {
    const backend = new FaultyBackend();
    const fixture = createCoreFixture(backend, { config: { scoring: { batchSize: 7, batchWindowMs: 0 } } });
    fixture.core.loop.start();
    const v1 = await writeTestModel(sub('swap-1'), { version: '1.0.0', window: 4 });
    const v2 = await writeTestModel(sub('swap-2'), { version: '1.1.0', window: 4, seed: 'other weights' }); // same features: state kept
    // Other features, and a warm-up longer than the replayed readings: the old model stands in until it is warm.
    const v3 = await writeTestModel(sub('swap-3'), { version: '2.0.0', window: 6, channels: ['z', 'dz', 'ldz'], warmup: REPLAY_READINGS + 30 });
    await fixture.core.models.load(v1.manifestPath, 'config');

    const devices = 5;
    const batches = readingStream({ devices, steps: 4000 }); // more than any machine needs while the models load
    let next = 0;
    const feedOne = async () => {
      assert.ok(next < batches.length, 'the stream ran out before the swaps landed');
      fixture.core.pipeline.process(batches[next++]!);
      await sleep(2);
    };
    // Batches keep coming while each new model loads in the worker; the swap lands between two of them.
    const swapDuringStream = async (model: typeof v2) => {
      let done = false;
      const loading = fixture.core.models.load(model.manifestPath, 'offer', model.sha256).finally(() => (done = true));
      while (!done) await feedOne();
      await loading;
    };
    while (next < 30) await feedOne();
    await swapDuringStream(v2);
    for (let i = 0; i < 20; i++) await feedOne();
    await swapDuringStream(v3);
    for (let i = 0; i < 100; i++) await feedOne(); // past 2.0.0's warm-up
    await fixture.core.idle();

    // v1 needs 5 readings to warm up; after that every reading of every device yields one window, across both swaps.
    const expected = devices * (next - 4);
    assert.equal(fixture.events.count('windows_queued'), expected, 'windows in');
    assert.equal(fixture.events.count('windows_scored'), expected, 'windows out');
    assert.equal(fixture.events.count('windows_unscored'), 0);
    const alerts = modelAlerts(fixture);
    assert.equal(alerts.length, expected, 'cooldown 0 and a tiny threshold: one alert per window');
    assert.equal(new Set(alerts.map((a) => `${a.deviceId}@${a.ts}`)).size, expected, 'each reading scored once');
    const byVersion = new Map<string, number>();
    for (const a of alerts) byVersion.set(a.modelVersion!, (byVersion.get(a.modelVersion!) ?? 0) + 1);
    for (const v of ['ae-test@1.0.0', 'ae-test@1.1.0', 'ae-test@2.0.0']) assert.ok((byVersion.get(v) ?? 0) > 0, `${v} scored windows`);
    assert.equal(fixture.events.count('model_swapped'), 2);
    // The stand-in: after the second swap, 1.1.0 kept scoring each device until 2.0.0 was warm, then stopped.
    for (let d = 0; d < devices; d++) {
      const mine = alerts.filter((a) => a.deviceId === `dev-${d}`);
      const lastOld = Math.max(...mine.filter((a) => a.modelVersion === 'ae-test@1.1.0').map((a) => a.ts));
      const firstNew = Math.min(...mine.filter((a) => a.modelVersion === 'ae-test@2.0.0').map((a) => a.ts));
      assert.equal(firstNew - lastOld, 1000, `dev-${d}: the next reading after the last stand-in window is the first of 2.0.0`);
    }
    assert.equal(fixture.health.modelVersion, 'ae-test@2.0.0');
    // Both replaced sessions were released once nothing referred to them.
    await fixture.core.models.sweep((key) => fixture.core.queue.usesModel(key) || fixture.core.router.usesModel(key));
    assert.equal(backend.unloaded.length, 2);
    await fixture.core.loop.close();
  });

  test('a new model whose run fails is rolled back; its batch is rescored with the previous model', async () => {
    const backend = new FaultyBackend();
    const fixture = createCoreFixture(backend);
    fixture.core.loop.start();
    const good = await writeTestModel(sub('rb-good'), { version: '1.0.0', window: 4 });
    const bad = await writeTestModel(sub('rb-bad'), { version: '1.1.0', window: 5 });
    await fixture.core.models.load(good.manifestPath, 'config');
    const devices = 3;
    const batches = readingStream({ devices, steps: 40 });
    await feed(fixture, batches.slice(0, 20));
    const before = fixture.events.count('windows_scored');

    const loaded = await fixture.core.models.load(bad.manifestPath, 'offer', bad.sha256); // passes every load check and its smoke run
    backend.failing.add(loaded.key); // ...then breaks on real data
    await feed(fixture, batches.slice(20));

    assert.equal(fixture.events.count('model_rolled_back'), 1);
    assert.equal(fixture.events.count('windows_unscored'), 0);
    assert.equal(fixture.events.count('windows_scored') - before, devices * 20, 'every later window scored, by the old model');
    const later = modelAlerts(fixture).filter((a) => a.ts >= batches[20]![0]!.ts);
    assert.equal(later.length, devices * 20);
    assert.ok(later.every((a) => a.modelVersion === 'ae-test@1.0.0'));
    assert.equal(fixture.health.state, 'degraded');
    assert.match(fixture.health.detail ?? '', /RT_ERR_MODEL_RUN: ae-test@1\.1\.0 failed to score .*rolled back to ae-test@1\.0\.0/);
    assert.equal(fixture.health.modelVersion, 'ae-test@1.0.0');
    await fixture.core.loop.close();
  });
});
