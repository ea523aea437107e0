import * as tf from '@tensorflow/tfjs';
import { permutation, useCpuBackend } from '../autoencoder/train-autoencoder.js';
import { ModelError } from '../errors.js';
import { Prng } from '../signals/index.js';
import { layerSizes, type FlModelShape, parameterCount } from './parameters.js';

export interface LocalTrainingConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** FedProx proximal term mu·‖w − w_global‖²/2 added to the loss; 0 = plain FedAvg local training. */
  proxMu: number;
  seed: string | number;
  /** Client optimizer, fresh each round: Adam (the default, as the central build trains) or plain SGD. */
  optimizer?: 'adam' | 'sgd';
}

export interface LocalUpdate {
  /** New parameters minus the global ones. */
  delta: Float32Array;
  /** Training windows (per epoch): the client's FedAvg weight. */
  samples: number;
  /** Mean reconstruction loss (without the proximal term) over the last epoch. */
  loss: number;
}

const MAX_EPOCHS = 1000;

/**
 * Trains from the global parameters on this client's normal windows and returns new − global. A custom
 * loop rather than `model.fit`, because FedProx's loss depends on the global weights. Seeded shuffle on the
 * cpu backend, so the same inputs give the same update.
 */
export async function trainLocally(shape: FlModelShape, global: Float32Array, windows: readonly Float32Array[], cfg: LocalTrainingConfig): Promise<LocalUpdate> {
  const sizes = layerSizes(shape);
  checkConfig(cfg);
  const expected = parameterCount(shape);
  if (global.length !== expected) throw new ModelError('MODEL_ERR_FL_VECTOR', `global parameters have ${global.length} values, the shape ${expected}`);
  if (windows.length === 0) throw new ModelError('MODEL_ERR_TRAINING', 'no training windows');
  const n = shape.inputSize;
  const flat = new Float32Array(windows.length * n);
  windows.forEach((w, i) => {
    if (w.length !== n) throw new ModelError('MODEL_ERR_TRAINING', `window ${i} has ${w.length} values, the model reads ${n}`);
    flat.set(w, i * n);
  });
  await useCpuBackend();

  const vars: tf.Variable[] = [];
  const anchors: tf.Tensor[] = [];
  let at = 0;
  for (const l of sizes) {
    const k = global.subarray(at, at + l.inputs * l.outputs);
    at += k.length;
    const b = global.subarray(at, at + l.outputs);
    at += b.length;
    anchors.push(tf.tensor2d(k, [l.inputs, l.outputs]), tf.tensor1d(b));
  }
  for (const a of anchors) {
    // The variable takes its own reference to the copy's data; the copy itself must still be released.
    const copy = a.clone();
    vars.push(tf.variable(copy));
    copy.dispose();
  }
  const all = tf.tensor2d(flat, [windows.length, n]);
  const optimizer = (cfg.optimizer ?? 'adam') === 'adam' ? tf.train.adam(cfg.learningRate) : tf.train.sgd(cfg.learningRate);
  const rng = new Prng(cfg.seed, 'local-shuffle');
  const mu = cfg.proxMu;
  let lastEpochLoss = Number.NaN;

  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = x;
    sizes.forEach((l, i) => {
      const z = tf.add(tf.matMul(h, vars[2 * i] as tf.Tensor2D), vars[2 * i + 1]!) as tf.Tensor2D;
      h = l.activation === 'relu' ? tf.relu(z) : l.activation === 'tanh' ? tf.tanh(z) : z;
    });
    return h;
  };

  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = permutation(windows.length, rng);
      let sum = 0;
      for (let start = 0; start < windows.length; start += cfg.batchSize) {
        const idx = order.subarray(start, Math.min(windows.length, start + cfg.batchSize));
        const batchLoss = tf.tidy(() => {
          const x = tf.gather(all, tf.tensor1d(idx, 'int32')) as tf.Tensor2D;
          let mse: tf.Scalar | undefined;
          optimizer.minimize(
            () => {
              // Kept past the gradient's own tidy so the reconstruction loss can be read without the prox term.
              const reconstruction: tf.Scalar = tf.keep(tf.mean(tf.squaredDifference(x, forward(x))));
              mse = reconstruction;
              // minimize() disposes what f returns: hand it a copy, not the kept loss.
              if (mu === 0) return reconstruction.clone();
              const prox = tf.addN(vars.map((v, i) => tf.sum(tf.squaredDifference(v, anchors[i]!)))) as tf.Scalar;
              return tf.add(reconstruction, tf.mul(mu / 2, prox)) as tf.Scalar;
            },
            false,
            vars,
          );
          const value = mse!.dataSync()[0]!;
          mse!.dispose();
          return value;
        });
        sum += batchLoss * idx.length;
      }
      lastEpochLoss = sum / windows.length;
    }
    if (!Number.isFinite(lastEpochLoss)) throw new ModelError('MODEL_ERR_TRAINING', `local training diverged (loss ${lastEpochLoss}); lower the learning rate`);
    const delta = new Float32Array(expected);
    let o = 0;
    for (const v of vars) {
      const d = v.dataSync();
      for (let i = 0; i < d.length; i++, o++) delta[o] = d[i]! - global[o]!;
    }
    return { delta, samples: windows.length, loss: lastEpochLoss };
  } finally {
    all.dispose();
    optimizer.dispose();
    for (const t of [...vars, ...anchors]) t.dispose();
  }
}

function checkConfig(cfg: LocalTrainingConfig): void {
  const bad = (what: string, v: unknown) => new ModelError('MODEL_ERR_FL_CONFIG', `${what}: got ${String(v)}`);
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1 || cfg.epochs > MAX_EPOCHS) throw bad(`epochs (expected an integer 1..${MAX_EPOCHS})`, cfg.epochs);
  if (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1) throw bad('batchSize (expected a positive integer)', cfg.batchSize);
  if (!(Number.isFinite(cfg.learningRate) && cfg.learningRate > 0)) throw bad('learningRate (expected > 0)', cfg.learningRate);
  if (!(Number.isFinite(cfg.proxMu) && cfg.proxMu >= 0)) throw bad('proxMu (expected ≥ 0)', cfg.proxMu);
  if (cfg.optimizer !== undefined && cfg.optimizer !== 'adam' && cfg.optimizer !== 'sgd') throw bad('optimizer (expected adam or sgd)', cfg.optimizer);
}
