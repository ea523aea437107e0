import fastifyCookie from '@fastify/cookie';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { HubConfig } from '../config/config-schema.js';
import { consolePlugin } from '../console/console-plugin.js';
import { createConsoleSessions } from '../console/console-sessions.js';
import type { HubEvents } from '../observability/hub-events.js';
import type { HubMetrics } from '../observability/hub-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { HubStore } from '../store/hub-store.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import { createApiAuth } from './api-auth.js';
import { httpErrorHandler } from './error-handler.js';
import { registerOpenApi } from './openapi.js';
import { type RouteRole, createPrincipals, requireRouteRole } from './principal.js';
import { commandRoutes } from './routes/command-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { enrollmentRoutes } from './routes/enrollment-routes.js';
import { fleetAlertRoutes } from './routes/fleet-alert-routes.js';
import { gatewayRoutes } from './routes/gateway-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { shadowRoutes } from './routes/shadow-routes.js';
import { tenantRoutes } from './routes/tenant-routes.js';

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
  /** The console bundle's directory; default: the built one when present. */
  consoleAssetsDir?: string | null;
}

/** A registered route, as the OpenAPI test checks them against the document. */
export interface RouteSummary {
  method: string;
  url: string;
  hidden: boolean;
  /** The least role that may call it (every route has one: start-up fails otherwise). */
  role: RouteRole;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on the hub's HTTP server. */
    outpostRoutes: RouteSummary[];
  }
}

// The package's version (from src/http or dist/http alike), shown in the OpenAPI document.
const HUB_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The hub's admin HTTP API, its OpenAPI document and the ops console. Each route module is a fastify plugin
 * that owns its routes and schemas.
 */
export function createHttp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger.child({ module: 'http' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024 });
  const sessions = createConsoleSessions(deps.apiToken, deps.now);
  const principals = createPrincipals(deps.apiToken, deps.store.tenants);
  const routes: RouteSummary[] = [];
  app.decorate('outpostRoutes', routes);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    requireRouteRole(route);
    const role = (route.config as { apiRole: RouteRole }).apiRole;
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, hidden: (route.schema as { hide?: boolean } | undefined)?.hide === true, role });
  });
  app.setErrorHandler(httpErrorHandler);
  // Cookies are parsed before the authentication hook runs: the console's session is a cookie.
  void app.register(fastifyCookie);
  void app.after(() => app.addHook('onRequest', createApiAuth(principals, sessions)));
  registerOpenApi(app, { version: HUB_VERSION });
  void app.register(healthRoutes, deps);
  void app.register(gatewayRoutes, deps);
  void app.register(enrollmentRoutes, deps);
  void app.register(dataRoutes, deps);
  void app.register(fleetAlertRoutes, deps);
  void app.register(shadowRoutes, deps);
  void app.register(commandRoutes, deps);
  void app.register(tenantRoutes, deps);
  void app.register(consolePlugin, { principals, sessions, ...(deps.consoleAssetsDir !== undefined ? { assetsDir: deps.consoleAssetsDir } : {}) });
  return app;
}
