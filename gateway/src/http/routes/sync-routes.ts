import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';

export async function syncRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  /** Connection state, hub, acked seq, backlog per data class, compaction, drain rate, last error. */
  app.get('/api/v1/sync', async () => deps.syncStatus());
}
