import { ModelError } from '../../errors.js';
import { MAX_SECAGG_CLIENTS, type SecAggConfig } from './messages.js';

const TWO_31 = 2 ** 31;
const TWO_32 = 2 ** 32;

/** Largest total weight the configuration can sum without wrapping in Z_2^32 (signed). */
export const maxTotalWeight = (cfg: SecAggConfig) => Math.floor((TWO_31 - 1) / (cfg.range * 2 ** cfg.fractionalBits));

/**
 * Largest weight one client may send: no more than the total allows, and small enough that the weights of
 * MAX_SECAGG_CLIENTS clients cannot wrap the appended weight word, so the total the server reads is true.
 */
export const maxClientWeight = (cfg: SecAggConfig) => Math.min(maxTotalWeight(cfg), Math.floor((TWO_32 - 1) / MAX_SECAGG_CLIENTS));

/**
 * weight · round(clip(u, ±range) · 2^fractionalBits) per coordinate in Z_2^32, then the weight itself: the
 * sum over clients is the weighted sum and the total weight, so the server learns nothing finer.
 */
export function quantise(update: Float32Array, weight: number, cfg: SecAggConfig): Uint32Array {
  if (update.length !== cfg.vectorLength) throw new ModelError('MODEL_ERR_FL_VECTOR', `update has ${update.length} values, the round ${cfg.vectorLength}`);
  if (!(Number.isInteger(weight) && weight >= 1)) throw new ModelError('MODEL_ERR_FL_CONFIG', `secure-aggregation weight: expected a positive integer, got ${weight}`);
  if (weight > maxClientWeight(cfg)) throw new ModelError('MODEL_ERR_SECAGG_OVERFLOW', `weight ${weight} exceeds ${maxClientWeight(cfg)}`);
  const scale = 2 ** cfg.fractionalBits;
  const out = new Uint32Array(update.length + 1);
  for (let i = 0; i < update.length; i++) {
    const u = update[i]!;
    if (!Number.isFinite(u)) throw new ModelError('MODEL_ERR_FL_VECTOR', `update value ${i} is ${u}`);
    const clipped = Math.min(cfg.range, Math.max(-cfg.range, u));
    out[i] = (Math.round(clipped * scale) * weight) >>> 0;
  }
  out[update.length] = weight;
  return out;
}

/** The unmasked sum back to the weighted mean and the total weight. */
export function dequantiseSum(sum: Uint32Array, cfg: SecAggConfig): { mean: Float32Array; totalWeight: number } {
  const totalWeight = sum[cfg.vectorLength]!;
  if (totalWeight === 0) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', 'the unmasked total weight is 0 (inconsistent inputs)');
  if (totalWeight > maxTotalWeight(cfg)) throw new ModelError('MODEL_ERR_SECAGG_OVERFLOW', `total weight ${totalWeight} exceeds ${maxTotalWeight(cfg)}: the sum may have wrapped`);
  const scale = 2 ** cfg.fractionalBits;
  const mean = new Float32Array(cfg.vectorLength);
  for (let i = 0; i < cfg.vectorLength; i++) {
    const v = sum[i]!;
    mean[i] = (v >= TWO_31 ? v - TWO_32 : v) / scale / totalWeight;
  }
  return { mean, totalWeight };
}

export function wordsToBase64(words: Uint32Array): string {
  const b = Buffer.alloc(words.length * 4);
  for (let i = 0; i < words.length; i++) b.writeUInt32LE(words[i]!, i * 4);
  return b.toString('base64');
}

export function base64ToWords(s: string, expectedWords: number): Uint32Array {
  const b = typeof s === 'string' ? Buffer.from(s, 'base64') : Buffer.alloc(0);
  if (b.length !== expectedWords * 4 || b.toString('base64') !== s) throw new ModelError('MODEL_ERR_SECAGG_MESSAGE', `masked input is not ${expectedWords} uint32 words of base64`);
  const out = new Uint32Array(expectedWords);
  for (let i = 0; i < expectedWords; i++) out[i] = b.readUInt32LE(i * 4);
  return out;
}
