import * as tf from '@tensorflow/tfjs';
import { buildAutoencoderOnnx, featureNames, type ManifestFields, MODEL_MANIFEST_SCHEMA, ONNX_DEFAULTS } from '../anomaly/index.js';
import { ModelError } from '../errors.js';
import type { ProfileName } from '../signals/index.js';
import { type DatasetPlan, profileDatasets } from './datasets.js';
import { thresholdForFpr } from './detection-metrics.js';
import { type DetectorEvaluation, evaluateDetector, type ScoredWindows } from './evaluate-windows.js';
import { checkParity, scoreWithOnnx } from './onnx-scoring.js';
import { PROFILE_METRICS, type ProfileConfig, profileConfig } from './profile-configs.js';
import { robustZScore } from './robust-z-baseline.js';
import { scoreWithTfjs, trainAutoencoder } from './train-autoencoder.js';

export interface TrainingPlan {
  version: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Threshold rule: this false-positive rate on the validation set's normal windows. */
  targetFpr: number;
  /** Thresholds above the alert threshold, as multiples of it. */
  confidentFactor: number;
  criticalFactor: number;
  /** Largest relative |onnxruntime − tfjs| allowed on the evaluation windows. */
  parityTolerance: number;
  /** AUC a model needs on its held-out set to ship. */
  minAuc: number;
}

export const DEFAULT_TRAINING_PLAN: TrainingPlan = { version: '1.0.0', epochs: 12, batchSize: 256, learningRate: 0.003, targetFpr: 0.002, confidentFactor: 1.5, criticalFactor: 4, parityTolerance: 1e-4, minAuc: 0.95 };

export interface BuiltModel {
  config: ProfileConfig;
  onnxBytes: Uint8Array;
  fields: ManifestFields;
  autoencoder: DetectorEvaluation;
  baseline: DetectorEvaluation;
  /** Evaluation scores divided by each detector's threshold, for results pooled across profiles. */
  pooled: { autoencoder: Float64Array; baseline: Float64Array; windows: Omit<ScoredWindows, 'scores'> };
  sizes: { trainWindows: number; validationWindows: number; evaluationWindows: number; tailWindows: number; dropoutLabels: number; skippedReadings: number };
  losses: number[];
  parity: number;
  trainMs: number;
}

/** Baseline σ floors in metric units (it reads raw values): 1 % of each metric's anomaly scale. */
const baselineFloors = (profile: ProfileName) => PROFILE_METRICS[profile].map((m) => m.scale * 0.01);

