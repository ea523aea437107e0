import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';

export async function healthRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks = { broker: deps.isListening(), store: !deps.writer.usage.full };
    const ready = checks.broker && checks.store;
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });

  app.get('/metrics', async (_request, reply) => {
    deps.metrics.writeQueueRows.set(deps.writer.queuedRows);
    deps.metrics.storeUsedBytes.set(deps.writer.usage.usedBytes);
    deps.metrics.storeMaxBytes.set(deps.writer.usage.maxBytes);
    await deps.syncStatus(); // refreshes the sync gauges
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
