import * as tf from '@tensorflow/tfjs';
import type { DenseLayer } from '../anomaly/index.js';
import { profileConfig } from '../autoencoder/profile-configs.js';
import { denseLayers } from '../autoencoder/train-autoencoder.js';
import { ModelError } from '../errors.js';
import { Prng, type ProfileName } from '../signals/index.js';

/**
 * A dense autoencoder: `hidden` widths with their activations, then a linear layer back to `inputSize`,
 * exactly the layout `trainAutoencoder` builds and the ONNX exporter takes.
 */
export interface FlModelShape {
  inputSize: number;
  hidden: number[];
  activations: ('relu' | 'tanh')[];
}

const MAX_PARAMETERS = 10_000_000;

/** [inputs, outputs, activation] per dense layer. */
export function layerSizes(shape: FlModelShape): { inputs: number; outputs: number; activation: DenseLayer['activation'] }[] {
  checkShape(shape);
  const widths = [shape.inputSize, ...shape.hidden, shape.inputSize];
  return widths.slice(1).map((outputs, i) => ({ inputs: widths[i]!, outputs, activation: i < shape.hidden.length ? shape.activations[i]! : 'linear' }));
}

/** The flat vector holds, layer by layer, the kernel [inputs, outputs] row-major, then the bias. */
export function parameterCount(shape: FlModelShape): number {
  let n = 0;
  for (const l of layerSizes(shape)) n += l.inputs * l.outputs + l.outputs;
  return n;
}

/**
 * Glorot-uniform kernels and zero biases from the same seeded initialisers `trainAutoencoder` uses, so a
 * federation and a central run from the same seed start from the same weights.
 */
export function initialParameters(shape: FlModelShape, seed: string | number): Float32Array {
  const seeds = new Prng(seed, 'autoencoder-init');
  const out = new Float32Array(parameterCount(shape));
  let at = 0;
  for (const l of layerSizes(shape)) {
    const kernel = tf.tidy(() => tf.initializers.glorotUniform({ seed: seeds.nextUint32() }).apply([l.inputs, l.outputs]).dataSync());
    out.set(kernel, at);
    at += l.inputs * l.outputs + l.outputs;
  }
  return out;
}

/** The flat vector cut into the DenseLayer[] the ONNX exporter takes (copies, not views). */
export function parametersToLayers(shape: FlModelShape, params: Float32Array): DenseLayer[] {
  const expected = parameterCount(shape);
  if (params.length !== expected) throw new ModelError('MODEL_ERR_FL_VECTOR', `${params.length} parameters for a shape that has ${expected}`);
  let at = 0;
  return layerSizes(shape).map((l) => {
    const weights = params.slice(at, at + l.inputs * l.outputs);
    at += l.inputs * l.outputs;
    const bias = params.slice(at, at + l.outputs);
    at += l.outputs;
    return { weights, bias, inputs: l.inputs, outputs: l.outputs, activation: l.activation };
  });
}

/** The inverse of parametersToLayers: e.g. to start a federation from a shipped model's weights. */
export function layersToParameters(shape: FlModelShape, layers: readonly DenseLayer[]): Float32Array {
  const sizes = layerSizes(shape);
  const out = new Float32Array(parameterCount(shape));
  if (layers.length !== sizes.length) throw new ModelError('MODEL_ERR_FL_SHAPE', `${layers.length} layers for a shape that has ${sizes.length}`);
  let at = 0;
  sizes.forEach((l, i) => {
    const layer = layers[i]!;
    if (layer.inputs !== l.inputs || layer.outputs !== l.outputs || layer.weights.length !== l.inputs * l.outputs || layer.bias.length !== l.outputs || layer.activation !== l.activation) {
      throw new ModelError('MODEL_ERR_FL_SHAPE', `layer ${i} is ${layer.inputs}x${layer.outputs} ${layer.activation}, expected ${l.inputs}x${l.outputs} ${l.activation}`);
    }
    out.set(layer.weights, at);
    at += layer.weights.length;
    out.set(layer.bias, at);
    at += layer.bias.length;
  });
  return out;
}

/** A tfjs model holding these parameters, built exactly as `trainAutoencoder` builds its model (e.g. to score with `scoreWithTfjs`). The caller disposes it. */
export function parametersToModel(shape: FlModelShape, params: Float32Array): tf.Sequential {
  const layers = parametersToLayers(shape, params);
  const model = tf.sequential();
  layers.forEach((l, i) => model.add(tf.layers.dense({ units: l.outputs, inputShape: i === 0 ? [shape.inputSize] : undefined, activation: l.activation })));
  // The layers' variables keep their own reference to the data, so the temporaries can go.
  tf.tidy(() => model.setWeights(layers.flatMap((l) => [tf.tensor2d(l.weights, [l.inputs, l.outputs]), tf.tensor1d(l.bias)])));
  return model;
}

/** The flat parameters of a tfjs dense autoencoder of this shape (e.g. one `trainAutoencoder` trained centrally). */
export function modelToParameters(shape: FlModelShape, model: tf.Sequential): Float32Array {
  return layersToParameters(shape, denseLayers(model));
}

/** The shape of a profile's shipped autoencoder (models:build's choices). */
export function profileModelShape(profile: ProfileName): FlModelShape {
  const c = profileConfig(profile);
  return { inputSize: c.spec.inputSize, hidden: [...c.hidden], activations: [...c.activations] };
}

function checkShape(shape: FlModelShape): void {
  const positive = (n: number) => Number.isInteger(n) && n > 0;
  const ok =
    positive(shape.inputSize) &&
    Array.isArray(shape.hidden) &&
    shape.hidden.every(positive) &&
    Array.isArray(shape.activations) &&
    shape.activations.length === shape.hidden.length &&
    shape.activations.every((a) => a === 'relu' || a === 'tanh');
  if (!ok) throw new ModelError('MODEL_ERR_FL_SHAPE', `inputSize ${shape.inputSize}, hidden [${shape.hidden?.join(', ')}], activations [${shape.activations?.join(', ')}]`);
  const widths = [shape.inputSize, ...shape.hidden, shape.inputSize];
  let n = 0;
  for (let i = 1; i < widths.length; i++) n += widths[i - 1]! * widths[i]! + widths[i]!;
  if (n > MAX_PARAMETERS) throw new ModelError('MODEL_ERR_FL_SHAPE', `${n} parameters, more than ${MAX_PARAMETERS}`);
}
