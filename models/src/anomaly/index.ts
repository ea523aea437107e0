// Everything edge-runtime needs to run a shipped anomaly model: the manifest contract, the featurizer that
// turns readings into inputs, the explanation and severity of a score, and the artifact reader.
export * from './model-manifest.js';
export { MODEL_ERRORS, ModelError, type ModelErrorCode, isModelError } from '../errors.js';
export {
  FEATURE_CHANNELS,
  type FeatureChannel,
  type FeaturizerSpec,
  PREPROCESSING_METHOD,
  type Preprocessing,
  featureMetric,
  featureNames,
  inputSizeFor,
  parseFeatureName,
  parsePreprocessing,
  preprocessingSchema,
} from './preprocessing.js';
export { FEATURIZER_STATE_VERSION, type FeaturizerState, WindowFeaturizer, featurizerStateSchema } from './window-featurizer.js';
export { type FeatureContribution, type Severity, explain, explainByMetric, severityOf } from './explain.js';
export { type AutoencoderOnnxSpec, type DenseLayer, ONNX_DEFAULTS, buildAutoencoderOnnx } from './onnx-export.js';
export { type ManifestFields, type WrittenArtifact, readModelArtifact, sha256Hex, validateManifest, writeModelArtifact } from './model-artifact.js';
export { SHIPPED_ARTIFACTS_DIR, type ShippedIndex, listShippedModels, readShippedIndex, shippedIndexSchema } from './shipped-models.js';
// Evaluation helpers, shared with edge-runtime's evaluation of its online detector.
export { type Confusion, confusionAt, rocAuc, thresholdForFpr } from '../autoencoder/detection-metrics.js';
