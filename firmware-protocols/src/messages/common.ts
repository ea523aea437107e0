import { z } from 'zod';

/** The current version of every message in this package; each message carries it as `v`. */
export const PROTOCOL_VERSION = 1;

export const versionField = z.literal(PROTOCOL_VERSION).describe('message format version');

/** Milliseconds since the Unix epoch. Devices may boot with wrong clocks, so any non-negative safe integer is accepted. */
export const epochMs = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('milliseconds since the Unix epoch');

/** A device's own message counter, used to audit loss and duplicates end to end. */
export const deviceSeq = z.number().int().min(0).max(0xffffffff).describe("device's own message counter (uint32)");

export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const name = z.string().regex(NAME_PATTERN, 'must be 1-64 characters of [A-Za-z0-9_.-] starting with a letter');

export const deviceId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 characters of [A-Za-z0-9_.-]');

/** Free-form JSON-compatible properties, bounded in size by the payload limit. */
export const props = z.record(z.string().max(64), z.unknown());

export const MAX_METRICS_PER_READING = 64;
export const metrics = z
  .record(name, z.number().finite())
  .refine((m) => Object.keys(m).length >= 1, 'at least one metric')
  .refine((m) => Object.keys(m).length <= MAX_METRICS_PER_READING, `at most ${MAX_METRICS_PER_READING} metrics`)
  // meta, not describe: the count limits live in refinements, which JSON Schema export cannot see.
  .meta({ description: 'metric name → finite number', minProperties: 1, maxProperties: MAX_METRICS_PER_READING });
