import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';
import { tenantScope } from '../principal.js';
import { commonErrors, fleetAlertSchema } from './response-schemas.js';

/** Alerts across the fleet, for the console and for anyone watching every gateway at once. */
export async function fleetAlertRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store } = deps;
  app.get<{ Querystring: { limit: number; before?: number; gatewayId?: string; deviceId?: string; severity?: string } }>(
    '/api/v1/alerts',
    {
      schema: {
        tags: ['data'],
        summary: 'Alerts of every gateway, newest received first; filter by gateway, device, severity; page with `before`',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            before: { type: 'integer', minimum: 1 },
            gatewayId: { type: 'string', minLength: 1, maxLength: 64 },
            deviceId: { type: 'string', minLength: 1, maxLength: 64 },
            severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
          },
        },
        response: { 200: { type: 'object', properties: { alerts: { type: 'array', items: fleetAlertSchema }, next: { type: ['integer', 'null'] } } }, 400: commonErrors[400], 401: commonErrors[401], 403: commonErrors[403] },
      },
      config: { apiRole: 'viewer' },
    },
    async (request) => {
      // A tenant token sees its own gateways' alerts only.
      const alerts = store.queries.fleetAlerts({ ...request.query, tenantId: tenantScope(request) });
      // A full page may have more behind it; a short one is the end.
      const next = alerts.length === request.query.limit ? (alerts[alerts.length - 1]!.id as number) : null;
      return { alerts, next };
    },
  );
}
