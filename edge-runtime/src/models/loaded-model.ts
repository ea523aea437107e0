import { type ModelManifest, WindowFeaturizer } from '@outpost/models/anomaly';

/** A model whose session exists in the scoring backend. */
export interface LoadedModel {
  /** The backend session key: unique per load, so the same version can be loaded again after a failure. */
  readonly key: string;
  readonly name: string;
  /** `${name}@${version}`: what alerts and the status call it. */
  readonly modelVersion: string;
  readonly manifest: ModelManifest;
  readonly manifestPath: string;
  /** Digest of everything that shapes the features: equal fingerprints can share featurizer state. */
  readonly fingerprint: string;
  /** Set once a run threw while it was on probation: its windows go to the fallback model. */
  failed: boolean;
  /** Set when no slot serves it any more; its session is released once nothing refers to it. */
  retiredAt: number | null;
}

/** The featurizer spec of a model, as WindowFeaturizer takes it. */
export const featurizerSpec = (m: ModelManifest) => ({ metrics: m.metrics, window: m.window, inputSize: m.inputSize, preprocessing: m.preprocessing });

/** The featurizer's own fingerprint of a manifest's features (throws MODEL_ERR_PREPROCESSING when they are inconsistent). */
export const featureFingerprint = (m: ModelManifest): string => new WindowFeaturizer(featurizerSpec(m)).toJSON().fingerprint;
