import * as tf from '@tensorflow/tfjs';
import type { DenseLayer } from '../anomaly/index.js';
import { ModelError } from '../errors.js';
import { Prng } from '../signals/index.js';

export interface TrainOptions {
  /** Normal windows only: the autoencoder learns to reconstruct what normal looks like. */
  windows: readonly Float32Array[];
  inputSize: number;
  /** Hidden widths, e.g. [16, 4, 16], then a linear layer back to inputSize. */
  hidden: readonly number[];
  /** One per hidden layer; ReLU when left out. */
  activations?: readonly ('relu' | 'tanh')[];
  seed: number | string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Called after each epoch with the mean training loss; progress lines come from here. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface TrainedAutoencoder {
  model: tf.Sequential;
  layers: DenseLayer[];
  losses: number[];
}

let backendReady: Promise<void> | undefined;

/** tfjs on its pure-JS cpu backend: one thread, fixed operation order, so the same seed gives the same weights. */
export function useCpuBackend(): Promise<void> {
  backendReady ??= tf.setBackend('cpu').then((ok) => {
    if (!ok) throw new ModelError('MODEL_ERR_TRAINING', 'tfjs cpu backend unavailable');
  });
  return backendReady;
}

/**
 * Trains a dense autoencoder reproducibly: seeded Glorot initialisers and a seeded shuffle per epoch (no
 * Math.random anywhere), so two runs with the same inputs export byte-identical ONNX.
 */
export async function trainAutoencoder(o: TrainOptions): Promise<TrainedAutoencoder> {
  await useCpuBackend();
  if (o.windows.length < o.batchSize) throw new ModelError('MODEL_ERR_TRAINING', `${o.windows.length} training windows, fewer than one batch of ${o.batchSize}`);
  const seeds = new Prng(o.seed, 'autoencoder-init');
  const widths = [...o.hidden, o.inputSize];
  const model = tf.sequential();
  widths.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        inputShape: i === 0 ? [o.inputSize] : undefined,
        activation: i === widths.length - 1 ? 'linear' : (o.activations?.[i] ?? 'relu'),
        kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.nextUint32() }),
        biasInitializer: 'zeros',
      }),
    );
  });
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });

  const flat = new Float32Array(o.windows.length * o.inputSize);
  o.windows.forEach((w, i) => flat.set(w, i * o.inputSize));
  const all = tf.tensor2d(flat, [o.windows.length, o.inputSize]);
  const shuffle = new Prng(o.seed, 'autoencoder-shuffle');
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = permutation(o.windows.length, shuffle);
      const xs = tf.tidy(() => tf.gather(all, tf.tensor1d(order, 'int32')));
      try {
        const h = await model.fit(xs, xs, { epochs: 1, batchSize: o.batchSize, shuffle: false, verbose: 0 });
        const loss = Number(h.history.loss?.[0]);
        losses.push(loss);
        o.onEpoch?.(epoch + 1, loss);
      } finally {
        xs.dispose();
      }
    }
  } finally {
    all.dispose();
  }
  return { model, layers: denseLayers(model), losses };
}

/** A seeded Fisher-Yates shuffle of 0..n-1 (the epoch order of every training loop here). */
export function permutation(n: number, rng: Prng): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** The trained kernels and biases in the exporter's layout (tfjs keeps kernels [in, out] row-major already). */
export function denseLayers(model: tf.Sequential): DenseLayer[] {
  return model.layers.map((layer, i) => {
    const [kernel, bias] = layer.getWeights();
    if (!kernel || !bias || kernel.shape.length !== 2) throw new ModelError('MODEL_ERR_TRAINING', `layer ${i} is not a dense layer with a bias`);
    const activation = (layer.getConfig() as { activation?: string }).activation;
    return {
      weights: Float32Array.from(kernel.dataSync()),
      bias: Float32Array.from(bias.dataSync()),
      inputs: kernel.shape[0]!,
      outputs: kernel.shape[1]!,
      activation: activation === 'relu' || activation === 'tanh' ? activation : 'linear',
    };
  });
}

/** Per-window mean squared reconstruction error under tfjs, and the per-feature errors: the reference for the ONNX parity check. */
export function scoreWithTfjs(model: tf.Sequential, windows: readonly Float32Array[], inputSize: number): { scores: Float64Array; featureError: Float32Array } {
  const flat = new Float32Array(windows.length * inputSize);
  windows.forEach((w, i) => flat.set(w, i * inputSize));
  const fe = tf.tidy(() => {
    const x = tf.tensor2d(flat, [windows.length, inputSize]);
    return tf.squaredDifference(x, model.predict(x) as tf.Tensor2D);
  });
  const featureError = Float32Array.from(fe.dataSync());
  fe.dispose();
  const scores = new Float64Array(windows.length);
  for (let i = 0; i < windows.length; i++) {
    let s = 0;
    for (let j = 0; j < inputSize; j++) s += featureError[i * inputSize + j]!;
    scores[i] = s / inputSize;
  }
  return { scores, featureError };
}
