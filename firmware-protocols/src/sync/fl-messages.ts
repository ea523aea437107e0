import { z } from 'zod';
import { deviceId, versionField } from '../messages/common.js';

/**
 * Federated learning between the hub, the gateway and edge-runtime. The hub sends one FlTask per phase of a
 * round on the sync stream; the gateway relays it unchanged on `local/v1/fl/tasks` and relays edge-runtime's
 * answer from `local/v1/fl/replies` back as an FlReply. Phase bodies are JSON documents the hub and the
 * trainer agree on (docs/sync-protocol.md, "Federated learning"); the envelopes are defined here.
 */
export const FL_PHASES = ['offer', 'train', 'advertise', 'share-keys', 'masked-input', 'unmask', 'end'] as const;
export type FlPhase = (typeof FL_PHASES)[number];

/** Why a gateway did not do a task. The hub counts each; none of them is fatal to a round by itself. */
export const FL_REPLY_ERRORS = {
  E_FL_TRAINING_NOT_ALLOWED: 'the power mode does not allow training now',
  E_FL_NO_DATA: 'not enough normal windows of that profile and shape',
  E_FL_BUSY: 'the gateway or its trainer has too many tasks in flight',
  E_FL_BAD_TASK: 'the task is malformed or names an unknown phase or round',
  E_FL_NO_TRAINER: 'no edge-runtime trainer answered',
  E_FL_FAILED: 'the trainer failed while doing the task',
} as const;
export type FlReplyErrorCode = keyof typeof FL_REPLY_ERRORS;

export function isFlReplyErrorCode(value: string): value is FlReplyErrorCode {
  return Object.hasOwn(FL_REPLY_ERRORS, value);
}

/** Largest phase body carried on a local topic (a parameter vector of ~1M float32 in base64 fits). */
export const MAX_FL_BODY_BYTES = 6 * 1024 * 1024;

const id = z.string().min(1).max(128);

/** gateway → edge-runtime on `local/v1/fl/tasks`: one FlTask as the hub sent it. */
export const localFlTaskSchema = z
  .object({
    v: versionField,
    federationId: id,
    roundId: id,
    phase: z.enum(FL_PHASES),
    body: z.string().max(MAX_FL_BODY_BYTES).describe('JSON of the phase task'),
    timeoutMs: z.number().int().min(0).max(86_400_000),
  })
  .strict();
export type LocalFlTask = z.infer<typeof localFlTaskSchema>;

/** edge-runtime → gateway on `local/v1/fl/replies`: the answer to one task, a body or an error code. */
export const localFlReplySchema = z
  .object({
    v: versionField,
    federationId: id,
    roundId: id,
    phase: z.enum(FL_PHASES),
    body: z.string().max(MAX_FL_BODY_BYTES).optional(),
    errorCode: z.string().max(64).optional(),
    errorMessage: z.string().max(512).optional(),
  })
  .strict()
  .refine((r) => (r.body === undefined) !== (r.errorCode === undefined), 'exactly one of body and errorCode')
  // The refinement, spelled for the JSON Schema export (zod cannot translate a refinement itself).
  .meta({ oneOf: [{ required: ['body'] }, { required: ['errorCode'] }] });
export type LocalFlReply = z.infer<typeof localFlReplySchema>;

/**
 * gateway → edge-runtime on `local/v1/fl/labels`: a technician labelled an alert. The trainer drops the
 * device's windows around `ts` from its training data ('anomaly') or admits the ones it held back ('normal').
 */
export const localFlLabelSchema = z
  .object({ v: versionField, alertId: z.string().min(1).max(64), deviceId, ts: z.number().int().min(0), label: z.enum(['normal', 'anomaly']) })
  .strict();
export type LocalFlLabel = z.infer<typeof localFlLabelSchema>;

// --- phase bodies (the JSON inside FlTask.body and FlReply.body) ---------------------------------------------
// Secure-aggregation objects are the library's plain JSON objects; they are checked by the library itself.
const secAggObject = z.record(z.string(), z.unknown());
const base64 = z.string().max(MAX_FL_BODY_BYTES).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const profile = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/);
const tags = z.array(z.string().min(1).max(64)).max(32);

export const flModelShapeSchema = z
  .object({ inputSize: z.number().int().min(1).max(4096), hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8), activations: z.array(z.enum(['relu', 'tanh'])).min(1).max(8) })
  .strict()
  .refine((s) => s.activations.length === s.hidden.length, 'one activation per hidden layer');

export const flTrainingSchema = z
  .object({ epochs: z.number().int().min(1).max(100), batchSize: z.number().int().min(1).max(4096), learningRate: z.number().positive().max(10), proxMu: z.number().min(0).max(100), seed: z.union([z.string().max(128), z.number().int()]), optimizer: z.enum(['adam', 'sgd']).optional() })
  .strict();

export const flDpSchema = z.object({ clipNorm: z.number().positive().max(1e6), noiseMultiplier: z.number().min(0).max(100) }).strict();

export const flSecAggConfigSchema = z
  .object({ threshold: z.number().int().min(2), range: z.number().positive(), fractionalBits: z.number().int().min(1).max(30), vectorLength: z.number().int().min(1), roundId: z.string().min(1).max(128) })
  .strict();

export const flPhaseTaskSchemas = {
  offer: z.object({ profile, inputSize: z.number().int().min(1).max(4096), minSamples: z.number().int().min(0), tags }).strict(),
  advertise: z.object({ clientId: z.string().min(1).max(128), secAgg: flSecAggConfigSchema }).strict(),
  'share-keys': z.object({ roster: z.array(secAggObject).max(10_000) }).strict(),
  train: z.object({ profile, shape: flModelShapeSchema, global: base64, training: flTrainingSchema, dp: flDpSchema.nullable() }).strict(),
  'masked-input': z
    .object({
      profile,
      shape: flModelShapeSchema,
      global: base64,
      training: flTrainingSchema,
      dp: flDpSchema.nullable(),
      shares: z.array(secAggObject).max(10_000),
      // The most weight (samples) one gateway may put in: the masked sum of every weight must not wrap.
      maxWeight: z.number().int().min(1),
    })
    .strict(),
  unmask: z.object({ survivors: z.array(z.string().max(128)).max(10_000), dropped: z.array(z.string().max(128)).max(10_000) }).strict(),
  end: z.object({ outcome: z.enum(['completed', 'failed', 'stopped']), reason: z.string().max(512).optional() }).strict(),
} as const satisfies Record<FlPhase, z.ZodType>;

export const flPhaseReplySchemas = {
  offer: z.object({ samples: z.number().int().min(0), tags }).strict(),
  advertise: z.object({ advertisement: secAggObject }).strict(),
  'share-keys': z.object({ shares: z.array(secAggObject).max(10_000) }).strict(),
  train: z.object({ delta: base64, samples: z.number().int().min(1), loss: z.number() }).strict(),
  'masked-input': z.object({ masked: secAggObject, loss: z.number() }).strict(),
  unmask: z.object({ unmask: secAggObject }).strict(),
  end: z.object({}).strict(),
} as const satisfies Record<FlPhase, z.ZodType>;

export type FlPhaseTask<P extends FlPhase> = z.output<(typeof flPhaseTaskSchemas)[P]>;
export type FlPhaseReply<P extends FlPhase> = z.output<(typeof flPhaseReplySchemas)[P]>;
