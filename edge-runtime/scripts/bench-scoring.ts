// `npm run bench:scoring`: windows scored per second by one scoring worker (onnxruntime-node in a worker
// thread, spinning off), batched, against the same session run on the main thread in the same process as
// the peer; and readings per second through the per-device featurizer, which runs on the main thread.
// Medians of --rounds rounds of --seconds each. Report: .cache/bench/scoring.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readModelArtifact, WindowFeaturizer, type ModelManifest } from '@outpost/models/anomaly';
import * as ort from 'onnxruntime-node';
import { WorkerScoringBackend } from '../src/scoring/worker-backend.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: flags } = parseArgs({
  options: {
    manifest: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '2' },
    batches: { type: 'string', default: '64,512,2048' },
  },
});
const rounds = Math.max(1, Number(flags.rounds));
const roundMs = Math.max(200, Number(flags.seconds) * 1000);
const batchSizes = flags.batches.split(',').map(Number).filter((n) => n > 0);
const log = (line: string) => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function loadModel(): Promise<{ onnx: Uint8Array; manifest: Pick<ModelManifest, 'name' | 'version' | 'inputSize' | 'metrics' | 'window' | 'preprocessing' | 'onnx'> }> {
  const path = flags.manifest ?? (await shippedManifest());
  if (path) {
    const { manifest, onnxBytes } = await readModelArtifact(path);
    return { onnx: onnxBytes, manifest };
  }
  throw new Error('no model: pass --manifest <file> or run npm run models:build');
}

async function shippedManifest(): Promise<string | undefined> {
  const models = (await import('@outpost/models/anomaly')) as { listShippedModels?: () => string[] };
  return models.listShippedModels?.()[0];
}

function randomInput(rows: number, cols: number, seed: number): Float32Array {
  const data = new Float32Array(rows * cols);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = ((x >>> 0) / 2 ** 32) * 4 - 2;
  }
  return data;
}

/** Windows per second over one round: one request at a time, as the runtime's scoring loop sends them. */
async function round(run: (input: Float32Array) => Promise<unknown>, rows: number, cols: number): Promise<number> {
  const template = randomInput(rows, cols, 7);
  let windows = 0;
  const started = performance.now();
  for (let i = 0; i < 10_000_000 && performance.now() - started < roundMs; i++) {
    await run(template.slice());
    windows += rows;
  }
  return windows / ((performance.now() - started) / 1000);
}

const { onnx, manifest } = await loadModel();
const cols = manifest.inputSize;
const io = { input: manifest.onnx.input, score: manifest.onnx.outputs.score, featureError: manifest.onnx.outputs.featureError };
log(`model ${manifest.name}@${manifest.version}: ${cols} inputs; ${rounds} rounds of ${roundMs} ms per setting; ${cpus().length} cores`);

const worker = new WorkerScoringBackend({ intraOpThreads: 1 });
await worker.load('m', onnx, io);
const direct = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } });
const results: Record<string, unknown>[] = [];
for (const rows of batchSizes) {
  const viaWorker: number[] = [];
  const onMain: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate, so drift in the machine's load hits both alike.
    viaWorker.push(await round((input) => worker.run('m', input, rows, cols), rows, cols));
    onMain.push(await round((input) => direct.run({ [io.input]: new ort.Tensor('float32', input, [rows, cols]) }), rows, cols));
  }
  const row = { batch: rows, workerWindowsPerSec: Math.round(median(viaWorker)), mainThreadWindowsPerSec: Math.round(median(onMain)), ratio: Number((median(viaWorker) / median(onMain)).toFixed(2)) };
  results.push(row);
  log(`batch ${rows}: worker ${row.workerWindowsPerSec} windows/s, same session on the main thread ${row.mainThreadWindowsPerSec} windows/s (ratio ${row.ratio})`);
}
await worker.close();
await direct.release();

// The featurizer: one push per reading per device, on the main thread before scoring.
const metrics = manifest.metrics;
const featurizerRates: number[] = [];
for (let r = 0; r < rounds; r++) {
  const devices = Array.from({ length: 100 }, () => new WindowFeaturizer(manifest));
  let pushes = 0;
  const started = performance.now();
  for (let t = 1; performance.now() - started < roundMs && t < 10_000_000; t++) {
    for (const f of devices) {
      const reading: Record<string, number> = {};
      for (const m of metrics) reading[m] = 20 + Math.sin(t / 50) + ((t * 7919) % 13) / 100;
      f.push(t * 1000, reading);
      pushes++;
    }
  }
  featurizerRates.push(pushes / ((performance.now() - started) / 1000));
}
log(`featurizer: ${Math.round(median(featurizerRates))} readings/s (100 devices, main thread)`);

const report = { benchmark: 'scoring', at: new Date().toISOString(), model: `${manifest.name}@${manifest.version}`, inputSize: cols, rounds, roundMs, batches: results, featurizerReadingsPerSec: Math.round(median(featurizerRates)) };
const out = join(repoRoot, '.cache', 'bench', 'scoring.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
log(`report written to ${out}`);
