import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAutoencoderOnnx, inputSizeFor } from '../anomaly/index.js';
import { generateSeries } from '../signals/index.js';
import { labelWindows } from './labelled-windows.js';
import { checkParity, scoreWithOnnx } from './onnx-scoring.js';
import { scoreWithTfjs, trainAutoencoder } from './train-autoencoder.js';

const preprocessing = { method: 'ewma-z', alpha: 0.02, diffAlpha: 0.02, warmup: 20, clip: 4, channels: ['z', 'dz', 'mldz'], smooth: 4 };
const spec = { metrics: ['temperature'], window: 6, inputSize: inputSizeFor(1, 6, 3), preprocessing };
const { readings, labels } = generateSeries({ seed: 'train-test', deviceIds: ['a', 'b'], profile: 'temperature', startTs: 0, intervalMs: 60_000, samples: 300, anomalyRate: 0 });
const windows = labelWindows(spec, readings, labels).inputs;

const train = (seed: string) => trainAutoencoder({ windows, inputSize: spec.inputSize, hidden: [8, 3, 8], activations: ['relu', 'tanh', 'relu'], seed, epochs: 2, batchSize: 64, learningRate: 0.01 });

test('same data and seed train to byte-identical ONNX; another seed does not', async () => {
  const first = await train('same');
  const second = await train('same');
  const other = await train('other');
  const bytes = (t: typeof first) => buildAutoencoderOnnx({ inputSize: spec.inputSize, layers: t.layers });
  assert.deepEqual(first.losses, second.losses);
  assert.deepEqual(bytes(first), bytes(second));
  assert.notDeepEqual(bytes(first), bytes(other));
  for (const t of [first, second, other]) t.model.dispose();
});

test('onnxruntime scores the exported model as tfjs does (tanh bottleneck included)', async () => {
  const trained = await train('parity');
  const onnx = buildAutoencoderOnnx({ inputSize: spec.inputSize, layers: trained.layers });
  const reference = scoreWithTfjs(trained.model, windows, spec.inputSize);
  const worst = checkParity(await scoreWithOnnx(onnx, windows, spec.inputSize), reference, 1e-4);
  assert.ok(worst <= 1e-4);
  assert.throws(() => checkParity({ scores: [1], featureError: [] }, { scores: [1.1], featureError: [] }, 1e-4), /MODEL_ERR|does not match/);
  trained.model.dispose();
});
