import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isModelError } from '../errors.js';
import { scoreWithTfjs, trainAutoencoder, useCpuBackend } from '../autoencoder/train-autoencoder.js';
import { Prng } from '../signals/index.js';
import { reconstructionScores } from './evaluate-parameters.js';
import { initialParameters, layersToParameters, modelToParameters, parameterCount, parametersToLayers, parametersToModel, profileModelShape } from './parameters.js';
import { decodeVector, encodeVector } from './vector-codec.js';

const shape = { inputSize: 6, hidden: [4, 2, 4], activations: ['relu', 'tanh', 'relu'] as ('relu' | 'tanh')[] };

test('parameterCount and the layout: kernels [in, out] then biases, layer by layer', () => {
  assert.equal(parameterCount(shape), 6 * 4 + 4 + 4 * 2 + 2 + 2 * 4 + 4 + 4 * 6 + 6);
  const p = Float32Array.from({ length: parameterCount(shape) }, (_, i) => i);
  const layers = parametersToLayers(shape, p);
  assert.deepEqual(layers.map((l) => [l.inputs, l.outputs, l.activation]), [[6, 4, 'relu'], [4, 2, 'tanh'], [2, 4, 'relu'], [4, 6, 'linear']]);
  assert.deepEqual([...layers[1]!.weights], Array.from({ length: 8 }, (_, i) => 28 + i));
  assert.deepEqual([...layers[1]!.bias], [36, 37]);
  assert.deepEqual(layersToParameters(shape, layers), p);
  assert.throws(() => parametersToLayers(shape, p.subarray(1)), (e) => isModelError(e, 'MODEL_ERR_FL_VECTOR'));
  assert.throws(() => parameterCount({ ...shape, activations: ['relu'] }), (e) => isModelError(e, 'MODEL_ERR_FL_SHAPE'));
  assert.throws(() => parameterCount({ ...shape, hidden: [4, 0, 4] }), (e) => isModelError(e, 'MODEL_ERR_FL_SHAPE'));
});

test('initialParameters is seeded and equals the central trainer\'s initial weights', async () => {
  const a = initialParameters(shape, 'seed-1');
  assert.deepEqual(initialParameters(shape, 'seed-1'), a);
  assert.notDeepEqual(initialParameters(shape, 'seed-2'), a);
  const biases = parametersToLayers(shape, a).flatMap((l) => [...l.bias]);
  assert.ok(biases.every((b) => b === 0));
  // Zero epochs of the shipped trainer leave its Glorot initialisation: the same numbers.
  const untrained = await trainAutoencoder({ windows: [new Float32Array(6)], inputSize: 6, hidden: shape.hidden, activations: shape.activations, seed: 'seed-1', epochs: 0, batchSize: 1, learningRate: 0.01 });
  assert.deepEqual(layersToParameters(shape, untrained.layers), a);
  untrained.model.dispose();
  assert.ok(parameterCount(profileModelShape('humidity')) > 1000);
});

test('vector codec: round trip, and coded errors for bad base64, length, partial floats and NaN', () => {
  const v = Float32Array.from([0, -1.5, 3.25e-8, 65504, -0]);
  const s = encodeVector(v);
  assert.deepEqual(decodeVector(s, 5), v);
  assert.equal(Buffer.from(s, 'base64').readFloatLE(4), -1.5, 'little-endian float32');
  assert.deepEqual(decodeVector(''), new Float32Array(0));
  const bad = (input: unknown, n?: number) => assert.throws(() => decodeVector(input as string, n), (e) => isModelError(e, 'MODEL_ERR_FL_VECTOR'));
  bad(s, 4);
  bad('not base64!');
  bad(Buffer.alloc(6).toString('base64'));
  bad(42);
  bad(encodeVector(Float32Array.from([1, Number.NaN])));
  bad(encodeVector(Float32Array.from([Number.POSITIVE_INFINITY])));
});

test('parameters to a tfjs model and back, and the JS scores match tfjs\'s on the same windows', async () => {
  await useCpuBackend();
  const rng = new Prng('parity');
  const params = Float32Array.from({ length: parameterCount(shape) }, () => rng.uniform(-0.8, 0.8));
  const model = parametersToModel(shape, params);
  try {
    assert.deepEqual(modelToParameters(shape, model), params);
    const windows = Array.from({ length: 50 }, () => Float32Array.from({ length: 6 }, () => rng.uniform(-3, 3)));
    const ours = reconstructionScores(shape, params, windows);
    const theirs = scoreWithTfjs(model, windows, 6).scores;
    ours.forEach((s, i) => assert.ok(Math.abs(s - theirs[i]!) <= 1e-5 * Math.max(1, Math.abs(s)), `window ${i}: ${s} vs ${theirs[i]}`));
    assert.throws(() => reconstructionScores(shape, params.map((x, i) => (i === 3 ? Number.NaN : x)), windows), (e) => isModelError(e, 'MODEL_ERR_FL_VECTOR'));
  } finally {
    model.dispose();
  }
});
