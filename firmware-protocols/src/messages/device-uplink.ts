import { z } from 'zod';
import { deviceSeq, epochMs, metrics, name, props, versionField } from './common.js';

/** `telemetry`: one reading of one or more metrics. `ts` is optional: the gateway stamps receipt time anyway. */
export const telemetrySchema = z
  .object({
    v: versionField,
    ts: epochMs.optional(),
    seq: deviceSeq.optional(),
    metrics,
  })
  .strict();
export type Telemetry = z.infer<typeof telemetrySchema>;

/** `events`: something happened on the device (door opened, reboot, fault). */
export const eventSchema = z
  .object({
    v: versionField,
    ts: epochMs.optional(),
    seq: deviceSeq.optional(),
    type: name,
    severity: z.enum(['info', 'warning', 'critical']).default('info'),
    data: props.optional(),
  })
  .strict();
export type DeviceEvent = z.infer<typeof eventSchema>;

/** `state`: the device's reported state (battery, firmware, arbitrary properties). */
export const stateSchema = z
  .object({
    v: versionField,
    ts: epochMs.optional(),
    seq: deviceSeq.optional(),
    battery: z
      .object({
        percent: z.number().min(0).max(100),
        volts: z.number().finite().min(0).optional(),
        charging: z.boolean().optional(),
      })
      .strict()
      .optional(),
    firmware: z.string().max(64).optional(),
    reported: props.default({}),
  })
  .strict();
export type DeviceState = z.infer<typeof stateSchema>;

/** `command-results`: the outcome of a command the device received on its `commands` topic. */
export const commandResultSchema = z
  .object({
    v: versionField,
    ts: epochMs.optional(),
    commandId: z.string().min(1).max(64),
    status: z.enum(['ok', 'error', 'rejected']),
    result: props.optional(),
    error: z.object({ code: z.string().max(64), message: z.string().max(512) }).strict().optional(),
  })
  .strict();
export type CommandResult = z.infer<typeof commandResultSchema>;
