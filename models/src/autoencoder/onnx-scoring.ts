import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelError } from '../errors.js';

/** Scores and per-feature errors of many windows under onnxruntime: what the edge will compute. */
export async function scoreWithOnnx(onnxBytes: Uint8Array, windows: readonly Float32Array[], inputSize: number, names = { input: 'input', score: 'score', featureError: 'feature_error' }): Promise<{ scores: Float64Array; featureError: Float32Array }> {
  const session = await InferenceSession.create(onnxBytes);
  const scores = new Float64Array(windows.length);
  const featureError = new Float32Array(windows.length * inputSize);
  // Bounded batches keep memory flat however large the evaluation set is.
  const batch = 4096;
  try {
    for (let start = 0; start < windows.length; start += batch) {
      const n = Math.min(batch, windows.length - start);
      const flat = new Float32Array(n * inputSize);
      for (let i = 0; i < n; i++) flat.set(windows[start + i]!, i * inputSize);
      const out = await session.run({ [names.input]: new Tensor('float32', flat, [n, inputSize]) });
      scores.set(out[names.score]!.data as Float32Array, start);
      featureError.set(out[names.featureError]!.data as Float32Array, start * inputSize);
    }
  } finally {
    await session.release();
  }
  return { scores, featureError };
}

/**
 * Largest |onnx − tfjs| over scores and per-feature errors, relative to max(1, |tfjs|) so that large errors
 * of anomalous windows are held to float32 precision rather than an absolute bound they cannot meet.
 * Throws MODEL_ERR_PARITY above `tolerance`: a graph that disagrees with the trained model must not ship.
 */
export function checkParity(onnx: { scores: ArrayLike<number>; featureError: ArrayLike<number> }, tfjs: { scores: ArrayLike<number>; featureError: ArrayLike<number> }, tolerance: number): number {
  let worst = 0;
  const compare = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
    if (a.length !== b.length) throw new ModelError('MODEL_ERR_PARITY', `${what}: ${a.length} values from onnxruntime, ${b.length} from tfjs`);
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
      if (!(d <= tolerance)) throw new ModelError('MODEL_ERR_PARITY', `${what}[${i}]: onnxruntime ${a[i]}, tfjs ${b[i]} (relative difference ${d} > ${tolerance})`);
      worst = Math.max(worst, d);
    }
  };
  compare(onnx.scores, tfjs.scores, 'score');
  compare(onnx.featureError, tfjs.featureError, 'feature_error');
  return worst;
}
