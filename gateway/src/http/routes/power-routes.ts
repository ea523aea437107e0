import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../create-http.js';

export async function powerRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  /**
   * The gateway's power mode as edge-runtime reported it (`simulated` says whether the readings are real),
   * what the mode changes here (sync pacing, deferred classes, log level, trainingAllowed), the configured
   * critical action and what the last critical flush did.
   */
  app.get('/api/v1/power', async () => deps.powerMode.view());
}
