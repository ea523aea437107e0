import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';
import { gatewayParams, requireGateway } from './route-schemas.js';

const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100 } as const;

export async function dataRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Params: { id: string }; Querystring: { limit: number; after?: number } }>(
    '/api/v1/gateways/:id/alerts',
    { schema: { params: gatewayParams, querystring: { type: 'object', properties: { limit, after: { type: 'integer', minimum: 0 } } } } },
    async (request) => {
      requireGateway(store, request.params.id);
      const alerts = store.queries.alerts(request.params.id, request.query);
      return { alerts, next: alerts.length > 0 ? alerts[alerts.length - 1]!.seq : null };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; deviceId?: string; metric?: string } }>(
    '/api/v1/gateways/:id/summaries',
    {
      schema: {
        params: gatewayParams,
        querystring: { type: 'object', properties: { limit, deviceId: { type: 'string', maxLength: 64 }, metric: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request) => {
      requireGateway(store, request.params.id);
      return { summaries: store.queries.summaries(request.params.id, request.query) };
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/gateways/:id/devices', { schema: { params: gatewayParams } }, async (request) => {
    requireGateway(store, request.params.id);
    return { devices: store.shadows.devices(request.params.id) };
  });
}
