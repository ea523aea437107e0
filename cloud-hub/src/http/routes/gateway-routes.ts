import type { FastifyInstance } from 'fastify';
import { HubError } from '../../errors.js';
import type { GatewayRecord } from '../../store/hub-store.js';
import type { HttpDeps } from '../create-http.js';
import { gatewayParams, requireGateway } from './route-schemas.js';

type Params = { Params: { id: string } };

export async function gatewayRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { store, registry } = deps;
  // The live registry is the truth for `connected`; the stored flag serves the CLI.
  const view = (g: GatewayRecord) => ({ ...g, connected: registry.isConnected(g.id) });

  app.get('/api/v1/gateways', async () => ({ gateways: store.fleet.list().map(view) }));

  app.get<Params>('/api/v1/gateways/:id', { schema: { params: gatewayParams } }, async (request) => view(requireGateway(store, request.params.id)));

  app.post<Params>('/api/v1/gateways/:id/revoke', { schema: { params: gatewayParams } }, async (request) => {
    const gateway = store.fleet.revoke(request.params.id, deps.now());
    if (!gateway) throw new HubError('HUB_ERR_GATEWAY_NOT_FOUND', request.params.id);
    deps.events.gatewayRevoked(gateway.id, registry.revoked(gateway.id));
    return view(gateway);
  });

  app.get<Params>('/api/v1/gateways/:id/counts', { schema: { params: gatewayParams } }, async (request) => {
    requireGateway(store, request.params.id);
    return { gatewayId: request.params.id, ...store.sync.counts(request.params.id) };
  });

  app.get<Params & { Querystring: { limit: number } }>(
    '/api/v1/gateways/:id/quarantine',
    { schema: { params: gatewayParams, querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } } } },
    async (request) => {
      requireGateway(store, request.params.id);
      return { quarantine: store.queries.quarantine(request.params.id, request.query.limit) };
    },
  );
}
