import { DEFAULT_FEDERATED_DATASET_PLAN, type LabelledEvalSet, evaluateParameters, federatedDatasets } from '@outpost/models/federated';
import type { ProfileName } from '@outpost/models/signals';
import type { Logger } from '../observability/logger.js';
import type { FederationConfig } from './federation-config.js';

/** The labelled held-out windows a federation is evaluated on after every round; null when none can be made. */
export interface HeldOutSource {
  get(profile: ProfileName, seed: string): LabelledEvalSet | null;
}

/** Cached per (profile, seed): generated once per hub process, from the simulator's labelled generators. */
export function createHeldOutSource(log: Logger, generate = (profile: ProfileName, seed: string) => federatedDatasets({ ...DEFAULT_FEDERATED_DATASET_PLAN, profile, seed, clients: 1 }).heldOut): HeldOutSource {
  const cache = new Map<string, LabelledEvalSet | null>();
  return {
    get(profile, seed) {
      const key = `${profile}\0${seed}`;
      if (!cache.has(key)) {
        try {
          cache.set(key, generate(profile, seed));
        } catch (err) {
          log.warn({ err, profile }, 'held-out evaluation data could not be generated; rounds are recorded without AUC');
          cache.set(key, null);
        }
      }
      return cache.get(key)!;
    },
  };
}

/** The held-out AUC of the global parameters, or null (no data, or a non-finite model). */
export function evaluateGlobal(source: HeldOutSource, config: FederationConfig, global: Float32Array, log: Logger): number | null {
  const heldOut = source.get(config.profile, config.evaluationSeed);
  if (!heldOut) return null;
  try {
    const { auc } = evaluateParameters(config.shape, global, heldOut);
    return Number.isFinite(auc) ? auc : null;
  } catch (err) {
    log.warn({ err }, 'evaluation failed');
    return null;
  }
}