/** Trains, exports, checks and evaluates one profile's model; nothing is written here. */
export async function buildProfileModel(profile: ProfileName, data: DatasetPlan, plan: TrainingPlan, log: (line: string) => void): Promise<BuiltModel> {
  const config = profileConfig(profile);
  const { spec } = config;
  const name = `ae-${profile}`;
  const sets = profileDatasets(config, data);
  log(`${profile}: ${sets.train.inputs.length} training windows, ${sets.validation.inputs.length} validation, ${sets.evaluation.inputs.length} evaluation; inputSize ${spec.inputSize}`);
  const started = Date.now();
  const trained = await trainAutoencoder({
    windows: sets.train.inputs,
    inputSize: spec.inputSize,
    hidden: config.hidden,
    activations: config.activations,
    seed: `${data.seed}/${profile}`,
    epochs: plan.epochs,
    batchSize: plan.batchSize,
    learningRate: plan.learningRate,
    onEpoch: (epoch, loss) => log(`${profile}: epoch ${epoch}/${plan.epochs} loss ${loss.toFixed(4)}`),
  });
  const trainMs = Date.now() - started;
  const onnxBytes = buildAutoencoderOnnx({ inputSize: spec.inputSize, layers: trained.layers, docString: `${name} ${plan.version}` });

  const reference = scoreWithTfjs(trained.model, sets.evaluation.inputs, spec.inputSize);
  const onnxEval = await scoreWithOnnx(onnxBytes, sets.evaluation.inputs, spec.inputSize);
  const parity = checkParity(onnxEval, reference, plan.parityTolerance);
  trained.model.dispose();
  log(`${profile}: onnxruntime matches tfjs on ${sets.evaluation.inputs.length} windows (max relative difference ${parity.toExponential(2)})`);

  const validationScores = (await scoreWithOnnx(onnxBytes, sets.validation.inputs, spec.inputSize)).scores;
  const threshold = thresholdForFpr(validationScores, plan.targetFpr);
  const floors = baselineFloors(profile);
  const baselineThreshold = thresholdForFpr(sets.validation.raw.map((r) => robustZScore(r, floors)), plan.targetFpr);
  if (!(threshold > 0) || !(baselineThreshold > 0)) throw new ModelError('MODEL_ERR_TRAINING', `${profile}: a threshold came out non-positive (${threshold}, ${baselineThreshold})`);
  const baselineScores = Float64Array.from(sets.evaluation.raw, (r) => robustZScore(r, floors));
  const windows = { cls: sets.evaluation.cls, type: sets.evaluation.type, msSinceAnomaly: sets.evaluation.msSinceAnomaly };
  // The featurizer's warm-up span: about how long a device's statistics take to settle again after an anomaly.
  const recoveryMs = (spec.preprocessing.warmup as number) * data.intervalMs;
  const autoencoder = evaluateDetector({ ...windows, scores: onnxEval.scores }, threshold, recoveryMs);
  const baseline = evaluateDetector({ ...windows, scores: baselineScores }, baselineThreshold, recoveryMs);

  const sizes = {
    trainWindows: sets.train.inputs.length,
    validationWindows: sets.validation.inputs.length,
    evaluationWindows: sets.evaluation.inputs.length,
    tailWindows: sets.evaluation.cls.filter((c) => c === 'tail').length,
    dropoutLabels: sets.evaluationLabels.filter((l) => l.type === 'dropout').length,
    skippedReadings: sets.evaluation.skippedReadings,
  };
  const fields: ManifestFields = {
    schema: MODEL_MANIFEST_SCHEMA,
    name,
    version: plan.version,
    kind: 'autoencoder',
    profile,
    metrics: spec.metrics,
    window: spec.window,
    inputSize: spec.inputSize,
    featureNames: featureNames(spec),
    preprocessing: spec.preprocessing,
    onnx: { opset: ONNX_DEFAULTS.opset, input: ONNX_DEFAULTS.inputName, outputs: { score: ONNX_DEFAULTS.scoreName, featureError: ONNX_DEFAULTS.featureErrorName } },
    thresholds: { threshold, confidentAbove: threshold * plan.confidentFactor, critical: threshold * plan.criticalFactor },
    evaluation: {
      auc: autoencoder.overall.auc,
      precision: autoencoder.overall.precision,
      recall: autoencoder.overall.recall,
      falsePositiveRate: autoencoder.overall.falsePositiveRate,
      falsePositiveRateAfterAnomaly: autoencoder.falsePositiveRateAfterAnomaly,
      aucTailsAsNormal: autoencoder.aucTailsAsNormal,
      perType: autoencoder.perType,
      baseline: { method: 'robust z-score (median/MAD) of the newest reading and first difference in the window', threshold: baselineThreshold, ...baseline.overall, perType: baseline.perType },
      thresholdRule: `false-positive rate ${plan.targetFpr} on ${sizes.validationWindows} normal validation windows`,
      dataset: { seed: `${data.seed}/evaluation`, devices: data.evaluationDevices, readingsPerDevice: data.readingsPerDevice, anomalyRate: data.evaluationAnomalyRate, types: data.evaluationTypes, ...sizes },
      dropout: 'not scored: a reading without the metric yields no window; the runtime sees the gap instead',
      parityMaxRelativeDifference: parity,
      minAuc: plan.minAuc,
      accepted: autoencoder.overall.auc >= plan.minAuc,
    },
    training: {
      seed: `${data.seed}/${profile}`,
      samples: sizes.trainWindows,
      tfjsVersion: tf.version.tfjs,
      data: { seed: `${data.seed}/train`, devices: data.trainDevices, readingsPerDevice: data.readingsPerDevice, intervalMs: data.intervalMs, anomalyRate: 0, stride: data.trainStride },
      architecture: { hidden: config.hidden, activations: config.activations, output: 'linear' },
      epochs: plan.epochs,
      batchSize: plan.batchSize,
      learningRate: plan.learningRate,
      finalLoss: trained.losses.at(-1),
    },
  };
  const norm = (s: ArrayLike<number>, t: number) => Float64Array.from(s as ArrayLike<number>, (v) => v / t);
  return { config, onnxBytes, fields, autoencoder, baseline, pooled: { autoencoder: norm(onnxEval.scores, threshold), baseline: norm(baselineScores, baselineThreshold), windows }, sizes, losses: trained.losses, parity, trainMs };
}
