import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ModelError } from '../errors.js';

/**
 * `models/artifacts/`: two levels up from this module, whether it runs from `src/anomaly/` (source condition)
 * or from `dist/anomaly/` (the build), so both find the same files.
 */
export const SHIPPED_ARTIFACTS_DIR = fileURLToPath(new URL('../../artifacts/', import.meta.url));

export const shippedIndexSchema = z
  .object({
    schema: z.literal(1),
    models: z.array(
      z
        .object({
          name: z.string().min(1),
          version: z.string().min(1),
          profile: z.string().min(1),
          metrics: z.array(z.string().min(1)).min(1),
          /** File name of the manifest, in the artifacts directory. */
          manifest: z.string().min(1).refine((f) => basename(f) === f, 'a file name in the artifacts directory'),
          auc: z.number(),
        })
        .strict(),
    ),
  })
  .strict();
export type ShippedIndex = z.infer<typeof shippedIndexSchema>;

/** The shipped-models index (`artifacts/index.json`); MODEL_ERR_INDEX when it is missing or malformed. */
export function readShippedIndex(dir = SHIPPED_ARTIFACTS_DIR): ShippedIndex {
  const path = join(dir, 'index.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ModelError('MODEL_ERR_INDEX', `${path}: ${(err as Error).message} (run npm run models:build)`, { cause: err });
  }
  const parsed = shippedIndexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelError('MODEL_ERR_INDEX', `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** Absolute manifest paths of every model this package ships, for `readModelArtifact`. */
export function listShippedModels(dir = SHIPPED_ARTIFACTS_DIR): string[] {
  return readShippedIndex(dir).models.map((m) => join(dir, m.manifest));
}
