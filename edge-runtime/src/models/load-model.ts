import { isModelError, type ModelManifest, readModelArtifact } from '@outpost/models/anomaly';
import { RuntimeError } from '../errors.js';
import type { ScoringBackend } from '../scoring/scoring-backend.js';
import { sessionMismatches } from './check-session.js';
import { featureFingerprint, type LoadedModel } from './loaded-model.js';

/** Rows of the zero batch every new session must score before it may serve. */
const SMOKE_ROWS = 2;

/** models' artifact errors, in this package's catalogue. */
function artifactError(err: unknown, manifestPath: string): RuntimeError {
  if (isModelError(err, 'MODEL_ERR_SHA256_MISMATCH')) return new RuntimeError('RT_ERR_MODEL_SHA256', err.message, { cause: err });
  if (isModelError(err, 'MODEL_ERR_ONNX_MISSING')) return new RuntimeError('RT_ERR_MODEL_MISSING', err.message, { cause: err });
  if (isModelError(err)) return new RuntimeError('RT_ERR_MODEL_INVALID', err.message, { cause: err });
  return new RuntimeError('RT_ERR_MODEL_INVALID', `${manifestPath}: ${(err as Error).message}`, { cause: err });
}

/**
 * Load a model so that it can serve, or refuse it with a code: read the artifact (manifest schema, file
 * sha256 and size: RT_ERR_MODEL_INVALID / _SHA256 / _MISSING), check the offer's sha256 against the manifest's
 * (RT_ERR_MODEL_SHA256), create the session (RT_ERR_MODEL_LOAD), compare its inputs and outputs with the
 * manifest (RT_ERR_MODEL_SHAPE) and smoke-run a zero batch (RT_ERR_MODEL_LOAD). A refused model leaves no
 * session behind.
 */
export async function loadModel(backend: ScoringBackend, manifestPath: string, key: string, expectedSha256?: string): Promise<LoadedModel> {
  let manifest: ModelManifest;
  let onnxBytes: Uint8Array;
  try {
    ({ manifest, onnxBytes } = await readModelArtifact(manifestPath));
  } catch (err) {
    throw artifactError(err, manifestPath);
  }
  if (expectedSha256 !== undefined && expectedSha256 !== manifest.onnx.sha256) {
    throw new RuntimeError('RT_ERR_MODEL_SHA256', `the offer names sha256 ${expectedSha256}, the manifest ${manifestPath} says ${manifest.onnx.sha256}`);
  }
  let fingerprint: string;
  try {
    fingerprint = featureFingerprint(manifest);
  } catch (err) {
    throw artifactError(err, manifestPath);
  }
  const { input, outputs } = manifest.onnx;
  let info;
  try {
    info = await backend.load(key, onnxBytes, { input, score: outputs.score, featureError: outputs.featureError });
  } catch (err) {
    throw new RuntimeError('RT_ERR_MODEL_LOAD', `${manifestPath}: onnxruntime refused the graph: ${(err as Error).message}`, { cause: err });
  }
  try {
    const problems = sessionMismatches(info, manifest);
    if (problems.length > 0) throw new RuntimeError('RT_ERR_MODEL_SHAPE', `${manifestPath}: ${problems.join('; ')}`);
    let out;
    try {
      out = await backend.run(key, new Float32Array(SMOKE_ROWS * manifest.inputSize), SMOKE_ROWS, manifest.inputSize);
    } catch (err) {
      throw new RuntimeError('RT_ERR_MODEL_LOAD', `${manifestPath}: the smoke run on a zero batch failed: ${(err as Error).message}`, { cause: err });
    }
    if (![...out.score].every(Number.isFinite)) throw new RuntimeError('RT_ERR_MODEL_LOAD', `${manifestPath}: the smoke run on a zero batch gave a non-finite score`);
  } catch (err) {
    await backend.unload(key).catch(() => {});
    throw err;
  }
  return {
    key,
    name: manifest.name,
    modelVersion: `${manifest.name}@${manifest.version}`,
    manifest,
    manifestPath,
    fingerprint,
    failed: false,
    retiredAt: null,
  };
}
