import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { HttpDeps } from '../create-http.js';
import { commonErrors, ref } from './response-schemas.js';
import { tenantScope } from '../principal.js';
import { deviceParams, requireGateway } from './route-schemas.js';

type Params = { Params: { id: string; deviceId: string } };

// The body is a deviceConfig message without `v` and `configVersion`: the hub sets the version.
const desiredBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reporting: {
      type: 'object',
      additionalProperties: false,
      required: ['intervalMs'],
      properties: { intervalMs: { type: 'integer', minimum: 100, maximum: 86_400_000 }, mode: { type: 'string', enum: ['periodic', 'adaptive'] } },
    },
    props: { type: 'object' },
  },
} as const;

export async function shadowRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store, registry } = deps;

  app.get<Params>('/api/v1/gateways/:id/devices/:deviceId/shadow', { schema: { tags: ['devices'], summary: "A device's shadow: desired config and reported state", params: deviceParams, response: { 200: ref('Shadow'), ...commonErrors } }, config: { apiRole: 'viewer' } }, async (request) => {
    requireGateway(store, request.params.id, tenantScope(request));
    return store.shadows.get(request.params.id, request.params.deviceId);
  });

  app.put<Params & { Body: { reporting?: { intervalMs: number; mode?: 'periodic' | 'adaptive' }; props?: Record<string, unknown> } }>(
    '/api/v1/gateways/:id/devices/:deviceId/shadow/desired',
    { schema: { tags: ['devices'], summary: 'Set the desired config; sent to the gateway at once when it is connected', params: deviceParams, body: desiredBody, response: { 200: ref('Shadow'), ...commonErrors, 409: commonErrors[400] } }, config: { apiRole: 'operator' } },
    async (request) => {
      const gateway = requireGateway(store, request.params.id, tenantScope(request));
      if (gateway.revokedAt !== null) throw new HubError('HUB_ERR_GATEWAY_REVOKED', gateway.id);
      let shadow;
      try {
        shadow = store.shadows.setDesired(gateway.id, request.params.deviceId, request.body, deps.now());
      } catch (err) {
        throw new HubError('HUB_ERR_BAD_REQUEST', `not a valid deviceConfig: ${(err as Error).message}`, { cause: err });
      }
      registry.kick(gateway.id);
      return shadow;
    },
  );
}
