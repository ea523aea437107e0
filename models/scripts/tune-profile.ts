// Development-seed tuning for one profile's model: trains on the build's training set and reports AUC on a
// separate development set (seed `<plan seed>/development`, its own device ids, anomalies injected as in the
// evaluation set), never on the evaluation seed. Nothing is written.
//   node --conditions=source --import tsx models/scripts/tune-profile.ts --profile humidity \
//     [--choices '{"hidden":[16,3,16]}'] [--epochs 12] [--lr 0.003]
import { parseArgs } from 'node:util';
import { DEFAULT_TRAINING_PLAN } from '../src/autoencoder/build-profile-model.js';
import { DEFAULT_DATASET_PLAN, profileDatasets } from '../src/autoencoder/datasets.js';
import { evaluateDetector } from '../src/autoencoder/evaluate-windows.js';
import { labelWindows } from '../src/autoencoder/labelled-windows.js';
import { type ProfileChoices, profileConfig } from '../src/autoencoder/profile-configs.js';
import { scoreWithTfjs, trainAutoencoder } from '../src/autoencoder/train-autoencoder.js';
import { generateSeries, PROFILE_NAMES, type ProfileName } from '../src/signals/index.js';

const { values } = parseArgs({ options: { profile: { type: 'string' }, choices: { type: 'string' }, epochs: { type: 'string' }, lr: { type: 'string' }, devices: { type: 'string' } } });
const profile = values.profile as ProfileName;
if (!PROFILE_NAMES.includes(profile)) throw new Error(`--profile: expected one of ${PROFILE_NAMES.join(', ')}`);
const overrides = (values.choices ? JSON.parse(values.choices) : {}) as Partial<ProfileChoices>;
const plan = DEFAULT_DATASET_PLAN;
const epochs = values.epochs ? Number(values.epochs) : DEFAULT_TRAINING_PLAN.epochs;
const learningRate = values.lr ? Number(values.lr) : DEFAULT_TRAINING_PLAN.learningRate;
const config = profileConfig(profile, overrides);
const { train } = profileDatasets(config, { ...plan, evaluationDevices: 0 });
const devDevices = values.devices ? Number(values.devices) : plan.evaluationDevices;
const dev = generateSeries({
  seed: `${plan.seed}/development`,
  deviceIds: Array.from({ length: devDevices }, (_, i) => `${profile}-development-${String(i).padStart(3, '0')}`),
  profile,
  startTs: plan.startTs,
  intervalMs: plan.intervalMs,
  samples: plan.readingsPerDevice,
  anomalyRate: plan.evaluationAnomalyRate,
  anomalyTypes: plan.evaluationTypes,
});
const devSet = labelWindows(config.spec, dev.readings, dev.labels);
const started = Date.now();
const trained = await trainAutoencoder({ windows: train.inputs, inputSize: config.spec.inputSize, hidden: config.hidden, activations: config.activations, seed: `${plan.seed}/${profile}`, epochs, batchSize: DEFAULT_TRAINING_PLAN.batchSize, learningRate });
const { scores } = scoreWithTfjs(trained.model, devSet.inputs, config.spec.inputSize);
trained.model.dispose();
const e = evaluateDetector({ scores, cls: devSet.cls, type: devSet.type, msSinceAnomaly: devSet.msSinceAnomaly }, Number.POSITIVE_INFINITY, 0);
const perType = Object.fromEntries(Object.entries(e.perType).map(([t, s]) => [t, Number(s.auc.toFixed(4))]));
process.stdout.write(`${JSON.stringify({ profile, overrides, epochs, learningRate, devAuc: Number(e.overall.auc.toFixed(4)), perType, loss: Number(trained.losses.at(-1)!.toFixed(4)), s: Math.round((Date.now() - started) / 1000) })}\n`);
