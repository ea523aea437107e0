import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';

export async function healthRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness', security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } }, config: { apiRole: 'public' } }, async () => ({ status: 'ok' }));

  const readiness = { type: 'object', properties: { ready: { type: 'boolean' }, checks: { type: 'object', properties: { sync: { type: 'boolean' }, store: { type: 'boolean' } } } } } as const;
  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness of the sync listener and the store', security: [], response: { 200: readiness, 503: readiness } }, config: { apiRole: 'public' } }, async (_request, reply) => {
    let store = true;
    try {
      deps.store.fleet.get('');
    } catch {
      store = false;
    }
    const checks = { sync: deps.isListening(), store };
    const ready = checks.sync && checks.store;
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });

  // Hub-wide figures, not one tenant's: the hub API token only.
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)' }, config: { apiRole: 'superuser' } }, async (_request, reply) => {
    deps.metrics.connectedGateways.set(deps.registry.size);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
