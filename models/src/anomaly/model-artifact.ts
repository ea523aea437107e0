import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ModelError } from '../errors.js';
import { type ModelManifest, modelManifestSchema } from './model-manifest.js';
import { featureNames, parsePreprocessing } from './preprocessing.js';

/** Everything in a manifest but what the artifact writer derives: the file names, the hash and the size. */
export type ManifestFields = Omit<ModelManifest, 'onnx' | 'card'> & { onnx: Omit<ModelManifest['onnx'], 'file' | 'sha256' | 'bytes'> };

export interface WrittenArtifact {
  manifestPath: string;
  onnxPath: string;
  cardPath: string;
  manifest: ModelManifest;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes `<name>-<version>-<sha12>.{onnx,md,json}` into `dir`. The manifest is written last and every file
 * goes through a rename, so a reader that sees a manifest also sees complete files beside it.
 */
export async function writeModelArtifact(dir: string, onnxBytes: Uint8Array, fields: ManifestFields, cardMarkdown: string): Promise<WrittenArtifact> {
  const sha256 = sha256Hex(onnxBytes);
  const stem = `${fields.name}-${fields.version}-${sha256.slice(0, 12)}`;
  const manifest = validateManifest({ ...fields, onnx: { ...fields.onnx, file: `${stem}.onnx`, sha256, bytes: onnxBytes.length }, card: `${stem}.md` }, 'the manifest to write');
  const onnxPath = join(dir, manifest.onnx.file);
  const cardPath = join(dir, manifest.card);
  const manifestPath = join(dir, `${stem}.json`);
  try {
    await mkdir(dir, { recursive: true });
    await writeAtomic(onnxPath, onnxBytes);
    await writeAtomic(cardPath, cardMarkdown.endsWith('\n') ? cardMarkdown : `${cardMarkdown}\n`);
    await writeAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    throw new ModelError('MODEL_ERR_ARTIFACT_WRITE', `${dir}: ${(err as Error).message}`, { cause: err });
  }
  return { manifestPath, onnxPath, cardPath, manifest };
}

/**
 * Loads a manifest and the .onnx beside it, refusing anything that does not check out: MODEL_ERR_MANIFEST
 * (unreadable, not JSON, schema, features inconsistent — the message names the field), MODEL_ERR_ONNX_MISSING,
 * MODEL_ERR_SHA256_MISMATCH (size or hash differ).
 */
export async function readModelArtifact(manifestPath: string): Promise<{ manifest: ModelManifest; onnxBytes: Uint8Array; onnxPath: string }> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    throw new ModelError('MODEL_ERR_MANIFEST', `${manifestPath}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError('MODEL_ERR_MANIFEST', `${manifestPath}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const manifest = validateManifest(json, manifestPath);
  const onnxPath = resolve(dirname(manifestPath), manifest.onnx.file);
  let onnxBytes: Uint8Array;
  try {
    onnxBytes = new Uint8Array(await readFile(onnxPath));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelError('MODEL_ERR_ONNX_MISSING', `${onnxPath} (named by ${manifestPath}) does not exist`, { cause: err });
    throw new ModelError('MODEL_ERR_ONNX_MISSING', `${onnxPath}: cannot read (${code ?? (err as Error).message})`, { cause: err });
  }
  if (onnxBytes.length !== manifest.onnx.bytes) {
    throw new ModelError('MODEL_ERR_SHA256_MISMATCH', `${onnxPath} has ${onnxBytes.length} bytes, the manifest says onnx.bytes = ${manifest.onnx.bytes}`);
  }
  const actual = sha256Hex(onnxBytes);
  if (actual !== manifest.onnx.sha256) throw new ModelError('MODEL_ERR_SHA256_MISMATCH', `${onnxPath} has sha256 ${actual}, the manifest says onnx.sha256 = ${manifest.onnx.sha256}`);
  return { manifest, onnxBytes, onnxPath };
}

/** Schema, plus what the schema cannot say: plain file names, and features that the featurizer really produces. */
export function validateManifest(json: unknown, source: string): ModelManifest {
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModelError('MODEL_ERR_MANIFEST', `${source}: ${detail}`, { cause: parsed.error });
  }
  const m = parsed.data;
  for (const [field, file] of [['onnx.file', m.onnx.file], ['card', m.card]] as const) {
    // A manifest is data from elsewhere: it may only name files in its own directory.
    if (basename(file) !== file || file === '.' || file === '..') throw new ModelError('MODEL_ERR_MANIFEST', `${source}: ${field}: expected a file name in the manifest's directory, got ${JSON.stringify(file)}`);
  }
  try {
    parsePreprocessing(m);
  } catch (err) {
    throw new ModelError('MODEL_ERR_MANIFEST', `${source}: ${(err as Error).message}`, { cause: err });
  }
  const expected = featureNames(m);
  const bad = expected.findIndex((name, i) => m.featureNames[i] !== name);
  if (bad >= 0) throw new ModelError('MODEL_ERR_MANIFEST', `${source}: featureNames[${bad}]: expected ${JSON.stringify(expected[bad])}, got ${JSON.stringify(m.featureNames[bad])}`);
  return m;
}

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
