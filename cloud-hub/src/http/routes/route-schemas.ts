import { HubError } from '../../errors.js';
import type { GatewayRecord, HubStore } from '../../store/hub-store.js';

export const gatewayParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
export const deviceParams = {
  type: 'object',
  required: ['id', 'deviceId'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, deviceId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } },
} as const;

/** The gateway or HUB_ERR_GATEWAY_NOT_FOUND. */
export function requireGateway(store: HubStore, id: string): GatewayRecord {
  const gateway = store.fleet.get(id);
  if (!gateway) throw new HubError('HUB_ERR_GATEWAY_NOT_FOUND', id);
  return gateway;
}
