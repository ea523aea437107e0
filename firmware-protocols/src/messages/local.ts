import { z } from 'zod';
import { deviceId, epochMs, metrics, name, versionField } from './common.js';

export const MAX_READINGS_PER_BATCH = 5000;

/**
 * One accepted reading as the gateway stored it. `id` is the gateway store's row id. `predicted`: the
 * device did not send this sample (adaptive reporting); the gateway filled in the shared predictor's value.
 */
export const storedReadingSchema = z
  .object({
    id: z.number().int().min(1),
    deviceId,
    ts: epochMs,
    receivedAt: epochMs,
    metrics,
    predicted: z.literal(true).optional().describe('filled in by the gateway (adaptive reporting), not sent by the device'),
  })
  .strict();
export type StoredReading = z.infer<typeof storedReadingSchema>;

/** gateway → edge-runtime on `local/v1/readings`. */
export const localReadingsBatchSchema = z
  .object({
    v: versionField,
    readings: z.array(storedReadingSchema).min(1).max(MAX_READINGS_PER_BATCH),
  })
  .strict();
export type LocalReadingsBatch = z.infer<typeof localReadingsBatchSchema>;

/** edge-runtime → gateway on `local/v1/alerts`. */
export const localAlertSchema = z
  .object({
    v: versionField,
    alertId: z.string().min(1).max(64),
    deviceId,
    metric: name.optional(),
    ts: epochMs,
    source: z.enum(['model', 'rule']),
    kind: z.string().max(64),
    severity: z.enum(['info', 'warning', 'critical']),
    score: z.number().finite(),
    threshold: z.number().finite(),
    modelVersion: z.string().max(128).optional(),
    explanation: z.array(z.object({ feature: z.string().max(128), contribution: z.number().finite() }).strict()).max(16).optional(),
    /** Low confidence (the score is just past the threshold): the alert waits in the technicians' review queue. */
    review: z.boolean().optional(),
  })
  .strict();
export type LocalAlert = z.infer<typeof localAlertSchema>;

/** edge-runtime → gateway on `local/v1/runtime/status`. */
export const localRuntimeStatusSchema = z
  .object({
    v: versionField,
    ts: epochMs,
    state: z.enum(['starting', 'ready', 'degraded', 'stopping']),
    modelVersion: z.string().max(128).optional(),
    detail: z.string().max(512).optional(),
  })
  .strict();
export type LocalRuntimeStatus = z.infer<typeof localRuntimeStatusSchema>;

/**
 * gateway → edge-runtime on `local/v1/models/offer`: load the model whose manifest is at `manifestPath` on
 * this machine. edge-runtime checks the ONNX file's sha256 against `sha256` and the manifest before it
 * swaps; the outcome comes back in its runtime status.
 */
export const localModelOfferSchema = z
  .object({
    v: versionField,
    offerId: z.string().min(1).max(64),
    manifestPath: z.string().min(1).max(1024),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type LocalModelOffer = z.infer<typeof localModelOfferSchema>;

/** The gateway's power modes, least to most restrictive (docs/power.md has the state machine). */
export const POWER_MODES = ['performance', 'balanced', 'saver', 'critical'] as const;
export type PowerMode = (typeof POWER_MODES)[number];

/** Where the box's power comes from: mains (or any external supply), its battery, or not known. */
export const POWER_SOURCES = ['ac', 'battery', 'unknown'] as const;
export type PowerSource = (typeof POWER_SOURCES)[number];

/**
 * edge-runtime → gateway on `local/v1/power/mode`, retained. `simulated`: the readings behind the mode
 * come from a file or the configuration, not from the hardware. The optional fields (added later, so a
 * message with only the first four stays valid) say what the mode was chosen from.
 */
export const localPowerModeSchema = z
  .object({
    v: versionField,
    ts: epochMs,
    mode: z.enum(POWER_MODES),
    simulated: z.boolean(),
    source: z.enum(POWER_SOURCES).optional().describe('power source of the sample behind the mode'),
    batteryPercent: z.number().finite().min(0).max(100).optional().describe('battery level, when the box has a battery'),
    charging: z.boolean().optional(),
    cpuTempC: z.number().finite().min(-100).max(250).optional().describe('CPU temperature, when the box has a sensor'),
    reason: z.string().max(256).optional().describe('why this mode, for operators'),
    sinceMs: epochMs.optional().describe('when this mode was entered'),
  })
  .strict();
export type LocalPowerMode = z.infer<typeof localPowerModeSchema>;
