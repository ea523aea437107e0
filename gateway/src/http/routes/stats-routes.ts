import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';

export async function statsRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/api/v1/stats', async () => {
    const accepted = Object.fromEntries((await deps.metrics.accepted.get()).values.map((v) => [v.labels.kind, v.value]));
    return {
      connectedDevices: deps.connectedDevices(),
      ingest: { accepted, deadLetters: (await deps.metrics.deadLetters.get()).values[0]?.value ?? 0, storedReadings: deps.readings.totalReadings() },
      refusals: deps.refusalCounts(),
      writeQueue: { rows: deps.writer.queuedRows, pausedProducers: deps.writer.pausedProducers },
      store: deps.writer.usage,
    };
  });

  app.get<{ Querystring: { limit: number } }>(
    '/api/v1/dead-letters',
    { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } } } } },
    async (request) => ({ deadLetters: deps.readings.deadLetters(request.query.limit) }),
  );
}
