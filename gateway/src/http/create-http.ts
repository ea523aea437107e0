import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { LocalRuntimeStatus } from '@outpost/protocols';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Power } from '../power/create-power.js';
import type { GatewayPower } from '../power/gateway-power.js';
import type { ReadingsFeedStatus } from '../runtime/readings-feed.js';
import type { RuntimeSupervisorStatus } from '../runtime/runtime-supervisor.js';
import type { Logger } from '../observability/logger.js';
import type { DeviceRegistry } from '../store/device-registry.js';
import type { ReadingsQuery } from '../store/readings-query.js';
import type { StoreWriter } from '../store/store-writer.js';
import type { SyncView } from '../sync/create-sync.js';
import type { UiParts } from '../ui/ui-context.js';
import { uiPlugin } from '../ui/ui-plugin.js';
import { createApiAuth } from './api-auth.js';
import { httpErrorHandler } from './error-handler.js';
import { deviceRoutes } from './routes/device-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { powerRoutes } from './routes/power-routes.js';
import { reportingRoutes } from './routes/reporting-routes.js';
import { runtimeRoutes } from './routes/runtime-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { syncRoutes } from './routes/sync-routes.js';

export interface HttpDeps {
  logger: Logger;
  apiToken: string;
  registry: DeviceRegistry;
  readings: ReadingsQuery;
  writer: StoreWriter;
  metrics: GatewayMetrics;
  refusalCounts: () => Record<string, number>;
  isListening: () => boolean;
  isConnected: (deviceId: string) => boolean;
  connectedDevices: () => number;
  revoked: () => void;
  syncStatus: () => Promise<SyncView>;
  runtime: {
    status(): { supervisor: RuntimeSupervisorStatus; feed: ReadingsFeedStatus; runtime: LocalRuntimeStatus | null };
    publish(topic: string, payload: Buffer): Promise<void>;
  };
  /** Reporting policies, adaptive reporting and battery forecasts. */
  power: Power;
  /** The gateway's own power mode and what it changes. */
  powerMode: GatewayPower;
  /** The technician UI at `/` (cookie sessions, its own API under /ui/api); off when absent. */
  ui?: UiParts;
}

/** The gateway's local HTTP API. Each route module is a fastify plugin that owns its routes and schemas. */
export function createHttp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger.child({ module: 'http' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024 });
  app.setErrorHandler(httpErrorHandler);
  app.addHook('onRequest', createApiAuth(deps.apiToken));
  void app.register(healthRoutes, deps);
  void app.register(deviceRoutes, deps);
  void app.register(reportingRoutes, deps);
  void app.register(statsRoutes, deps);
  void app.register(syncRoutes, deps);
  void app.register(runtimeRoutes, deps);
  void app.register(powerRoutes, deps);
  if (deps.ui) void app.register(uiPlugin, { ...deps, ui: deps.ui });
  return app;
}
