import { z } from 'zod';
import { deviceId, epochMs, metrics, name, props, versionField } from '../messages/common.js';
import { localAlertSchema } from '../messages/local.js';
import type { DataClass } from './data-classes.js';

/** One window summary of one device metric. `predictedCount` counts values the gateway filled in. */
export const summaryPayloadSchema = z
  .object({
    v: versionField,
    deviceId,
    metric: name,
    windowStartMs: epochMs,
    windowMs: z.union([z.literal(60_000), z.literal(900_000), z.literal(3_600_000)]),
    count: z.number().int().min(1),
    min: z.number().finite(),
    max: z.number().finite(),
    mean: z.number().finite(),
    last: z.number().finite(),
    stddev: z.number().finite().min(0),
    predictedCount: z.number().int().min(0).default(0),
  })
  .strict();
export type SummaryPayload = z.infer<typeof summaryPayloadSchema>;

export const deviceStatePayloadSchema = z.object({ v: versionField, deviceId, ts: epochMs, state: props }).strict();
export const eventPayloadSchema = z
  .object({ v: versionField, deviceId, ts: epochMs, type: name, severity: z.enum(['info', 'warning', 'critical']), data: props.optional() })
  .strict();
export const commandResultPayloadSchema = z
  .object({ v: versionField, deviceId, commandId: z.string().min(1).max(64), status: z.string().max(16), body: props.optional() })
  .strict();
export const usagePayloadSchema = z
  .object({ v: versionField, periodStartMs: epochMs, periodMs: z.number().int().min(1), meter: name, quantity: z.number().finite().min(0), deviceId: deviceId.optional() })
  .strict();
export const auditPayloadSchema = z
  .object({ v: versionField, ts: epochMs, actor: z.string().max(128), action: name, target: z.string().max(256), detail: props.optional() })
  .strict();
export const rawReadingPayloadSchema = z.object({ v: versionField, deviceId, ts: epochMs, seq: z.number().int().min(0).optional(), metrics }).strict();

/** The payload schema of every data class; a record's `payload` is the JSON of one of these. */
export const syncPayloadSchemas = {
  alert: localAlertSchema,
  audit: auditPayloadSchema,
  usage: usagePayloadSchema,
  commandResult: commandResultPayloadSchema,
  deviceState: deviceStatePayloadSchema,
  event: eventPayloadSchema,
  summary: summaryPayloadSchema,
  rawReading: rawReadingPayloadSchema,
} as const satisfies Record<DataClass, z.ZodType>;

export type SyncPayload<C extends DataClass> = z.output<(typeof syncPayloadSchemas)[C]>;
