import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { HubConfig } from '../config/config-schema.js';
import { HubError } from '../errors.js';
import type { HubEvents } from '../observability/hub-events.js';
import type { Logger } from '../observability/logger.js';
import type { HubStore } from '../store/hub-store.js';
import { GroupCommitter } from './group-commit.js';
import { SessionRegistry } from './session-registry.js';
import { createSyncHandlers } from './sync-handlers.js';
import type { SessionDeps } from './stream-session.js';
import { loadSyncService } from './sync-proto.js';

export interface SyncServerDeps {
  config: HubConfig['sync'];
  store: HubStore;
  events: HubEvents;
  logger: Logger;
  now?: () => number;
  /** Federated-learning replies from the streams (the coordinator). */
  onFlReply?: SessionDeps['onFlReply'];
  /** Where batches go instead of the store's group commit (the ingest role's log); and its Welcome gate. */
  committer?: SessionDeps['committer'];
  beforeWelcome?: SessionDeps['beforeWelcome'];
}

function serverCredentials(config: HubConfig['sync']): grpc.ServerCredentials {
  if (!config.tlsCertFile || !config.tlsKeyFile) return grpc.ServerCredentials.createInsecure();
  try {
    const cert = readFileSync(config.tlsCertFile);
    const key = readFileSync(config.tlsKeyFile);
    return grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
  } catch (cause) {
    throw new HubError('HUB_ERR_TLS', (cause as Error).message, { cause });
  }
}

/** The gRPC sync service: enrollment and one stream per gateway, plus the revocation watcher. */
export function createSyncServer(deps: SyncServerDeps) {
  const { config, store, events } = deps;
  const logger = deps.logger.child({ module: 'sync' });
  const now = deps.now ?? Date.now;
  const registry = new SessionRegistry(store.fleet, events);
  const server = new grpc.Server({
    // Twice the batch limit, so a batch a little too large still gets a clear E_SYNC_BATCH_TOO_LARGE
    // (bigger ones are refused by gRPC itself with RESOURCE_EXHAUSTED).
    'grpc.max_receive_message_length': config.maxBatchBytes * 2,
    'grpc.keepalive_time_ms': config.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': config.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': config.minPingIntervalMs,
  });
  const committer = deps.committer ?? new GroupCommitter(store.sync);
  const handlers = createSyncHandlers({
    config,
    store,
    events,
    logger,
    now,
    registry,
    committer,
    ...(deps.onFlReply ? { onFlReply: deps.onFlReply } : {}),
    ...(deps.beforeWelcome ? { beforeWelcome: deps.beforeWelcome } : {}),
  });
  server.addService(loadSyncService(), handlers as unknown as grpc.UntypedServiceImplementation);

  let revocationTimer: NodeJS.Timeout | null = null;
  let lastPoll = now();

  // The CLI revokes from another process; look for fresh revocations (with slack for clock steps).
  function pollRevocations(): void {
    const since = lastPoll - 5000;
    lastPoll = now();
    try {
      for (const id of store.fleet.revokedSince(since)) if (registry.revoked(id)) events.gatewayRevoked(id, true);
    } catch (err) {
      logger.warn({ err }, 'revocation poll failed');
    }
  }

  return {
    registry,
    tls: Boolean(config.tlsCertFile && config.tlsKeyFile),
    async listen(): Promise<number> {
      const credentials = serverCredentials(config);
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`${config.host}:${config.port}`, credentials, (err, bound) =>
          err ? reject(new HubError('HUB_ERR_LISTEN', `gRPC ${config.host}:${config.port}: ${err.message}`, { cause: err })) : resolve(bound),
        ),
      );
      revocationTimer = setInterval(pollRevocations, config.revocationPollMs);
      revocationTimer.unref();
      return port;
    },
    async close(timeoutMs = 5000): Promise<void> {
      if (revocationTimer) clearInterval(revocationTimer);
      registry.closeAll();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

export type SyncServer = ReturnType<typeof createSyncServer>;
