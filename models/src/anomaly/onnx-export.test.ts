import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { isModelError } from '../errors.js';
import { Prng } from '../signals/index.js';
import { type DenseLayer, buildAutoencoderOnnx } from './onnx-export.js';

function randomLayers(rng: Prng, sizes: number[]): DenseLayer[] {
  return sizes.slice(1).map((outputs, i) => {
    const inputs = sizes[i]!;
    const weights = Float32Array.from({ length: inputs * outputs }, () => rng.normal() / Math.sqrt(inputs));
    const bias = Float32Array.from({ length: outputs }, () => 0.1 * rng.normal());
    return { weights, bias, inputs, outputs, activation: i === sizes.length - 2 ? 'linear' : 'relu' };
  });
}

/** The reference: a plain float64 forward pass, kernels [in, out] row-major. */
function forward(layers: DenseLayer[], x: Float32Array): { score: number; featureError: number[] } {
  let h = Array.from(x);
  for (const l of layers) {
    const out: number[] = [];
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o]!;
      for (let i = 0; i < l.inputs; i++) s += h[i]! * l.weights[i * l.outputs + o]!;
      out.push(l.activation === 'relu' ? Math.max(0, s) : s);
    }
    h = out;
  }
  const featureError = Array.from(x, (v, i) => (v - h[i]!) ** 2);
  return { score: featureError.reduce((a, b) => a + b, 0) / featureError.length, featureError };
}

test('a random-weight autoencoder scored by onnxruntime equals a plain forward pass within 1e-5', async () => {
  const rng = new Prng('onnx-export-test');
  const inputSize = 24;
  const layers = randomLayers(rng, [inputSize, 16, 4, 16, inputSize]);
  const bytes = buildAutoencoderOnnx({ inputSize, layers });
  assert.deepEqual(bytes, buildAutoencoderOnnx({ inputSize, layers }), 'same weights, same bytes');
  const session = await InferenceSession.create(bytes);
  try {
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual([...session.outputNames].sort(), ['feature_error', 'score']);
    for (const batch of [1, 7]) {
      const xs = Array.from({ length: batch }, () => Float32Array.from({ length: inputSize }, () => 2 * rng.normal()));
      const flat = new Float32Array(batch * inputSize);
      xs.forEach((x, i) => flat.set(x, i * inputSize));
      const out = await session.run({ input: new Tensor('float32', flat, [batch, inputSize]) });
      assert.deepEqual(out.score!.dims, [batch, 1]);
      assert.deepEqual(out.feature_error!.dims, [batch, inputSize]);
      const scores = out.score!.data as Float32Array;
      const errors = out.feature_error!.data as Float32Array;
      xs.forEach((x, n) => {
        const ref = forward(layers, x);
        assert.ok(Math.abs(scores[n]! - ref.score) <= 1e-5 * Math.max(1, ref.score), `score ${scores[n]} vs ${ref.score}`);
        ref.featureError.forEach((e, i) => assert.ok(Math.abs(errors[n * inputSize + i]! - e) <= 1e-5 * Math.max(1, e), `feature ${i}: ${errors[n * inputSize + i]} vs ${e}`));
      });
    }
  } finally {
    await session.release();
  }
});

test('custom names and opset 17 are honoured', async () => {
  const layers = randomLayers(new Prng('names'), [3, 2, 3]);
  const session = await InferenceSession.create(buildAutoencoderOnnx({ inputSize: 3, layers, inputName: 'x', scoreName: 's', featureErrorName: 'fe', opset: 17 }));
  try {
    const out = await session.run({ x: new Tensor('float32', new Float32Array([1, 2, 3]), [1, 3]) });
    assert.ok(Number.isFinite((out.s!.data as Float32Array)[0]));
    assert.deepEqual(out.fe!.dims, [1, 3]);
  } finally {
    await session.release();
  }
});

test('layers that do not chain, and unsupported opsets, are refused with MODEL_ERR_ONNX_EXPORT', () => {
  const layers = randomLayers(new Prng('bad'), [4, 2, 4]);
  const refused = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e) => isModelError(e, 'MODEL_ERR_ONNX_EXPORT') && pattern.test(e.message));
  refused(() => buildAutoencoderOnnx({ inputSize: 5, layers }), /layers\[0\]\.inputs/);
  refused(() => buildAutoencoderOnnx({ inputSize: 4, layers: [layers[0]!] }), /inputSize = 4/);
  refused(() => buildAutoencoderOnnx({ inputSize: 4, layers: [{ ...layers[0]!, bias: new Float32Array(1) }, layers[1]!] }), /bias/);
  refused(() => buildAutoencoderOnnx({ inputSize: 4, layers, opset: 18 }), /opset/);
});
