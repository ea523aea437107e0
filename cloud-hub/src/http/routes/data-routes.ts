import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';
import { devicePowerOf } from './device-power.js';
import { alertSchema, commonErrors, ref, summarySchema } from './response-schemas.js';
import { tenantScope } from '../principal.js';
import { gatewayParams, requireGateway } from './route-schemas.js';

const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100 } as const;

export async function dataRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Params: { id: string }; Querystring: { limit: number; after?: number } }>(
    '/api/v1/gateways/:id/alerts',
    {
      schema: {
        tags: ['data'],
        summary: "A gateway's synced alerts in its own (seq) order; page with `after`",
        params: gatewayParams,
        querystring: { type: 'object', properties: { limit, after: { type: 'integer', minimum: 0 } } },
        response: { 200: { type: 'object', properties: { alerts: { type: 'array', items: alertSchema }, next: { type: ['integer', 'null'] } } }, ...commonErrors },
      },
      config: { apiRole: 'viewer' },
    },
    async (request) => {
      requireGateway(store, request.params.id, tenantScope(request));
      const alerts = store.queries.alerts(request.params.id, request.query);
      return { alerts, next: alerts.length > 0 ? alerts[alerts.length - 1]!.seq : null };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; deviceId?: string; metric?: string } }>(
    '/api/v1/gateways/:id/summaries',
    {
      schema: {
        tags: ['data'],
        summary: "A gateway's synced window summaries, newest window first",
        params: gatewayParams,
        querystring: { type: 'object', properties: { limit, deviceId: { type: 'string', maxLength: 64 }, metric: { type: 'string', maxLength: 64 } } },
        response: { 200: { type: 'object', properties: { summaries: { type: 'array', items: summarySchema } } }, ...commonErrors },
      },
      config: { apiRole: 'viewer' },
    },
    async (request) => {
      requireGateway(store, request.params.id, tenantScope(request));
      return { summaries: store.queries.summaries(request.params.id, request.query) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/gateways/:id/devices',
    {
      schema: {
        tags: ['data'],
        summary: 'Latest reported state per device, with battery level, battery forecast and reporting mode',
        params: gatewayParams,
        response: { 200: { type: 'object', properties: { devices: { type: 'array', items: ref('DeviceState') } } }, ...commonErrors },
      },
      config: { apiRole: 'viewer' },
    },
    async (request) => {
      requireGateway(store, request.params.id, tenantScope(request));
      return { devices: store.shadows.devices(request.params.id).map((d) => ({ ...d, ...devicePowerOf(d.state) })) };
    },
  );
}
