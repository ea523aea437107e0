import { createCipheriv, createHash } from 'node:crypto';
import { ModelError } from '../errors.js';

/** Client-side DP: the update is clipped to L2 norm clipNorm, then N(0, (noiseMultiplier·clipNorm)²) noise is added per coordinate. */
export interface DpConfig {
  clipNorm: number;
  noiseMultiplier: number;
}

export function l2Norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/**
 * Clips the update to L2 norm ≤ clipNorm and adds Gaussian noise of std noiseMultiplier·clipNorm. The noise
 * comes from AES-256-CTR keyed by SHA-256 of `seed`: reproducible for experiments, and as strong as the
 * seed (a small PRNG's 32-bit state could be searched, and the noise subtracted). Anyone who knows the seed
 * can subtract the noise, so a deployed client must pass a fresh secret seed (e.g. 16 random bytes in hex).
 */
export function clipAndNoise(delta: Float32Array, dp: DpConfig, seed: string | number): { delta: Float32Array; preClipNorm: number; clipped: boolean } {
  if (!(Number.isFinite(dp.clipNorm) && dp.clipNorm > 0)) throw new ModelError('MODEL_ERR_FL_CONFIG', `clipNorm: expected > 0, got ${dp.clipNorm}`);
  if (!(Number.isFinite(dp.noiseMultiplier) && dp.noiseMultiplier >= 0)) throw new ModelError('MODEL_ERR_FL_CONFIG', `noiseMultiplier: expected ≥ 0, got ${dp.noiseMultiplier}`);
  const preClipNorm = l2Norm(delta);
  if (!Number.isFinite(preClipNorm)) throw new ModelError('MODEL_ERR_FL_VECTOR', 'the update holds NaN or Infinity');
  const clipped = preClipNorm > dp.clipNorm;
  const scale = clipped ? dp.clipNorm / preClipNorm : 1;
  const std = dp.noiseMultiplier * dp.clipNorm;
  const noise = std > 0 ? gaussianStream(seed, delta.length) : undefined;
  const out = new Float32Array(delta.length);
  for (let i = 0; i < delta.length; i++) out[i] = delta[i]! * scale + (noise ? std * noise[i]! : 0);
  return { delta: out, preClipNorm, clipped };
}

/** n standard normals (Box–Muller) from an AES-256-CTR keystream keyed by the seed. */
function gaussianStream(seed: string | number, n: number): Float64Array {
  const key = createHash('sha256').update(`outpost-dp-noise\u0000${String(seed)}`).digest();
  const pairs = Math.ceil(n / 2);
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const bytes = Buffer.concat([cipher.update(Buffer.alloc(pairs * 8)), cipher.final()]);
  const out = new Float64Array(pairs * 2);
  for (let p = 0; p < pairs; p++) {
    // (w + 0.5)/2^32 is in (0, 1): the logarithm never sees 0.
    const u = (bytes.readUInt32LE(p * 8) + 0.5) / 4294967296;
    const v = (bytes.readUInt32LE(p * 8 + 4) + 0.5) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u));
    out[2 * p] = r * Math.cos(2 * Math.PI * v);
    out[2 * p + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out.subarray(0, n);
}
