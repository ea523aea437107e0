import { z } from 'zod';
import { WIRE_ERROR_CODES } from '../wire-errors.js';
import { MAX_METRICS_PER_READING, deviceSeq, epochMs, name, props, versionField } from './common.js';

/** The predictors of adaptive reporting (dual prediction); `src/power/predictors.ts` defines their arithmetic. */
export const PREDICTOR_KINDS = ['last-value', 'linear', 'lms'] as const;
export type PredictorKind = (typeof PREDICTOR_KINDS)[number];

/** Longest heartbeat period a policy may ask for: one week. */
export const MAX_SILENCE_MS_LIMIT = 604_800_000;
/**
 * Most sample indices between two adaptive transmissions (maxSilenceMs / intervalMs): the gateway fills
 * the skipped ones in one store transaction with the transmission, so this bounds that transaction.
 */
export const MAX_SILENCE_SAMPLES = 3600;
/** Most metrics a tolerance table may name (the same bound as the metrics of one reading). */
export const MAX_TOLERANCE_METRICS = MAX_METRICS_PER_READING;

const ADAPTIVE_ONLY = ['predictor', 'tolerance', 'maxSilenceMs', 'lmsOrder', 'lmsStep'] as const;

/**
 * A device's reporting policy. `periodic`: send every sample. `adaptive` (dual prediction): sample every
 * `intervalMs`, send only when a sample leaves `tolerance` around the shared predictor's value, or when
 * `maxSilenceMs` passed since the last transmission. docs/power.md has the whole protocol.
 */
export const reportingPolicySchema = z
  .object({
    intervalMs: z.number().int().min(100).max(86_400_000).describe('sampling interval in ms (periodic: also the sending interval)'),
    mode: z.enum(['periodic', 'adaptive']).default('periodic'),
    predictor: z.enum(PREDICTOR_KINDS).optional().describe("adaptive only: the shared predictor (default 'last-value')"),
    tolerance: z
      .record(name, z.number().finite().min(0))
      .refine((t) => Object.keys(t).length <= MAX_TOLERANCE_METRICS, `at most ${MAX_TOLERANCE_METRICS} metrics`)
      .optional()
      .meta({ description: 'adaptive only: metric name → largest allowed |real − predicted| in metric units; unlisted metrics: 0', maxProperties: MAX_TOLERANCE_METRICS }),
    maxSilenceMs: z
      .number()
      .int()
      .min(100)
      .max(MAX_SILENCE_MS_LIMIT)
      .optional()
      .describe(`adaptive only: send at least this often (heartbeat), from intervalMs to ${MAX_SILENCE_SAMPLES} × intervalMs; default 1 h within those bounds`),
    lmsOrder: z.number().int().min(1).max(16).optional().describe("predictor 'lms' only: filter order (default 4)"),
    lmsStep: z.number().gt(0).lt(2).optional().describe("predictor 'lms' only: NLMS step size μ, 0 < μ < 2 (default 0.05)"),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.mode !== 'adaptive') {
      for (const key of ADAPTIVE_ONLY) if (r[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to mode 'adaptive' only` });
      return;
    }
    if (r.maxSilenceMs !== undefined && r.maxSilenceMs < r.intervalMs) {
      ctx.addIssue({ code: 'custom', path: ['maxSilenceMs'], message: `must be at least intervalMs (${r.intervalMs})` });
    }
    if (r.maxSilenceMs !== undefined && r.maxSilenceMs > r.intervalMs * MAX_SILENCE_SAMPLES) {
      ctx.addIssue({ code: 'custom', path: ['maxSilenceMs'], message: `must be at most ${MAX_SILENCE_SAMPLES} × intervalMs (${r.intervalMs * MAX_SILENCE_SAMPLES})` });
    }
    for (const key of ['lmsOrder', 'lmsStep'] as const) {
      if (r[key] !== undefined && r.predictor !== 'lms') ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to predictor 'lms' only` });
    }
  });
export type ReportingPolicy = z.infer<typeof reportingPolicySchema>;

/** `config`: the gateway's desired configuration for a device, including its reporting policy. */
export const deviceConfigSchema = z
  .object({
    v: versionField,
    configVersion: z.number().int().min(0),
    reporting: reportingPolicySchema.optional(),
    props: props.optional(),
  })
  .strict();
export type DeviceConfig = z.infer<typeof deviceConfigSchema>;

/** `commands`: an instruction for the device; it answers on `command-results` with the same `commandId`. */
export const commandSchema = z
  .object({
    v: versionField,
    commandId: z.string().min(1).max(64),
    name,
    args: props.optional(),
    issuedAt: epochMs,
    expiresAt: epochMs.optional(),
  })
  .strict();
export type Command = z.infer<typeof commandSchema>;

/** `errors`: why the gateway refused something the device sent. */
export const deviceErrorSchema = z
  .object({
    v: versionField,
    code: z.enum(WIRE_ERROR_CODES as [string, ...string[]]),
    num: z.number().int(),
    message: z.string().max(512),
    ts: epochMs,
    topic: z.string().max(256).optional(),
    seq: deviceSeq.optional(),
  })
  .strict();
export type DeviceError = z.infer<typeof deviceErrorSchema>;
