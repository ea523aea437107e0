// npm run models:build — trains one anomaly autoencoder per sensor profile, checks the ONNX export against
// tfjs, evaluates it against the baseline on held-out data, and writes artifacts/ (manifests, .onnx, cards,
// index.json of the shipped models, evaluation.md). Options: --profiles temperature,battery  --out <dir>
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SHIPPED_ARTIFACTS_DIR, type ShippedIndex, writeModelArtifact } from '../src/anomaly/index.js';
import { type BuiltModel, buildProfileModel, DEFAULT_TRAINING_PLAN } from '../src/autoencoder/build-profile-model.js';
import { DEFAULT_DATASET_PLAN } from '../src/autoencoder/datasets.js';
import { pooledEvaluation, summaryMarkdown } from '../src/autoencoder/evaluation-summary.js';
import { modelCard } from '../src/autoencoder/model-card.js';
import { PROFILE_NAMES, type ProfileName } from '../src/signals/index.js';

const { values } = parseArgs({ options: { profiles: { type: 'string' }, out: { type: 'string' } } });
const profiles = (values.profiles?.split(',') ?? [...PROFILE_NAMES]) as ProfileName[];
for (const p of profiles) if (!PROFILE_NAMES.includes(p)) throw new Error(`--profiles: unknown profile ${p}; expected some of ${PROFILE_NAMES.join(', ')}`);
const outDir = values.out ? resolve(values.out) : SHIPPED_ARTIFACTS_DIR;
const notShippedDir = join(outDir, 'not-shipped');
const started = Date.now();
const log = (line: string) => process.stdout.write(`[models:build ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// Stale artifacts of an older build must not linger beside the new ones.
await mkdir(outDir, { recursive: true });
for (const name of await readdir(outDir)) if (/\.(onnx|json|md)$/.test(name)) await rm(join(outDir, name));
await rm(notShippedDir, { recursive: true, force: true });

const plan = DEFAULT_TRAINING_PLAN;
const built: BuiltModel[] = [];
const index: ShippedIndex = { schema: 1, models: [] };
for (const profile of profiles) {
  const model = await buildProfileModel(profile, DEFAULT_DATASET_PLAN, plan, log);
  built.push(model);
  const accepted = model.autoencoder.overall.auc >= plan.minAuc;
  const written = await writeModelArtifact(accepted ? outDir : notShippedDir, model.onnxBytes, model.fields, modelCard(model, DEFAULT_DATASET_PLAN, plan));
  const a = model.autoencoder.overall;
  log(`${profile}: AUC ${a.auc.toFixed(4)} (baseline ${model.baseline.overall.auc.toFixed(4)}), precision ${a.precision.toFixed(3)}, recall ${a.recall.toFixed(3)} → ${accepted ? 'shipped' : `NOT shipped (AUC < ${plan.minAuc})`}: ${written.manifestPath}`);
  if (accepted) index.models.push({ name: written.manifest.name, version: written.manifest.version, profile, metrics: written.manifest.metrics, manifest: basename(written.manifestPath), auc: a.auc });
}
await writeFile(join(outDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
const seconds = (Date.now() - started) / 1000;
await writeFile(join(outDir, 'evaluation.md'), summaryMarkdown(built, plan, seconds));
const pooled = pooledEvaluation(built);
log(`all profiles pooled: AUC ${pooled.autoencoder.overall.auc.toFixed(4)} (baseline ${pooled.baseline.overall.auc.toFixed(4)}); ${index.models.length}/${built.length} models shipped; ${seconds.toFixed(0)} s`);
