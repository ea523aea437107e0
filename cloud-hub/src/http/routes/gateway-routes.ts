import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { GatewayRecord } from '../../store/hub-store.js';
import type { HttpDeps } from '../create-http.js';
import { commonErrors, ref } from './response-schemas.js';
import { tenantScope } from '../principal.js';
import { gatewayParams, requireGateway } from './route-schemas.js';

const one = { 200: ref('Gateway'), ...commonErrors } as const;
const countsSchema = {
  type: 'object',
  properties: {
    gatewayId: { type: 'string' },
    appliedSeq: { type: 'integer' },
    duplicatesSkipped: { type: 'integer' },
    quarantined: { type: 'integer' },
    batches: { type: 'integer' },
    records: { type: 'object', additionalProperties: { type: 'integer' } },
    rows: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

type Params = { Params: { id: string } };

export async function gatewayRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store, registry } = deps;
  // The live registry is the truth for `connected`; the stored flag serves the CLI.
  const view = (g: GatewayRecord) => ({ ...g, connected: registry.isConnected(g.id) });

  app.get(
    '/api/v1/gateways',
    { schema: { tags: ['fleet'], summary: 'Every gateway with its health and power mode', response: { 200: { type: 'object', properties: { gateways: { type: 'array', items: ref('Gateway') } } }, 401: commonErrors[401], 403: commonErrors[403] } }, config: { apiRole: 'viewer' } },
    async (request) => ({ gateways: store.fleet.list(tenantScope(request)).map(view) }),
  );

  app.get<Params>('/api/v1/gateways/:id', { schema: { tags: ['fleet'], summary: 'One gateway', params: gatewayParams, response: one }, config: { apiRole: 'viewer' } }, async (request) =>
    view(requireGateway(store, request.params.id, tenantScope(request))),
  );

  app.post<Params>('/api/v1/gateways/:id/revoke', { schema: { tags: ['fleet'], summary: 'Revoke a gateway: its credential stops working and its live stream is closed', params: gatewayParams, response: one }, config: { apiRole: 'operator' } }, async (request) => {
    requireGateway(store, request.params.id, tenantScope(request));
    const gateway = store.fleet.revoke(request.params.id, deps.now());
    if (!gateway) throw new HubError('HUB_ERR_GATEWAY_NOT_FOUND', request.params.id);
    deps.events.gatewayRevoked(gateway.id, registry.revoked(gateway.id));
    return view(gateway);
  });

  app.get<Params>('/api/v1/gateways/:id/counts', { schema: { tags: ['fleet'], summary: 'What the hub applied from the gateway, per data class', params: gatewayParams, response: { 200: countsSchema, ...commonErrors } }, config: { apiRole: 'viewer' } }, async (request) => {
    requireGateway(store, request.params.id, tenantScope(request));
    return { gatewayId: request.params.id, ...store.sync.counts(request.params.id) };
  });

  app.get<Params & { Querystring: { limit: number } }>(
    '/api/v1/gateways/:id/quarantine',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Records the hub could not apply, newest first',
        params: gatewayParams,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              quarantine: {
                type: 'array',
                items: { type: 'object', properties: { seq: { type: 'integer' }, dataClass: { type: 'integer' }, detail: { type: 'string' }, payloadBytes: { type: 'integer' }, payloadPreview: { type: 'string' }, receivedAt: { type: 'integer' } } },
              },
            },
          },
          ...commonErrors,
        },
      },
      config: { apiRole: 'viewer' },
    },
    async (request) => {
      requireGateway(store, request.params.id, tenantScope(request));
      return { quarantine: store.queries.quarantine(request.params.id, request.query.limit) };
    },
  );
}
