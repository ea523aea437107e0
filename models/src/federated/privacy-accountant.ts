import { ModelError } from '../errors.js';

/** RDP orders the accountant minimises over: integers, where the sampled-Gaussian bound below is exact. */
const ORDERS: readonly number[] = [...Array.from({ length: 63 }, (_, i) => i + 2), 80, 96, 128, 160, 192, 256, 384, 512];

const logAdd = (a: number, b: number) => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

function logBinomial(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Rényi DP at integer order alpha of one step of the sampled Gaussian mechanism (sensitivity 1, noise std
 * sigma, each record in with probability q): log(Σ_k C(α,k)(1−q)^(α−k) q^k exp((k²−k)/(2σ²)))/(α−1), the
 * exact value for integer orders (Mironov, Talwar, Zhang 2019). q = 1 gives α/(2σ²).
 */
export function rdpSampledGaussian(noiseMultiplier: number, samplingRate: number, alpha: number): number {
  if (!Number.isInteger(alpha) || alpha < 2) throw new ModelError('MODEL_ERR_FL_CONFIG', `RDP order: expected an integer ≥ 2, got ${alpha}`);
  const q = samplingRate;
  const sigma = noiseMultiplier;
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  let logA = -Infinity;
  for (let k = 0; k <= alpha; k++) {
    const term = logBinomial(alpha, k) + (alpha - k) * Math.log1p(-q) + k * Math.log(q) + (k * k - k) / (2 * sigma * sigma);
    logA = logAdd(logA, term);
  }
  return logA / (alpha - 1);
}

/**
 * (epsilon, delta) spent so far: per-round RDP of the sampled Gaussian mechanism summed over rounds
 * (composition), converted with the standard bound ε = min_α RDP(α) + log(1/δ)/(α − 1) (Mironov 2017).
 * Each round records the noise multiplier relative to the sensitivity of what the adversary sees, and the
 * probability that a given client took part in it; see docs/federated-learning.md for which to record.
 */
export function privacySpent(rounds: readonly { noiseMultiplier: number; samplingRate: number }[], delta: number): { epsilon: number; delta: number } {
  if (!(delta > 0 && delta < 1)) throw new ModelError('MODEL_ERR_FL_CONFIG', `delta: expected 0 < delta < 1, got ${delta}`);
  rounds.forEach((r, i) => {
    if (!(Number.isFinite(r.noiseMultiplier) && r.noiseMultiplier >= 0)) throw new ModelError('MODEL_ERR_FL_CONFIG', `round ${i}: noiseMultiplier ${r.noiseMultiplier}, expected ≥ 0`);
    if (!(r.samplingRate >= 0 && r.samplingRate <= 1)) throw new ModelError('MODEL_ERR_FL_CONFIG', `round ${i}: samplingRate ${r.samplingRate}, expected 0..1`);
  });
  // Nothing released about anyone yet: no bound is needed, and the conversion's log(1/δ)/(α−1) term is not a cost.
  if (rounds.every((r) => r.samplingRate === 0)) return { epsilon: 0, delta };
  let epsilon = Infinity;
  for (const alpha of ORDERS) {
    let rdp = 0;
    for (const r of rounds) rdp += rdpSampledGaussian(r.noiseMultiplier, r.samplingRate, alpha);
    epsilon = Math.min(epsilon, rdp + Math.log(1 / delta) / (alpha - 1));
  }
  return { epsilon: Math.max(0, epsilon), delta };
}
