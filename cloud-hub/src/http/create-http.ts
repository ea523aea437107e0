import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { HubConfig } from '../config/config-schema.js';
import type { HubEvents } from '../observability/hub-events.js';
import type { HubMetrics } from '../observability/hub-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { HubStore } from '../store/hub-store.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import { createApiAuth } from './api-auth.js';
import { httpErrorHandler } from './error-handler.js';
import { commandRoutes } from './routes/command-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { enrollmentRoutes } from './routes/enrollment-routes.js';
import { gatewayRoutes } from './routes/gateway-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { shadowRoutes } from './routes/shadow-routes.js';

export interface HttpDeps {
  logger: Logger;
  apiToken: string;
  config: HubConfig;
  store: HubStore;
  metrics: HubMetrics;
  events: HubEvents;
  registry: SessionRegistry;
  isListening: () => boolean;
  now: () => number;
}

/** The hub's admin HTTP API. Each route module is a fastify plugin that owns its routes and schemas. */
export function createHttp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger.child({ module: 'http' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024 });
  app.setErrorHandler(httpErrorHandler);
  app.addHook('onRequest', createApiAuth(deps.apiToken));
  void app.register(healthRoutes, deps);
  void app.register(gatewayRoutes, deps);
  void app.register(enrollmentRoutes, deps);
  void app.register(dataRoutes, deps);
  void app.register(shadowRoutes, deps);
  void app.register(commandRoutes, deps);
  return app;
}
