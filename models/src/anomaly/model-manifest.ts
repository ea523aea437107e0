import { z } from 'zod';

/**
 * The manifest beside every shipped anomaly model (`<name>-<version>-<sha12>.json` next to the `.onnx`).
 * It is the whole contract between models (which writes it) and edge-runtime (which loads it): what the
 * graph expects, how readings become its input, and how its raw score becomes an alert.
 *
 * The ONNX graph takes `onnx.input` float32 [N, inputSize] and returns `onnx.outputs.score` float32 [N, 1]
 * (raw anomaly score, ≥ 0, higher is more anomalous) and `onnx.outputs.featureError` float32 [N, inputSize]
 * (each input's non-negative share of the score: the explanation).
 */
export const MODEL_MANIFEST_SCHEMA = 1;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 as 64 lowercase hex digits');
const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "_" or "-", at most 64');

export const modelManifestSchema = z
  .object({
    schema: z.literal(MODEL_MANIFEST_SCHEMA),
    /** Model family and sensor profile, e.g. `ae-temperature`. */
    name,
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'major.minor.patch'),
    kind: z.enum(['autoencoder']),
    /** The simulator profile it was trained on (`temperature`, `humidity`, …). */
    profile: name,
    /** Metric names the model reads from each reading, in input order. A device whose readings carry all of them is scored. */
    metrics: z.array(z.string().min(1).max(64)).min(1).max(16),
    /** Readings per window. */
    window: z.number().int().min(2).max(1024),
    inputSize: z.number().int().min(1).max(65_536),
    /** One human-readable name per input, e.g. `temperature z[t-3]`: what an alert's explanation names. */
    featureNames: z.array(z.string().min(1).max(128)),
    /** Parameters of the featurizer that turns a device's readings into inputs (see window-featurizer.ts). */
    preprocessing: z.record(z.string(), z.unknown()),
    onnx: z
      .object({
        file: z.string().min(1).max(256),
        sha256: hex64,
        bytes: z.number().int().min(1),
        opset: z.number().int().min(7),
        input: z.string().min(1),
        outputs: z.object({ score: z.string().min(1), featureError: z.string().min(1) }).strict(),
      })
      .strict(),
    /** Raw scores at or above `threshold` raise an alert; below `confidentAbove` it is low confidence (review queue); at or above `critical` it is critical. */
    thresholds: z
      .object({ threshold: z.number().positive(), confidentAbove: z.number().positive(), critical: z.number().positive() })
      .strict()
      .refine((t) => t.threshold <= t.confidentAbove && t.confidentAbove <= t.critical, 'threshold ≤ confidentAbove ≤ critical'),
    /** Evaluation summary on held-out generated data (the model card has the details). */
    evaluation: z.record(z.string(), z.unknown()),
    training: z.object({ seed: z.union([z.number(), z.string()]), samples: z.number().int().min(0), tfjsVersion: z.string() }).passthrough(),
    card: z.string().min(1).max(256),
  })
  .strict()
  .refine((m) => m.featureNames.length === m.inputSize, { message: 'featureNames must have inputSize entries', path: ['featureNames'] });
export type ModelManifest = z.infer<typeof modelManifestSchema>;
