// npm run eval:federated — a 20-client in-process federation on non-IID data against the same autoencoder
// trained centrally on the pooled client data: FedAvg, FedProx (with secure aggregation and 30 % dropouts),
// FedAdam, and FedAvg with differential privacy. Writes evaluations/federated-eval.md and .json (beside the shipped artifacts, not among them).
// Options: --rounds 30  --out <dir>
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SHIPPED_ARTIFACTS_DIR } from '../src/anomaly/index.js';
import { DEFAULT_TRAINING_PLAN } from '../src/autoencoder/build-profile-model.js';
import { trainAutoencoder } from '../src/autoencoder/train-autoencoder.js';
import { DEFAULT_FEDERATED_DATASET_PLAN, evaluateParameters, federatedDatasets, layersToParameters, parameterCount, profileModelShape } from '../src/federated/index.js';
import { type CentralRun, federationMarkdown, type FederationReport, type StrategyRun, summarise } from '../src/federated/federation-report.js';
import { type FederationConfig, runFederation } from '../src/federated/run-federation.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, out: { type: 'string' } } });
const rounds = values.rounds ? Number(values.rounds) : 30;
if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 200)) throw new Error(`--rounds: expected an integer 1..200, got ${values.rounds}`);
const outDir = values.out ? resolve(values.out) : join(SHIPPED_ARTIFACTS_DIR, '..', 'evaluations');
const started = Date.now();
const log = (line: string) => process.stdout.write(`[eval:federated ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const plan = DEFAULT_FEDERATED_DATASET_PLAN;
const { clients, heldOut } = federatedDatasets(plan);
const shape = profileModelShape(plan.profile);
const pooled = clients.flatMap((c) => c.windows);
const perClient = clients.map((c) => c.windows.length).sort((a, b) => a - b);
log(`${plan.profile}: ${clients.length} clients, ${pooled.length} pooled training windows (per client ${perClient[0]}–${perClient.at(-1)}), ${heldOut.inputs.length} held-out windows`);

const local = { epochs: 1, batchSize: 32, learningRate: 0.003, proxMu: 0 };
const base: FederationConfig = { seed: `${plan.seed}/federation`, rounds, sampleFraction: 0.5, minClients: 5, local, aggregator: { kind: 'fedavg' }, server: { kind: 'sgd', learningRate: 1 } };
// Each round trains sampleFraction of the clients for local.epochs: that many passes over the pooled data per round.
const budgetEpochs = Math.max(1, Math.round(rounds * base.sampleFraction * local.epochs));

const central: CentralRun[] = [];
for (const c of [
  { name: 'same budget and optimiser as the clients', epochs: budgetEpochs, batchSize: local.batchSize, learningRate: local.learningRate },
  { name: 'models:build schedule', epochs: DEFAULT_TRAINING_PLAN.epochs, batchSize: DEFAULT_TRAINING_PLAN.batchSize, learningRate: DEFAULT_TRAINING_PLAN.learningRate },
]) {
  const t = Date.now();
  const trained = await trainAutoencoder({ windows: pooled, inputSize: shape.inputSize, hidden: shape.hidden, activations: shape.activations, seed: base.seed, ...c });
  const auc = evaluateParameters(shape, layersToParameters(shape, trained.layers), heldOut).auc;
  trained.model.dispose();
  central.push({ ...c, auc, seconds: (Date.now() - t) / 1000 });
  log(`central (${c.name}): ${c.epochs} epochs, batch ${c.batchSize}: AUC ${auc.toFixed(4)}`);
}
const referenceAuc = Math.max(...central.map((c) => c.auc));
const targetRatio = 0.98;

const strategies: { name: string; description: string; config: FederationConfig }[] = [
  { name: 'FedAvg', description: 'server SGD with learning rate 1 (plain FedAvg), client Adam 1 epoch, weighted by sample count', config: base },
  { name: 'FedProx', description: 'as FedAvg, with the proximal term mu = 0.01 in the clients\' loss', config: { ...base, local: { ...local, proxMu: 0.01 } } },
  {
    name: 'FedProx + SecAgg, 30 % drop',
    description: 'FedProx with Bonawitz secure aggregation (threshold 60 % of the selected, range ±1, 16 fractional bits); 30 % of the selected clients drop after sharing keys, every round',
    config: { ...base, local: { ...local, proxMu: 0.01 }, secureAggregation: { thresholdFraction: 0.6, range: 1, fractionalBits: 16 }, dropoutFraction: 0.3 },
  },
  { name: 'FedAdam', description: 'server FedAdam (learning rate 0.03, β1 0.9, β2 0.99, τ 1e-3)', config: { ...base, server: { kind: 'fedadam', learningRate: 0.03 } } },
  { name: 'FedAvg + DP', description: 'client-side clipping to L2 norm 1 and Gaussian noise (noise multiplier 0.05), clients weighted equally', config: { ...base, dp: { clipNorm: 1, noiseMultiplier: 0.05 }, dpDelta: 1e-5 } },
];

const runs: StrategyRun[] = [];
for (const s of strategies) {
  const t = Date.now();
  const result = await runFederation(shape, clients, heldOut, s.config, (r) =>
    log(`${s.name} round ${String(r.round).padStart(2)}/${rounds}: ${r.reported}/${r.selected} clients, AUC ${r.auc.toFixed(4)}, ${r.seconds.toFixed(2)} s${r.epsilon ? `, ε ${r.epsilon.aggregate.toFixed(1)}` : ''}`),
  );
  runs.push({ ...s, initialAuc: result.initialAuc, history: result.history, seconds: (Date.now() - t) / 1000 });
}

const report: FederationReport = {
  plan,
  sizes: {
    clients: clients.length,
    windowsPerClient: { min: perClient[0]!, median: perClient[perClient.length >> 1]!, max: perClient.at(-1)! },
    pooledWindows: pooled.length,
    contaminatedWindows: clients.reduce((s, c) => s + c.contaminated, 0),
    heldOutWindows: heldOut.inputs.length,
    heldOutAnomalous: heldOut.anomalous.filter(Boolean).length,
    parameters: parameterCount(shape),
  },
  central,
  referenceAuc,
  targetRatio,
  strategies: runs,
  totalSeconds: (Date.now() - started) / 1000,
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, tfjs cpu backend`,
};
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'federated-eval.md'), federationMarkdown(report));
await writeFile(join(outDir, 'federated-eval.json'), `${JSON.stringify({ ...report, summary: runs.map((r) => summarise(r, referenceAuc * targetRatio)) }, null, 2)}\n`);
for (const r of runs) {
  const s = summarise(r, referenceAuc * targetRatio);
  log(`${s.name}: final AUC ${s.finalAuc.toFixed(4)} (${(s.finalAuc / referenceAuc).toFixed(3)} × central ${referenceAuc.toFixed(4)}), target ${s.roundsToTarget === null ? 'not reached' : `reached at round ${s.roundsToTarget}`}`);
}
log(`wrote ${join(outDir, 'federated-eval.md')}`);
