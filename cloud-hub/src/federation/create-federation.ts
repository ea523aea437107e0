import type { FastifyInstance } from 'fastify';
import type { HubConfig } from '../config/config-schema.js';
import type { Logger } from '../observability/logger.js';
import type { FleetStore, TenantStore } from '../store/hub-store.js';
import { hubStoreFile, openDatabase } from '../store/sqlite/database.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import { createFederationCoordinator } from './coordinator.js';
import { federationRoutes } from './federation-routes.js';
import { createSqliteFederationStore } from './federation-store.js';
import { type HeldOutSource, createHeldOutSource } from './held-out.js';
import { createHubTransport } from './hub-transport.js';

export interface FederationDeps {
  config: HubConfig;
  registry: SessionRegistry;
  fleet: FleetStore;
  tenants: TenantStore;
  logger: Logger;
  now: () => number;
  /** Held-out evaluation data; generated from the simulator's signals by default. */
  heldOut?: HeldOutSource;
}

/**
 * The hub's federated-learning part: its tables (on a connection of its own to the hub's database, which the
 * hub store has already migrated), the coordinator and its HTTP routes.
 */
export function createFederation(deps: FederationDeps) {
  const db = openDatabase(hubStoreFile(deps.config.dataDir), { synchronous: deps.config.store.synchronous });
  const store = createSqliteFederationStore(db);
  const heldOut = deps.heldOut ?? createHeldOutSource(deps.logger.child({ module: 'federation' }));
  const coordinator = createFederationCoordinator({ store, transport: createHubTransport(deps.registry, deps.fleet), heldOut, logger: deps.logger, now: deps.now });
  deps.registry.onDisconnected((gatewayId) => coordinator.onDisconnected(gatewayId));
  return {
    coordinator,
    store,
    routes(app: FastifyInstance): void {
      void app.register(federationRoutes, { coordinator, heldOut, dataDir: deps.config.dataDir, tenants: deps.tenants });
    },
    /** Resume the federations that were running. */
    start(): void {
      coordinator.start();
    },
    async close(): Promise<void> {
      await coordinator.close();
      db.close();
    },
  };
}

export type Federation = ReturnType<typeof createFederation>;
