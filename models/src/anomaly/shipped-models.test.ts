import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { test } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { isModelError } from '../errors.js';
import { generateSeries, type ProfileName } from '../signals/index.js';
import { explain } from './explain.js';
import { readModelArtifact } from './model-artifact.js';
import { featureMetric } from './preprocessing.js';
import { listShippedModels, readShippedIndex } from './shipped-models.js';
import { WindowFeaturizer } from './window-featurizer.js';

// Reads what `npm run models:build` left in models/artifacts; nothing is trained here.
const index = readShippedIndex();

test('every shipped model loads through readModelArtifact and recorded AUC ≥ 0.95 on held-out data', async () => {
  const paths = listShippedModels();
  assert.ok(paths.length >= 1, 'at least one shipped model');
  assert.equal(paths.length, index.models.length);
  for (const [i, path] of paths.entries()) {
    assert.ok(isAbsolute(path));
    const { manifest, onnxBytes } = await readModelArtifact(path);
    const entry = index.models[i]!;
    assert.deepEqual([manifest.name, manifest.version, manifest.profile, manifest.metrics], [entry.name, entry.version, entry.profile, entry.metrics]);
    const evaluation = manifest.evaluation as { auc: number; accepted: boolean; minAuc: number; perType: Record<string, { auc: number }> };
    assert.ok(evaluation.auc >= 0.95, `${manifest.name}: AUC ${evaluation.auc}`);
    assert.equal(evaluation.auc, entry.auc);
    assert.equal(evaluation.accepted, true);
    assert.deepEqual(Object.keys(evaluation.perType).sort(), ['drift', 'noise-burst', 'spike', 'stuck-at']);
    assert.ok(onnxBytes.length < 64 * 1024, `${manifest.name}: ${onnxBytes.length} bytes`);
  }
});

test('a shipped model scores featurized readings end to end, and a spike outscores calm readings', async () => {
  const { manifest, onnxBytes } = await readModelArtifact(listShippedModels()[0]!);
  const { readings } = generateSeries({ seed: 'shipped-smoke', deviceIds: ['s'], profile: manifest.profile as ProfileName, startTs: Date.UTC(2026, 0, 1), intervalMs: 60_000, samples: manifest.preprocessing.warmup as number + 40 });
  const featurizer = new WindowFeaturizer(manifest);
  let calm: Float32Array | null = null;
  for (const r of readings) calm = featurizer.push(r.ts, r.metrics) ?? calm;
  assert.ok(calm);
  const last = readings.at(-1)!;
  const spiked = Object.fromEntries(Object.entries(last.metrics).map(([k, v]) => [k, k === manifest.metrics[0] ? v * 1.5 + 10 : v]));
  const spike = featurizer.push(last.ts + 60_000, spiked)!;
  const session = await InferenceSession.create(onnxBytes);
  try {
    const input = new Float32Array(2 * manifest.inputSize);
    input.set(calm, 0);
    input.set(spike, manifest.inputSize);
    const out = await session.run({ [manifest.onnx.input]: new Tensor('float32', input, [2, manifest.inputSize]) });
    const scores = out[manifest.onnx.outputs.score]!.data as Float32Array;
    assert.ok(scores[1]! > scores[0]!, `spike ${scores[1]} vs calm ${scores[0]}`);
    const fe = (out[manifest.onnx.outputs.featureError]!.data as Float32Array).subarray(manifest.inputSize);
    const top = explain(fe, manifest.featureNames, 3);
    assert.equal(featureMetric(top[0]!.feature), manifest.metrics[0]);
  } finally {
    await session.release();
  }
});

test('a missing or malformed index is MODEL_ERR_INDEX', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shipped-'));
  try {
    assert.throws(() => listShippedModels(dir), (e) => isModelError(e, 'MODEL_ERR_INDEX') && /models:build/.test(e.message));
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schema: 1, models: [{ name: 'x', version: '1.0.0', profile: 'p', metrics: ['m'], manifest: '../x.json', auc: 1 }] }));
    assert.throws(() => listShippedModels(dir), (e) => isModelError(e, 'MODEL_ERR_INDEX') && /manifest/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
