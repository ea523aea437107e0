import { ANOMALY_TYPES, type AnomalyLabel, type AnomalyType, generateSeries, type ProfileName } from '../signals/index.js';
import { labelWindows, type LabelledWindows } from './labelled-windows.js';
import type { ProfileConfig } from './profile-configs.js';

/** How the three generated sets are drawn; recorded in the manifest and the card. */
export interface DatasetPlan {
  seed: string;
  startTs: number;
  intervalMs: number;
  readingsPerDevice: number;
  trainDevices: number;
  /** Every n-th training window: neighbours overlap by window − 1 readings, so this loses little. */
  trainStride: number;
  validationDevices: number;
  evaluationDevices: number;
  /** Chance per reading that an anomaly starts when none is under way (evaluation set only). */
  evaluationAnomalyRate: number;
  evaluationTypes: readonly AnomalyType[];
}

export const DEFAULT_DATASET_PLAN: DatasetPlan = {
  seed: 'outpost-models-v1',
  startTs: Date.UTC(2026, 0, 5),
  intervalMs: 60_000,
  // Two days per device: both halves of the daily cycle, twice.
  readingsPerDevice: 2880,
  trainDevices: 24,
  trainStride: 4,
  validationDevices: 8,
  evaluationDevices: 16,
  evaluationAnomalyRate: 0.003,
  evaluationTypes: ANOMALY_TYPES,
};

export interface ProfileDatasets {
  /** Normal windows only (anomalyRate 0): what the autoencoder learns. */
  train: LabelledWindows;
  /** Normal windows from other devices and another seed: where the threshold is chosen. */
  validation: LabelledWindows;
  /** Other devices, another seed, all five anomaly types injected. */
  evaluation: LabelledWindows;
  evaluationLabels: AnomalyLabel[];
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

/** The three sets for one profile; each has its own seed and device ids, so no device is in two of them. */
export function profileDatasets(config: ProfileConfig, plan: DatasetPlan): ProfileDatasets {
  const series = (role: string, devices: number, anomalyRate: number) =>
    generateSeries({
      seed: `${plan.seed}/${role}`,
      deviceIds: ids(`${config.profile}-${role}`, devices),
      profile: config.profile as ProfileName,
      startTs: plan.startTs,
      intervalMs: plan.intervalMs,
      samples: plan.readingsPerDevice,
      anomalyRate,
      anomalyTypes: plan.evaluationTypes,
    });
  const trainSeries = series('train', plan.trainDevices, 0);
  const all = labelWindows(config.spec, trainSeries.readings, trainSeries.labels);
  const keep = (i: number) => i % plan.trainStride === 0;
  const train: LabelledWindows = { ...all, inputs: all.inputs.filter((_, i) => keep(i)), raw: all.raw.filter((_, i) => keep(i)), cls: all.cls.filter((_, i) => keep(i)), type: all.type.filter((_, i) => keep(i)), deviceId: all.deviceId.filter((_, i) => keep(i)), msSinceAnomaly: all.msSinceAnomaly.filter((_, i) => keep(i)) };
  const validationSeries = series('validation', plan.validationDevices, 0);
  const evaluationSeries = series('evaluation', plan.evaluationDevices, plan.evaluationAnomalyRate);
  return {
    train,
    validation: labelWindows(config.spec, validationSeries.readings, validationSeries.labels),
    evaluation: labelWindows(config.spec, evaluationSeries.readings, evaluationSeries.labels),
    evaluationLabels: evaluationSeries.labels.filter((l) => config.spec.metrics.includes(l.metric)),
  };
}
