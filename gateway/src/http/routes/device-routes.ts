import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { HttpDeps } from '../create-http.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

export async function deviceRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { registry, readings, power } = deps;
  const view = (id: string) => {
    const device = registry.get(id);
    if (!device) throw new GatewayError('GW_ERR_DEVICE_NOT_FOUND', id);
    return { ...device, connected: deps.isConnected(id), batteryForecast: power.batteryForecast(id) };
  };

  app.get('/api/v1/devices', async () => ({ devices: registry.list().map((d) => ({ ...d, connected: deps.isConnected(d.id), batteryForecast: power.batteryForecast(d.id) })) }));

  app.post<{ Body: { id: string } }>(
    '/api/v1/devices',
    { schema: { body: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } },
    async (request, reply) => {
      const [created] = await registry.add([request.body.id]);
      // The secret is shown once, here; only its slow hash is stored.
      return reply.status(201).send(created);
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/devices/:id', { schema: { params: idParams } }, async (request) => view(request.params.id));

  app.post<{ Params: { id: string } }>('/api/v1/devices/:id/revoke', { schema: { params: idParams } }, async (request) => {
    const device = registry.revoke(request.params.id);
    deps.revoked();
    return { ...device, connected: deps.isConnected(device.id), batteryForecast: power.batteryForecast(device.id) };
  });

  app.get<{ Params: { id: string }; Querystring: { limit: number; before?: number } }>(
    '/api/v1/devices/:id/readings',
    {
      schema: {
        params: idParams,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, before: { type: 'integer', minimum: 1 } } },
      },
    },
    async (request) => {
      view(request.params.id);
      return { deviceId: request.params.id, readings: readings.latest(request.params.id, request.query.limit, request.query.before) };
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/devices/:id/audit', { schema: { params: idParams } }, async (request) => {
    view(request.params.id);
    return readings.audit(request.params.id);
  });
}
