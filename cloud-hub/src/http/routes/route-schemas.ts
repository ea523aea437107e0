import { HubError } from '../../errors.js';
import type { GatewayRecord, HubStore } from '../../store/hub-store.js';

export const gatewayParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
export const deviceParams = {
  type: 'object',
  required: ['id', 'deviceId'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, deviceId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } },
} as const;

/**
 * The gateway or HUB_ERR_GATEWAY_NOT_FOUND. With `tenantId` (the caller's tenant; undefined for the hub API
 * token), another tenant's gateway is not found either: its existence must not leak.
 */
export function requireGateway(store: HubStore, id: string, tenantId: string | undefined): GatewayRecord {
  const gateway = store.fleet.get(id);
  if (!gateway || (tenantId !== undefined && gateway.tenantId !== tenantId)) throw new HubError('HUB_ERR_GATEWAY_NOT_FOUND', id);
  return gateway;
}
