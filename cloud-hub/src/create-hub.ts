import { mkdirSync } from 'node:fs';
import type { HubConfig } from './config/config-schema.js';
import { HubError } from './errors.js';
import { type Federation, createFederation } from './federation/create-federation.js';
import { createHttp } from './http/create-http.js';
import { createHubEvents } from './observability/hub-events.js';
import { createHubMetrics } from './observability/hub-metrics.js';
import { type Logger, createRootLogger } from './observability/logger.js';
import type { HubStore } from './store/hub-store.js';
import { loadOrCreateSecretFile } from '@outpost/service-kit';
import { createSqliteHubStore } from './store/sqlite/create-sqlite-store.js';
import { type SyncServerDeps, createSyncServer } from './sync/create-sync-server.js';

export interface HubAddresses {
  grpcPort: number;
  httpPort: number;
}

export interface CreateHubOptions {
  logger?: Logger;
  /** The hub's clock (tests move it); Date.now by default. */
  now?: () => number;
  /** The ingest role: batches go to the ingest log instead of the store (see ingest-log/hub-roles.ts). */
  sync?: Pick<SyncServerDeps, 'committer' | 'beforeWelcome'>;
}

const COMMAND_EXPIRY_INTERVAL_MS = 5000;

/** Open the embedded store of a hub (also what the CLI uses while the hub runs or not). */
export function openHubStore(config: HubConfig): HubStore {
  mkdirSync(config.dataDir, { recursive: true });
  return createSqliteHubStore({
    dataDir: config.dataDir,
    synchronous: config.store.synchronous,
    rawReadingsMaxAgeMs: config.retention.rawReadingsMaxAgeDays * 86_400_000,
    rawReadingsMaxRows: config.retention.rawReadingsMaxRows,
    quarantineMaxRows: config.retention.quarantineMaxRows,
  });
}

/** Wire a hub from its configuration: store, gRPC sync service and admin HTTP API. `start()` opens the sockets. */
export function createHub(config: HubConfig, options: CreateHubOptions = {}) {
  const logger = options.logger ?? createRootLogger(config.log.level);
  const now = options.now ?? Date.now;
  const store = openHubStore(config);
  store.fleet.resetConnected();
  const apiToken = config.http.apiToken ? { value: config.http.apiToken, created: false, file: null } : loadOrCreateSecretFile(config.dataDir, 'api-token');
  const metrics = createHubMetrics();
  const events = createHubEvents(logger, metrics);
  let federation: Federation | null = null;
  const sync = createSyncServer({ config: config.sync, store, events, logger, now, ...options.sync, onFlReply: (gatewayId, reply) => federation?.coordinator.onReply(gatewayId, reply) });
  federation = createFederation({ config, registry: sync.registry, fleet: store.fleet, tenants: store.tenants, logger, now });
  const fl = federation;

  let listening = false;
  const http = createHttp({ logger, apiToken: apiToken.value, config, store, metrics, events, registry: sync.registry, isListening: () => listening, now });
  fl.routes(http);
  const timers: NodeJS.Timeout[] = [];

  function every(ms: number, what: string, task: () => void): void {
    const timer = setInterval(() => {
      try {
        task();
      } catch (err) {
        logger.error({ err }, `${what} failed`);
      }
    }, ms);
    timer.unref();
    timers.push(timer);
  }

  return {
    config,
    logger,
    store,
    registry: sync.registry,
    /** Business events (logs and metrics); the worker of the `all` role reports through them too. */
    events,
    /** Federated learning: the coordinator and its tables. */
    federation: fl,
    /** The HTTP server (API, OpenAPI document, console); listening after `start()`. */
    http,
    /** The API token, and whether it was generated just now (then show it once). */
    apiToken,
    async start(): Promise<HubAddresses> {
      const grpcPort = await sync.listen();
      try {
        await http.listen({ port: config.http.port, host: config.http.host });
      } catch (cause) {
        await sync.close();
        throw new HubError('HUB_ERR_LISTEN', `HTTP ${config.http.host}:${config.http.port}: ${(cause as Error).message}`, { cause });
      }
      const address = http.server.address();
      const httpPort = typeof address === 'object' && address ? address.port : config.http.port;
      listening = true;
      every(config.retention.intervalMs, 'retention', () => events.retention(store.runRetention(now())));
      every(COMMAND_EXPIRY_INTERVAL_MS, 'command expiry', () => store.commands.expire(now()));
      fl.start();
      logger.info({ event: 'ready', grpcPort, httpPort, tls: sync.tls, hubId: store.hubId, dataDir: config.dataDir }, 'hub ready');
      return { grpcPort, httpPort };
    },
    /** Close the streams, stop listening, close the store. */
    async close(): Promise<void> {
      listening = false;
      for (const timer of timers) clearInterval(timer);
      await fl.close();
      await sync.close();
      await http.close();
      store.close();
      logger.info({ event: 'stopped' }, 'hub stopped');
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
