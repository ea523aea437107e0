import { z } from 'zod';
import { WIRE_ERROR_CODES } from '../wire-errors.js';
import { deviceSeq, epochMs, name, props, versionField } from './common.js';

/** `config`: the gateway's desired configuration for a device, including its reporting policy. */
export const deviceConfigSchema = z
  .object({
    v: versionField,
    configVersion: z.number().int().min(0),
    reporting: z
      .object({
        intervalMs: z.number().int().min(100).max(86_400_000),
        mode: z.enum(['periodic', 'adaptive']).default('periodic'),
      })
      .strict()
      .optional(),
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
