import type { z } from 'zod';
import { commandSchema, deviceConfigSchema, deviceErrorSchema } from './device-downlink.js';
import { commandResultSchema, eventSchema, stateSchema, telemetrySchema } from './device-uplink.js';
import { localAlertSchema, localModelOfferSchema, localPowerModeSchema, localReadingsBatchSchema, localRuntimeStatusSchema } from './local.js';
import { localFlLabelSchema, localFlReplySchema, localFlTaskSchema } from '../sync/fl-messages.js';

export * from './common.js';
export * from './device-downlink.js';
export * from './device-uplink.js';
export * from './local.js';

/** Every message in the protocol, by name. The JSON Schema export and the test vectors use these names. */
export const MESSAGE_SCHEMAS = {
  telemetry: telemetrySchema,
  event: eventSchema,
  state: stateSchema,
  commandResult: commandResultSchema,
  deviceConfig: deviceConfigSchema,
  command: commandSchema,
  deviceError: deviceErrorSchema,
  localReadingsBatch: localReadingsBatchSchema,
  localAlert: localAlertSchema,
  localRuntimeStatus: localRuntimeStatusSchema,
  localPowerMode: localPowerModeSchema,
  localModelOffer: localModelOfferSchema,
  localFlTask: localFlTaskSchema,
  localFlReply: localFlReplySchema,
  localFlLabel: localFlLabelSchema,
} as const;

export type MessageName = keyof typeof MESSAGE_SCHEMAS;
export type MessageOf<N extends MessageName> = z.output<(typeof MESSAGE_SCHEMAS)[N]>;

/** Which message a device publishes on each uplink topic kind. */
export const UPLINK_MESSAGE_BY_KIND = {
  telemetry: 'telemetry',
  events: 'event',
  state: 'state',
  'command-results': 'commandResult',
} as const satisfies Record<string, MessageName>;
