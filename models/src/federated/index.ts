// Federated learning for the anomaly autoencoders: parameters as flat vectors, local training (FedAvg,
// FedProx), differential privacy and its accountant, aggregation and server optimizers, secure aggregation,
// and the non-IID data and evaluation the federation is measured with. Pure computation: no I/O.
export {
  type FlModelShape,
  initialParameters,
  layersToParameters,
  modelToParameters,
  parameterCount,
  parametersToLayers,
  parametersToModel,
  profileModelShape,
} from './parameters.js';
export { MAX_VECTOR_LENGTH, decodeVector, encodeVector } from './vector-codec.js';
export { type LocalTrainingConfig, type LocalUpdate, trainLocally } from './local-training.js';
export { type DpConfig, clipAndNoise, l2Norm } from './differential-privacy.js';
export { privacySpent, rdpSampledGaussian } from './privacy-accountant.js';
export { type AggregatorConfig, type AggregatorKind, DEFAULT_TRIM_FRACTION, aggregate } from './aggregators.js';
export { FEDADAM_DEFAULTS, type ServerOptimizer, type ServerOptimizerConfig, type ServerOptimizerState, createServerOptimizer } from './server-optimizer.js';
export {
  type SecAggAdvertisement,
  type SecAggConfig,
  type SecAggEncryptedShare,
  type SecAggMaskedInput,
  type SecAggShare,
  type SecAggUnmaskShares,
  MAX_SECAGG_CLIENTS,
  SECAGG_MESSAGE_VERSION,
} from './secure-aggregation/messages.js';
export { SecAggClient } from './secure-aggregation/secagg-client.js';
export { type SecAggProblem, SecAggServer, type SecAggServerHoldings } from './secure-aggregation/secagg-server.js';
export { maxClientWeight, maxTotalWeight } from './secure-aggregation/quantisation.js';
export {
  type ClientDataset,
  DEFAULT_FEDERATED_DATASET_PLAN,
  type FederatedDatasetPlan,
  type LabelledEvalSet,
  federatedDatasets,
} from './federated-datasets.js';
export { evaluateParameters, reconstructionScores } from './evaluate-parameters.js';
export { type FederationConfig, type FederationResult, type RoundRecord, runFederation } from './run-federation.js';
export { MODEL_ERRORS, ModelError, type ModelErrorCode, isModelError } from '../errors.js';
