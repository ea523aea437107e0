import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';

export async function healthRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
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

  app.get('/metrics', async (_request, reply) => {
    deps.metrics.connectedGateways.set(deps.registry.size);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
