import { join } from 'node:path';
import { type ModelManifest, ONNX_DEFAULTS, SHIPPED_ARTIFACTS_DIR, buildAutoencoderOnnx, readModelArtifact, readShippedIndex, thresholdForFpr, writeModelArtifact } from '@outpost/models/anomaly';
import { type LabelledEvalSet, evaluateParameters, parametersToLayers } from '@outpost/models/federated';
import { HubError } from '../errors.js';
import type { FederationConfig } from './federation-config.js';
import type { RoundRecord } from './federation-store.js';

export interface ExportedModel {
  manifestPath: string;
  onnxPath: string;
  cardPath: string;
  manifest: ModelManifest;
  /** The ONNX file, base64, so an operator can copy it to a gateway without access to the hub's disk. */
  onnxBase64: string;
  card: string;
}

/** Alert thresholds from the held-out normal windows: 1 %, 0.2 % and 0.05 % false-positive rates. */
const FPR = { threshold: 0.01, confidentAbove: 0.002, critical: 0.0005 } as const;

/**
 * The federation's global model as a model artifact edge-runtime loads: the ONNX graph the models package
 * exports, a manifest whose featurizer is the profile's shipped model's (the gateways trained on windows that
 * featurizer produced), thresholds calibrated on the hub's held-out data, and a model card.
 */
export async function exportFederatedModel(options: {
  federationId: string;
  config: FederationConfig;
  round: number;
  params: Float32Array;
  rounds: readonly RoundRecord[];
  heldOut: LabelledEvalSet | null;
  outDir: string;
  shippedDir?: string;
}): Promise<ExportedModel> {
  const { config, params, heldOut } = options;
  if (options.round === 0) throw new HubError('HUB_ERR_FL_STATE', `${options.federationId} has finished no round yet`);
  if (!heldOut) throw new HubError('HUB_ERR_FL_STATE', 'no held-out data to calibrate the alert thresholds on');
  const base = await shippedManifest(config.profile, options.shippedDir ?? SHIPPED_ARTIFACTS_DIR);
  if (base.inputSize !== config.shape.inputSize) throw new HubError('HUB_ERR_FL_STATE', `the shipped ${config.profile} featurizer produces ${base.inputSize} inputs, the federation's model reads ${config.shape.inputSize}`);

  const layers = parametersToLayers(config.shape, params);
  const onnxBytes = buildAutoencoderOnnx({ inputSize: config.shape.inputSize, layers, docString: `federated ${config.profile} autoencoder, federation ${options.federationId}, round ${options.round}` });
  const normal = normalScores(config, params, heldOut);
  const thresholds = { threshold: thresholdForFpr(normal, FPR.threshold), confidentAbove: thresholdForFpr(normal, FPR.confidentAbove), critical: thresholdForFpr(normal, FPR.critical) };
  if (!(thresholds.threshold > 0 && thresholds.threshold <= thresholds.confidentAbove && thresholds.confidentAbove <= thresholds.critical)) {
    throw new HubError('HUB_ERR_FL_STATE', `the global model's held-out scores give no usable thresholds (${JSON.stringify(thresholds)})`);
  }
  const { auc } = evaluateParameters(config.shape, params, heldOut);
  const completed = options.rounds.filter((r) => r.status === 'completed');
  const last = completed.at(-1);
  const card = modelCard(options.federationId, config, options.round, auc, thresholds, options.rounds);
  const written = await writeModelArtifact(
    options.outDir,
    onnxBytes,
    {
      schema: base.schema,
      name: `ae-${config.profile}-federated`,
      version: `1.${options.round}.0`,
      kind: 'autoencoder',
      profile: config.profile,
      metrics: base.metrics,
      window: base.window,
      inputSize: base.inputSize,
      featureNames: base.featureNames,
      preprocessing: base.preprocessing,
      onnx: { opset: ONNX_DEFAULTS.opset, input: ONNX_DEFAULTS.inputName, outputs: { score: ONNX_DEFAULTS.scoreName, featureError: ONNX_DEFAULTS.featureErrorName } },
      thresholds,
      evaluation: { heldOutAuc: auc, heldOutWindows: heldOut.inputs.length, federationId: options.federationId, round: options.round },
      training: { seed: config.seed, samples: 0, tfjsVersion: 'federated', federated: true, completedRounds: completed.length, epsilon: last?.summary.epsilon ?? null },
    },
    card,
  );
  return { ...written, onnxBase64: Buffer.from(onnxBytes).toString('base64'), card };
}

