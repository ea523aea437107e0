import { POWER_MODES } from '@outpost/protocols';

// Response schemas: they document the API (OpenAPI) and fast-json-stringify serializes with them, which
// drops every property not listed. Open objects (synced payloads, device state) say additionalProperties.

const nullable = (type: string) => ({ type: [type, 'null'] }) as const;
const open = { type: 'object', additionalProperties: true } as const;
const hlc = { type: 'object', properties: { wallMs: { type: 'integer' }, logical: { type: 'integer' } } } as const;

export const hubErrorSchema = {
  $id: 'HubError',
  type: 'object',
  description: 'Every error: a stable code (docs/sync-protocol.md), a message, and whether retrying can help.',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, retryable: { type: 'boolean' } } } },
} as const;

/** A tenant id: what `outpost-hub tenants create` and POST /api/v1/tenants accept. */
export const tenantIdSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } as const;

export const gatewaySchema = {
  $id: 'Gateway',
  type: 'object',
  description: 'A gateway in the fleet registry, with the health it reported in its last Hello and its power mode.',
  properties: {
    id: { type: 'string' },
    tenantId: { type: 'string', description: 'the tenant that owns it (the tenant of its enrollment token)' },
    name: { type: 'string' },
    enrolledAt: { type: 'integer' },
    lastSeenAt: { ...nullable('integer'), description: 'hub clock, last Hello' },
    softwareVersion: { type: 'string' },
    protocolVersion: nullable('integer'),
    revokedAt: nullable('integer'),
    connected: { type: 'boolean' },
    ackedSeq: { type: 'integer' },
    duplicatesSkipped: { type: 'integer' },
    quarantined: { type: 'integer' },
    batches: { type: 'integer' },
    backlogRecords: { ...nullable('integer'), description: 'records not yet acked, at the last Hello' },
    backlogOldestMs: { ...nullable('integer'), description: "creation time (gateway clock) of the oldest of them; 0 when none" },
    clockTrusted: nullable('boolean'),
    powerMode: { type: ['string', 'null'], enum: [...POWER_MODES, null], description: 'null until the gateway reports one' },
    powerSimulated: { ...nullable('boolean'), description: 'true when the mode comes from simulated readings' },
    powerSinceMs: nullable('integer'),
    powerReportedAt: nullable('integer'),
  },
} as const;

const batteryForecast = {
  type: ['object', 'null'],
  description: "The gateway's least-squares forecast over the device's last week of battery levels; null while the history is too short.",
  properties: {
    percent: { type: 'number' },
    percentPerDay: { type: 'number' },
    emptyAt: { ...nullable('integer'), description: 'device clock; null when not draining' },
    basedOnSamples: { type: 'integer' },
    spanMs: { type: 'integer' },
  },
} as const;

export const deviceStateSchema = {
  $id: 'DeviceState',
  type: 'object',
  description: "A device's latest reported state as its gateway synced it, with the power fields lifted out of it.",
  properties: {
    deviceId: { type: 'string' },
    ts: { type: 'integer' },
    seq: { type: 'integer' },
    state: open,
    wallTimeTrusted: { type: 'boolean' },
    receivedAt: { type: 'integer' },
    batteryPercent: { ...nullable('number'), description: 'from state.battery.percent' },
    batteryForecast,
    adaptiveReporting: { ...nullable('boolean'), description: "whether the device's reporting policy is adaptive; null when the gateway did not say" },
  },
} as const;

const synced = (key: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'object', properties: { ...extra, seq: { type: 'integer' }, hlc, wallTimeTrusted: { type: 'boolean' }, receivedAt: { type: 'integer' }, [key]: open } }) as const;

export const alertSchema = synced('alert');
export const fleetAlertSchema = synced('alert', { id: { type: 'integer', description: "the hub's store order; pass as `before` for the next page" }, gatewayId: { type: 'string' } });
export const summarySchema = synced('summary');

export const commandSchema = {
  $id: 'Command',
  type: 'object',
  properties: {
    commandId: { type: 'string' },
    rowId: { type: 'integer' },
    gatewayId: { type: 'string' },
    deviceId: { type: 'string' },
    name: { type: 'string' },
    args: open,
    createdAt: { type: 'integer' },
    expiresAt: { type: 'integer' },
    status: { type: 'string', enum: ['pending', 'delivered', 'ok', 'error', 'rejected', 'expired'] },
    sentCount: { type: 'integer' },
    updatedAt: { type: 'integer' },
    result: { description: 'what the device answered, any JSON' },
  },
} as const;

export const shadowSchema = {
  $id: 'Shadow',
  type: 'object',
  properties: {
    deviceId: { type: 'string' },
    desired: { type: ['object', 'null'], additionalProperties: true },
    desiredVersion: { type: 'integer' },
    desiredUpdatedAt: nullable('integer'),
    reported: { type: ['object', 'null'], properties: { state: open, ts: { type: 'integer' }, seq: { type: 'integer' }, wallTimeTrusted: { type: 'boolean' } } },
  },
} as const;

/** Schemas other routes refer to with `{ $ref: '<id>#' }`; added to the instance once, before the routes. */
export const sharedSchemas = [hubErrorSchema, gatewaySchema, deviceStateSchema, commandSchema, shadowSchema];

export const ref = (id: (typeof sharedSchemas)[number]['$id']) => ({ $ref: `${id}#` }) as const;
export const errorRef = ref('HubError');
/** The error answers a route under /api/v1 can give besides its own. */
export const commonErrors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef } as const;
