import { rocAuc } from '../autoencoder/detection-metrics.js';
import { ModelError } from '../errors.js';
import type { LabelledEvalSet } from './federated-datasets.js';
import { type FlModelShape, parametersToLayers } from './parameters.js';

/**
 * ROC AUC of the reconstruction-error score (mean squared error per window, what the ONNX graph outputs)
 * on a held-out set: the models build's headline metric.
 */
export function evaluateParameters(shape: FlModelShape, params: Float32Array, heldOut: LabelledEvalSet): { auc: number; positives: number; negatives: number } {
  if (heldOut.inputs.length !== heldOut.anomalous.length) throw new ModelError('MODEL_ERR_TRAINING', `${heldOut.inputs.length} windows but ${heldOut.anomalous.length} labels`);
  const scores = reconstructionScores(shape, params, heldOut.inputs);
  const pos: number[] = [];
  const neg: number[] = [];
  scores.forEach((s, i) => (heldOut.anomalous[i] ? pos : neg).push(s));
  if (pos.length === 0 || neg.length === 0) throw new ModelError('MODEL_ERR_TRAINING', `held-out set has ${pos.length} anomalous and ${neg.length} normal windows; both are needed`);
  return { auc: rocAuc(pos, neg), positives: pos.length, negatives: neg.length };
}

/** Mean squared reconstruction error per window: a plain JS forward pass, so it needs no tfjs backend. */
export function reconstructionScores(shape: FlModelShape, params: Float32Array, inputs: readonly Float32Array[]): Float64Array {
  const layers = parametersToLayers(shape, params);
  // A diverged model would score NaN everywhere, and NaN ranks arbitrarily: refuse it rather than report an AUC.
  if (!params.every(Number.isFinite)) throw new ModelError('MODEL_ERR_FL_VECTOR', 'the parameters hold NaN or Infinity');
  const widest = Math.max(shape.inputSize, ...layers.map((l) => l.outputs));
  let a = new Float64Array(widest);
  let b = new Float64Array(widest);
  const scores = new Float64Array(inputs.length);
  inputs.forEach((x, w) => {
    if (x.length !== shape.inputSize) throw new ModelError('MODEL_ERR_TRAINING', `window ${w} has ${x.length} values, the model reads ${shape.inputSize}`);
    for (let i = 0; i < x.length; i++) a[i] = x[i]!;
    for (const l of layers) {
      for (let o = 0; o < l.outputs; o++) b[o] = l.bias[o]!;
      for (let i = 0; i < l.inputs; i++) {
        const xi = a[i]!;
        if (xi === 0) continue;
        const row = i * l.outputs;
        for (let o = 0; o < l.outputs; o++) b[o]! += xi * l.weights[row + o]!;
      }
      for (let o = 0; o < l.outputs; o++) b[o] = l.activation === 'relu' ? Math.max(0, b[o]!) : l.activation === 'tanh' ? Math.tanh(b[o]!) : b[o]!;
      [a, b] = [b, a];
    }
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i]! - a[i]!) ** 2;
    scores[w] = s / x.length;
  });
  return scores;
}
