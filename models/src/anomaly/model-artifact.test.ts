import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { isModelError, type ModelErrorCode } from '../errors.js';
import { type ManifestFields, readModelArtifact, sha256Hex, writeModelArtifact } from './model-artifact.js';
import { featureNames } from './preprocessing.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'model-artifact-'));
  dirs.push(d);
  return d;
};

const preprocessing = { method: 'ewma-z', alpha: 0.02, diffAlpha: 0.02, warmup: 5, clip: 8, channels: ['z', 'dz'], logFloor: 0.01, stdFloor: {} };
const fields: ManifestFields = {
  schema: 1,
  name: 'ae-temperature',
  version: '1.0.0',
  kind: 'autoencoder',
  profile: 'temperature',
  metrics: ['temperature'],
  window: 4,
  inputSize: 8,
  featureNames: featureNames({ metrics: ['temperature'], window: 4, preprocessing }),
  preprocessing,
  onnx: { opset: 13, input: 'input', outputs: { score: 'score', featureError: 'feature_error' } },
  thresholds: { threshold: 1, confidentAbove: 1.5, critical: 4 },
  evaluation: { auc: 0.99 },
  training: { seed: 1, samples: 10, tfjsVersion: '4.22.0' },
};
const onnxBytes = new Uint8Array([8, 7, 18, 3, 1, 2, 3, 4, 5]);

const refused = async (manifestPath: string, code: ModelErrorCode, pattern: RegExp) =>
  assert.rejects(readModelArtifact(manifestPath), (e) => isModelError(e, code) && pattern.test(e.message));

test('writes <name>-<version>-<sha12>.{onnx,json,md} and reads them back', async () => {
  const dir = await tempDir();
  const written = await writeModelArtifact(dir, onnxBytes, fields, '# card');
  const stem = `ae-temperature-1.0.0-${sha256Hex(onnxBytes).slice(0, 12)}`;
  assert.equal(basename(written.manifestPath), `${stem}.json`);
  assert.equal(basename(written.onnxPath), `${stem}.onnx`);
  assert.equal(basename(written.cardPath), `${stem}.md`);
  assert.equal(written.manifest.onnx.bytes, onnxBytes.length);
  assert.equal(written.manifest.card, `${stem}.md`);
  assert.equal(await readFile(written.cardPath, 'utf8'), '# card\n');
  const read = await readModelArtifact(written.manifestPath);
  assert.deepEqual(read.manifest, written.manifest);
  assert.deepEqual(read.onnxBytes, onnxBytes);
});

test('a tampered or truncated .onnx is refused with MODEL_ERR_SHA256_MISMATCH, a missing one with MODEL_ERR_ONNX_MISSING', async () => {
  const dir = await tempDir();
  const { manifestPath, onnxPath } = await writeModelArtifact(dir, onnxBytes, fields, '# card');
  const tampered = Uint8Array.from(onnxBytes);
  tampered[3] = tampered[3]! ^ 1;
  await writeFile(onnxPath, tampered);
  await refused(manifestPath, 'MODEL_ERR_SHA256_MISMATCH', /sha256/);
  await writeFile(onnxPath, onnxBytes.subarray(1));
  await refused(manifestPath, 'MODEL_ERR_SHA256_MISMATCH', /onnx\.bytes/);
  await unlink(onnxPath);
  await assert.rejects(readModelArtifact(manifestPath), (e) => isModelError(e, 'MODEL_ERR_ONNX_MISSING') && e.retryable);
});

test('bad manifests are refused with MODEL_ERR_MANIFEST naming the field', async () => {
  const dir = await tempDir();
  const { manifestPath, manifest } = await writeModelArtifact(dir, onnxBytes, fields, '# card');
  const rewrite = (m: unknown) => writeFile(manifestPath, JSON.stringify(m));
  await writeFile(manifestPath, '{ not json');
  await refused(manifestPath, 'MODEL_ERR_MANIFEST', /not JSON/);
  await rewrite({ ...manifest, version: '1.0' });
  await refused(manifestPath, 'MODEL_ERR_MANIFEST', /version: major\.minor\.patch/);
  await rewrite({ ...manifest, onnx: { ...manifest.onnx, sha256: 'abc' } });
  await refused(manifestPath, 'MODEL_ERR_MANIFEST', /onnx\.sha256/);
  await rewrite({ ...manifest, onnx: { ...manifest.onnx, file: '../elsewhere.onnx' } });
  await refused(manifestPath, 'MODEL_ERR_MANIFEST', /onnx\.file/);
  await rewrite({ ...manifest, thresholds: { threshold: 5, confidentAbove: 1.5, critical: 4 } });
  await refused(manifestPath, 'MODEL_ERR_MANIFEST', /thresholds/);
  await rewrite({ ...manifest, preprocessing: { ...preprocessing, clip: -1 } });
  await refused(manifestPath, 'MODEL_ERR_MANIFEST', /preprocessing\.clip/);
  await rewrite({ ...manifest, featureNames: [...manifest.featureNames].reverse() });
  await refused(manifestPath, 'MODEL_ERR_MANIFEST', /featureNames\[0\]/);
  await refused(join(dir, 'absent.json'), 'MODEL_ERR_MANIFEST', /ENOENT/);
});

test('the writer refuses to write a manifest that would not read back', async () => {
  const dir = await tempDir();
  await assert.rejects(writeModelArtifact(dir, onnxBytes, { ...fields, inputSize: 9 }, '# card'), (e) => isModelError(e, 'MODEL_ERR_MANIFEST'));
});
