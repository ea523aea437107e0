import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readModelArtifact } from '@outpost/models/anomaly';
import { writeTestModel } from '../../test/helpers/test-models.js';
import { featureFingerprint, type LoadedModel } from '../models/loaded-model.js';
import type { ModelSlot } from '../models/model-manager.js';
import { DeviceRouter, type SlotSource } from './device-router.js';

const dir = await mkdtemp(join(tmpdir(), 'outpost-rt-router-'));
after(() => rm(dir, { recursive: true, force: true }));

let seq = 0;
async function model(options: Parameters<typeof writeTestModel>[1]): Promise<LoadedModel> {
  const written = await writeTestModel(join(dir, `m${++seq}`), options);
  const { manifest } = await readModelArtifact(written.manifestPath);
  return { key: `k${seq}`, name: manifest.name, modelVersion: `${manifest.name}@${manifest.version}`, manifest, manifestPath: written.manifestPath, fingerprint: featureFingerprint(manifest), failed: false, retiredAt: null };
}

/** The slots of a model manager, set by hand. */
class Slots implements SlotSource {
  readonly map = new Map<string, ModelSlot>();
  generation = 0;
  activeSlots() {
    return [...this.map.values()];
  }
  slot(name: string) {
    return this.map.get(name);
  }
  set(active: LoadedModel, previous: LoadedModel | null = null) {
    this.map.set(active.name, { name: active.name, active, previous });
    this.generation++;
  }
}

let id = 0;
const reading = (deviceId: string, step: number, metrics: Record<string, number>) => ({ id: ++id, deviceId, ts: 1_000_000 + step * 1000, metrics });

describe('device router', () => {
  test('a device is served by the model with the most metrics its readings carry, upgraded later if need be', async () => {
    const temp = await model({ name: 'ae-temp', metrics: ['temperature'] });
    const both = await model({ name: 'ae-both', metrics: ['temperature', 'humidity'] });
    const slots = new Slots();
    slots.set(temp);
    slots.set(both);
    const router = new DeviceRouter(slots, { maxDevices: 10, replayReadings: 16 });
    const served = (deviceId: string, steps: number, metrics: (i: number) => Record<string, number>): string[] => {
      const models: string[] = [];
      for (let i = 0; i < steps; i++) {
        const item = router.route(reading(deviceId, i, metrics(i)));
        if (item) models.push(item.model.name);
      }
      return models;
    };
    assert.deepEqual(new Set(served('t-only', 10, (i) => ({ temperature: i % 3 }))), new Set(['ae-temp']));
    assert.deepEqual(new Set(served('t-and-h', 10, (i) => ({ temperature: i % 3, humidity: i % 2, extra: 1 }))), new Set(['ae-both']));
    // First reading lacks humidity (a dropout): ae-temp first, then ae-both once it is warm.
    const upgraded = served('late-h', 20, (i): Record<string, number> => (i === 0 ? { temperature: 1 } : { temperature: i % 3, humidity: i % 2 }));
    assert.equal(upgraded.at(-1), 'ae-both');
    assert.deepEqual(served('neither', 10, () => ({ pressure: 1 })), []);
  });

  test('a swap with the same features keeps the state; other features replay the recent readings', async () => {
    const v1 = await model({ version: '1.0.0', window: 4 });
    const v2 = await model({ version: '1.1.0', window: 4, seed: 'v2' });
    const v3 = await model({ version: '2.0.0', window: 3, channels: ['z'] });
    const slots = new Slots();
    slots.set(v1);
    const router = new DeviceRouter(slots, { maxDevices: 10, replayReadings: 16 });
    for (let i = 0; i < 10; i++) router.route(reading('d', i, { temperature: Math.sin(i) }));
    slots.set(v2, v1); // on probation: v1 runs beside it for the fallback
    const kept = router.route(reading('d', 10, { temperature: 0.5 }))!;
    assert.equal(kept.model, v2);
    assert.equal(kept.fallback?.model, v1);
    assert.deepEqual([...kept.vector], [...kept.fallback!.vector], 'same features, same state: same window');
    slots.set(v3, v1);
    const rebuilt = router.route(reading('d', 11, { temperature: 0.7 }))!;
    assert.equal(rebuilt.model, v3, 'warm at once from the replayed readings');
    assert.equal(rebuilt.vector.length, 3);
  });

  test('featurizer states survive a snapshot; a state that does not fit is rejected and the device starts fresh', async () => {
    const m = await model({ window: 4 });
    const slots = new Slots();
    slots.set(m);
    const first = new DeviceRouter(slots, { maxDevices: 10, replayReadings: 4 });
    for (let i = 0; i < 8; i++) first.route(reading('d', i, { temperature: i % 4 }));
    const saved = first.snapshot();
    assert.deepEqual(Object.keys(saved[m.fingerprint]!), ['d']);

    const second = new DeviceRouter(slots, { maxDevices: 10, replayReadings: 4 }, structuredClone(saved));
    assert.ok(second.route(reading('d', 8, { temperature: 1 })), 'resumed warm');

    const rejected: string[] = [];
    const broken = structuredClone(saved);
    broken[m.fingerprint]!.d!.accepted = -1;
    const third = new DeviceRouter(slots, { maxDevices: 10, replayReadings: 4, onStateRejected: (deviceId) => rejected.push(deviceId) }, broken);
    assert.equal(third.route(reading('d', 8, { temperature: 1 })), null, 'fresh: warming up');
    assert.deepEqual(rejected, ['d']);
  });

  test('bounded: the least recently seen device is forgotten past maxDevices', async () => {
    const m = await model({ window: 2 });
    const slots = new Slots();
    slots.set(m);
    const router = new DeviceRouter(slots, { maxDevices: 2, replayReadings: 2 });
    for (const d of ['a', 'b', 'c']) router.route(reading(d, 0, { temperature: 1 }));
    assert.equal(router.size, 2);
    assert.equal(router.evictedDevices, 1);
  });
});
