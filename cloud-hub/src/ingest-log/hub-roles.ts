import type { HubConfig } from '../config/config-schema.js';
import { type Hub, type HubAddresses, createHub, openHubStore } from '../create-hub.js';
import { HubError } from '../errors.js';
import { createHubEvents } from '../observability/hub-events.js';
import { createHubMetrics } from '../observability/hub-metrics.js';
import { type Logger, createRootLogger } from '../observability/logger.js';
import { createIngestLog } from './create-ingest-log.js';
import type { IngestLog, LogConsumer } from './ingest-log.js';
import { LogIngest } from './log-ingest.js';
import { startLogWorker } from './log-worker.js';

export const HUB_ROLES = ['all', 'ingest', 'worker'] as const;
export type HubRole = (typeof HUB_ROLES)[number];

/** How long a new gateway stream waits for the workers before it is refused and retried. */
const CATCH_UP_TIMEOUT_MS = 10_000;

export interface RunningRole {
  role: HubRole;
  /** The hub (gRPC and HTTP) for `all` and `ingest`; none for `worker`. */
  hub: Hub | null;
  addresses: HubAddresses | null;
  log: IngestLog;
  close(): Promise<void>;
}

/**
 * Start one process role over the ingest log of the configuration.
 * - `ingest`: terminates the gateways' sync streams and acks a batch once the log has it (Kafka only);
 * - `worker`: applies the log to the database in the workers' consumer group (Kafka only), no listeners;
 * - `all`: both in one process; with the in-process log that is exactly the embedded hub.
 * `onFatal` is called when a worker stops on an error it cannot get past: the process should exit.
 */
export async function startHubRole(config: HubConfig, role: HubRole, options: { logger?: Logger; onFatal?: (err: Error) => void } = {}): Promise<RunningRole> {
  const logger = options.logger ?? createRootLogger(config.log.level);
  if (role !== 'all' && config.ingestLog.kind !== 'kafka') {
    throw new HubError('HUB_ERR_CONFIG', `role "${role}" needs ingestLog.kind "kafka" (got "${config.ingestLog.kind}"); use role "all" for the embedded hub`);
  }
  const onFatal = options.onFatal ?? ((err: Error) => logger.fatal({ err }, 'worker stopped'));
  const log = createIngestLog(config.ingestLog, logger, { clientId: `outpost-hub-${role}`, maxBatchBytes: config.sync.maxBatchBytes });
  await log.start();
  const { groupId } = config.ingestLog;
  let hub: Hub | null = null;
  let addresses: HubAddresses | null = null;
  let worker: LogConsumer | null = null;
  try {
    if (role === 'worker') {
      const store = openHubStore(config);
      const events = createHubEvents(logger, createHubMetrics());
      worker = await startLogWorker({ log, sync: store.sync, events, groupId, logger, onFatal });
      logger.info({ event: 'ready', role, groupId, topic: config.ingestLog.topic, client: log.client }, 'hub worker ready');
      return {
        role,
        hub,
        addresses,
        log,
        async close() {
          await worker?.close();
          await log.close();
          store.close();
        },
      };
    }
    const kafka = config.ingestLog.kind === 'kafka';
    // A stand-in store view for the ingest side: the applied cursor comes from the store the workers write.
    let ingest: LogIngest | null = null;
    hub = createHub(config, {
      logger,
      ...(kafka
        ? {
            sync: {
              committer: { apply: (job, done) => ingest!.apply(job, done) },
              beforeWelcome: (gatewayId) => ingest!.beforeWelcome(gatewayId),
            },
          }
        : {}),
    });
    if (kafka) ingest = new LogIngest({ log, sync: hub.store.sync, groupId, catchUpTimeoutMs: CATCH_UP_TIMEOUT_MS, logger });
    if (role === 'all' && kafka) worker = await startLogWorker({ log, sync: hub.store.sync, events: hub.events, groupId, logger, onFatal });
    addresses = await hub.start();
    const started = hub;
    return {
      role,
      hub,
      addresses,
      log,
      async close() {
        // The worker first: it writes through the hub's store, which the hub closes.
        await worker?.close();
        await started.close();
        await log.close();
      },
    };
  } catch (err) {
    await worker?.close().catch(() => {});
    await hub?.close().catch(() => {});
    await log.close().catch(() => {});
    throw err;
  }
}
