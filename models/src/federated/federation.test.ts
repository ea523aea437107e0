import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { isModelError } from '../errors.js';
import { l2Norm } from './differential-privacy.js';
import { evaluateParameters } from './evaluate-parameters.js';
import { DEFAULT_FEDERATED_DATASET_PLAN, type FederatedDatasetPlan, federatedDatasets } from './federated-datasets.js';
import { trainLocally } from './local-training.js';
import { initialParameters, profileModelShape } from './parameters.js';
import { type FederationConfig, runFederation } from './run-federation.js';

const plan: FederatedDatasetPlan = {
  ...DEFAULT_FEDERATED_DATASET_PLAN,
  seed: 'federation-test',
  clients: 4,
  devicesPerClient: [1, 2],
  readingsPerDevice: 700,
  trainStride: 3,
  anomalyRate: [0, 0.01],
  intervalsMs: [60_000, 120_000],
  heldOutDevicesPerInterval: 1,
  heldOutAnomalyRate: 0.01,
};
const data = federatedDatasets(plan);
const shape = profileModelShape(plan.profile);

test('federatedDatasets: seeded, non-IID clients, a held-out set with both classes', () => {
  const again = federatedDatasets(plan);
  assert.deepEqual(again.clients.map((c) => c.windows.length), data.clients.map((c) => c.windows.length));
  assert.deepEqual(again.clients[0]!.windows[0], data.clients[0]!.windows[0]);
  assert.equal(data.clients.length, 4);
  assert.ok(new Set(data.clients.map((c) => c.anomalyRate)).size === 4, 'each client has its own anomaly rate');
  for (const c of data.clients) {
    assert.ok(c.windows.length > 20 && c.windows.every((w) => w.length === shape.inputSize));
    assert.ok(c.devices >= 1 && c.devices <= 2 && plan.intervalsMs.includes(c.intervalMs));
  }
  assert.ok(data.heldOut.anomalous.some((a) => a) && data.heldOut.anomalous.some((a) => !a));
  assert.throws(() => federatedDatasets({ ...plan, clients: 0 }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
  assert.throws(() => federatedDatasets({ ...plan, heldOutAnomalyRate: 0 }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
});

test('trainLocally is seeded, and the FedProx term keeps the update closer to the global model', async () => {
  const global = initialParameters(shape, 'prox');
  const windows = data.clients[0]!.windows;
  const cfg = { epochs: 2, batchSize: 16, learningRate: 0.01, proxMu: 0, seed: 'local' };
  const a = await trainLocally(shape, global, windows, cfg);
  const tensors = tf.memory().numTensors;
  assert.deepEqual((await trainLocally(shape, global, windows, cfg)).delta, a.delta);
  assert.equal(a.samples, windows.length);
  assert.ok(a.loss > 0 && Number.isFinite(a.loss));
  const prox = await trainLocally(shape, global, windows, { ...cfg, proxMu: 10 });
  assert.ok(l2Norm(prox.delta) < 0.8 * l2Norm(a.delta), `prox ${l2Norm(prox.delta)} vs plain ${l2Norm(a.delta)}`);
  assert.equal(tf.memory().numTensors, tensors, 'two more trainings left no tensors behind');
  await assert.rejects(trainLocally(shape, global.subarray(1), windows, cfg), (e) => isModelError(e, 'MODEL_ERR_FL_VECTOR'));
  await assert.rejects(trainLocally(shape, global, windows, { ...cfg, epochs: 0 }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
  await assert.rejects(trainLocally(shape, global, [new Float32Array(3)], cfg), (e) => isModelError(e, 'MODEL_ERR_TRAINING'));
});

const base: FederationConfig = {
  seed: 'small-federation',
  rounds: 3,
  sampleFraction: 0.75,
  minClients: 3,
  local: { epochs: 2, batchSize: 16, learningRate: 0.005, proxMu: 0 },
  aggregator: { kind: 'fedavg' },
  server: { kind: 'sgd', learningRate: 1 },
};

test('a small federation (4 clients, 3 rounds) beats its initial parameters on the held-out set', async () => {
  const r = await runFederation(shape, data.clients, data.heldOut, base);
  assert.equal(r.history.length, 3);
  assert.ok(r.initialAuc === evaluateParameters(shape, initialParameters(shape, base.seed), data.heldOut).auc);
  assert.ok(r.history.at(-1)!.auc > r.initialAuc + 0.02, `AUC ${r.initialAuc} → ${r.history.at(-1)!.auc}`);
  assert.ok(r.history.every((h) => h.selected === 3 && h.reported === 3 && h.bytesPerClient.up > 4 * r.params.length));
});

test('with secure aggregation and a dropout per round the federation still learns, and DP reports its epsilon', async () => {
  const sa = await runFederation(shape, data.clients, data.heldOut, { ...base, sampleFraction: 1, secureAggregation: { thresholdFraction: 0.5, range: 1, fractionalBits: 16 }, dropoutFraction: 0.25 });
  assert.ok(sa.history.every((h) => h.selected === 4 && h.reported === 3));
  assert.ok(sa.history.at(-1)!.auc > sa.initialAuc + 0.02);
  const dp = await runFederation(shape, data.clients, data.heldOut, { ...base, rounds: 2, dp: { clipNorm: 1, noiseMultiplier: 0.5 } });
  const [e1, e2] = dp.history.map((h) => h.epsilon!);
  assert.ok(e1!.aggregate > 0 && e2!.aggregate > e1!.aggregate && e2!.perUpdate > e2!.aggregate);
  await assert.rejects(runFederation(shape, data.clients, data.heldOut, { ...base, aggregator: { kind: 'median' }, secureAggregation: { thresholdFraction: 0.5, range: 1, fractionalBits: 16 } }), (e) => isModelError(e, 'MODEL_ERR_FL_CONFIG'));
});