async function shippedManifest(profile: string, dir: string): Promise<ModelManifest> {
  let entry;
  try {
    entry = readShippedIndex(dir).models.find((m) => m.profile === profile);
  } catch (err) {
    throw new HubError('HUB_ERR_FL_STATE', `shipped models unavailable: ${(err as Error).message}`);
  }
  if (!entry) throw new HubError('HUB_ERR_FL_STATE', `no shipped ${profile} model to take the featurizer from`);
  return (await readModelArtifact(join(dir, entry.manifest))).manifest;
}

function normalScores(config: FederationConfig, params: Float32Array, heldOut: LabelledEvalSet): number[] {
  const layers = parametersToLayers(config.shape, params);
  const scores: number[] = [];
  heldOut.inputs.forEach((x, i) => {
    if (heldOut.anomalous[i]) return;
    let a: Float64Array = Float64Array.from(x);
    for (const l of layers) {
      const b = new Float64Array(l.outputs);
      for (let o = 0; o < l.outputs; o++) b[o] = l.bias[o]!;
      for (let r = 0; r < l.inputs; r++) for (let o = 0; o < l.outputs; o++) b[o]! += a[r]! * l.weights[r * l.outputs + o]!;
      for (let o = 0; o < l.outputs; o++) b[o] = l.activation === 'relu' ? Math.max(0, b[o]!) : l.activation === 'tanh' ? Math.tanh(b[o]!) : b[o]!;
      a = b;
    }
    let s = 0;
    for (let j = 0; j < x.length; j++) s += (x[j]! - a[j]!) ** 2;
    scores.push(s / x.length);
  });
  return scores;
}

function modelCard(federationId: string, config: FederationConfig, round: number, auc: number, thresholds: ModelManifest['thresholds'], rounds: readonly RoundRecord[]): string {
  const completed = rounds.filter((r) => r.status === 'completed');
  const last = completed.at(-1)?.summary;
  const lines = [
    `# ae-${config.profile}-federated 1.${round}.0`,
    '',
    `Dense autoencoder for the \`${config.profile}\` profile, trained by federated learning across gateways (federation \`${federationId}\`, \`${config.name}\`).`,
    'Raw readings never left the gateways; the hub saw only aggregated updates' + (config.secureAggregation.enabled ? ' (secure aggregation: not even individual masked updates could be opened).' : '.'),
    '',
    '## Training',
    '',
    `| field | value |`,
    `|---|---|`,
    `| rounds finished | ${round} (${completed.length} completed, ${round - completed.length} failed) |`,
    `| model | input ${config.shape.inputSize}, hidden [${config.shape.hidden.join(', ')}] (${config.shape.activations.join(', ')}) |`,
    `| aggregator | ${config.aggregator.kind}${config.aggregator.trimFraction !== undefined ? ` (trim ${config.aggregator.trimFraction})` : ''} |`,
    `| server optimizer | ${config.serverOptimizer.kind}, learning rate ${config.serverOptimizer.learningRate} |`,
    `| local training | ${config.training.epochs} epoch(s), batch ${config.training.batchSize}, learning rate ${config.training.learningRate}, FedProx mu ${config.training.proxMu} |`,
    `| differential privacy | ${config.dp ? `clip ${config.dp.clipNorm}, noise multiplier ${config.dp.noiseMultiplier}; spent epsilon ${last?.epsilon?.toFixed(3) ?? 'n/a'} at delta ${config.dp.delta}` : 'none'} |`,
    `| selection | fraction ${config.sampleFraction}, at least ${config.minClients}, completion ${config.minCompletionRate}, phase deadline ${config.phaseTimeoutMs} ms |`,
    '',
    '## Evaluation',
    '',
    `Held-out AUC ${auc.toFixed(4)} on windows the hub generated (seed \`${config.evaluationSeed}\`). Thresholds (mean squared reconstruction error):`,
    `alert ${thresholds.threshold.toPrecision(4)} (1 % of normal windows above), confident ${thresholds.confidentAbove.toPrecision(4)}, critical ${thresholds.critical.toPrecision(4)}.`,
    '',
    '## Use',
    '',
    'Not rolled out automatically: copy the three files to a gateway and offer the manifest with',
    '`POST /api/v1/runtime/models/offer {"manifestPath","sha256"}` on that gateway. The featurizer is the shipped',
    `${config.profile} model's; only the weights and thresholds differ.`,
  ];
  return lines.join('\n');
}
