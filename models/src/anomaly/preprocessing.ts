import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ModelError } from '../errors.js';
import type { ModelManifest } from './model-manifest.js';

/**
 * Per-step feature channels, each computed per metric from the online per-device statistics:
 * - `z`: the level, (x − EWMA mean) / EWMA std — where the value sits against this device's recent history;
 * - `dz`: the first difference, (x − previous) / (1.4826 × running median of |differences|) — jumps, noise, slopes;
 * - `ldz`: ln(max(|dz|, logFloor)) — the size of each change on a log scale, so a signal that stops moving
 *   (stuck-at) lands far from normal instead of at zero, where an autoencoder would reconstruct it for free;
 * - `mdz`: the median of the last `smooth` dz — a sustained slope (drift) that load steps and spikes do not fake;
 * - `mldz`: the mean of the last `smooth` ldz — a sustained lack (stuck-at) or excess (noise burst) of movement.
 */
export const FEATURE_CHANNELS = ['z', 'dz', 'ldz', 'mdz', 'mldz'] as const;
export type FeatureChannel = (typeof FEATURE_CHANNELS)[number];

export const PREPROCESSING_METHOD = 'ewma-z';

export const preprocessingSchema = z
  .object({
    method: z.literal(PREPROCESSING_METHOD),
    /** EWMA rate of the level mean and variance (≈ 1 / memory in readings). */
    alpha: z.number().gt(0).lt(1),
    /** Step (in log units) of the running median of |first difference|. */
    diffAlpha: z.number().gt(0).lt(1),
    /** Accepted readings before the first window is returned; at least window + 1 so every difference is real. */
    warmup: z.number().int().min(2),
    /** Every feature is clamped to ±clip. */
    clip: z.number().positive(),
    /** After warm-up, statistics are updated with deviations winsorised at ±winsor std, so an anomaly cannot inflate the scale it is measured against. */
    winsor: z.number().positive().default(3),
    channels: z.array(z.enum(FEATURE_CHANNELS)).min(1).refine((c) => new Set(c).size === c.length, 'channels must not repeat'),
    /** Floor of |dz| before the log of `ldz`. */
    logFloor: z.number().positive().default(0.01),
    /** Readings summarised by `mdz` and `mldz`. */
    smooth: z.number().int().min(1).max(256).default(8),
    /** A metric's physical range [min, max]: an unchanged reading at a limit is saturation, not stuck (see the featurizer). */
    saturation: z.record(z.string(), z.tuple([z.number(), z.number()])).default({}),
    /** Metrics read as ln(x + offset) before anything else (multiplicative signals: power, vibration). */
    logOffset: z.record(z.string(), z.number().positive()).default({}),
    /** Lower bound of each std in the metric's (transformed) units, so a flat signal does not divide by zero. Missing metrics use 1e-9. */
    stdFloor: z.record(z.string(), z.number().positive()).default({}),
  })
  .strict();
export type Preprocessing = z.infer<typeof preprocessingSchema>;
export type FeaturizerSpec = Pick<ModelManifest, 'metrics' | 'window' | 'inputSize' | 'preprocessing'>;

/** The features a spec produces per model input, in input order; throws MODEL_ERR_PREPROCESSING when the parts disagree. */
export function parsePreprocessing(spec: FeaturizerSpec): Preprocessing {
  const parsed = preprocessingSchema.safeParse(spec.preprocessing);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['preprocessing', ...(issue?.path ?? [])].join('.');
    throw new ModelError('MODEL_ERR_PREPROCESSING', `${field}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  const p = parsed.data;
  if (p.warmup < spec.window + 1) throw new ModelError('MODEL_ERR_PREPROCESSING', `preprocessing.warmup: expected ≥ window + 1 = ${spec.window + 1}, got ${p.warmup}`);
  const expected = inputSizeFor(spec.metrics.length, spec.window, p.channels.length);
  if (spec.inputSize !== expected) {
    throw new ModelError('MODEL_ERR_PREPROCESSING', `inputSize: ${spec.metrics.length} metrics × ${p.channels.length} channels × window ${spec.window} = ${expected}, got ${spec.inputSize}`);
  }
  if (new Set(spec.metrics).size !== spec.metrics.length) throw new ModelError('MODEL_ERR_PREPROCESSING', `metrics must not repeat: ${spec.metrics.join(', ')}`);
  return p;
}

export const inputSizeFor = (metrics: number, window: number, channels: number) => metrics * channels * window;

/** One name per model input, e.g. `temperature z[t-3]`, `temperature dz[t]`: metric-major, then channel, then oldest to newest. */
export function featureNames(spec: Pick<ModelManifest, 'metrics' | 'window' | 'preprocessing'>): string[] {
  const channels = preprocessingSchema.shape.channels.safeParse((spec.preprocessing as { channels?: unknown }).channels);
  if (!channels.success) throw new ModelError('MODEL_ERR_PREPROCESSING', `preprocessing.channels: expected a list of ${FEATURE_CHANNELS.join(', ')}`);
  const names: string[] = [];
  for (const metric of spec.metrics) {
    for (const channel of channels.data) {
      for (let lag = spec.window - 1; lag >= 0; lag--) names.push(`${metric} ${channel}[${lag === 0 ? 't' : `t-${lag}`}]`);
    }
  }
  return names;
}

const FEATURE_NAME = /^(.+) ([a-z]+)\[t(?:-(\d+))?\]$/;

/** Splits a feature name into its metric, channel and lag (0 = the newest reading); null when it is not one of ours. */
export function parseFeatureName(name: string): { metric: string; channel: string; lag: number } | null {
  const m = FEATURE_NAME.exec(name);
  if (!m) return null;
  return { metric: m[1]!, channel: m[2]!, lag: m[3] === undefined ? 0 : Number(m[3]) };
}

/** The metric an explanation's feature belongs to (`temperature dz[t-2]` → `temperature`). */
export function featureMetric(featureName: string): string {
  return parseFeatureName(featureName)?.metric ?? featureName;
}

/** A short stable digest of everything that shapes the features: a persisted state only fits a featurizer with the same one. */
export function specFingerprint(spec: FeaturizerSpec): string {
  const canonical = JSON.stringify(sortKeys({ metrics: spec.metrics, window: spec.window, inputSize: spec.inputSize, preprocessing: spec.preprocessing }));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
