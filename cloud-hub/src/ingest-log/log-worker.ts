import type { HubEvents } from '../observability/hub-events.js';
import type { Logger } from '../observability/logger.js';
import type { SyncStore } from '../store/hub-store.js';
import type { IngestLog, LogConsumer } from './ingest-log.js';

export interface LogWorkerOptions {
  log: IngestLog;
  sync: Pick<SyncStore, 'applyBatch'>;
  events: HubEvents;
  groupId: string;
  logger: Logger;
  /** The worker stopped on an error it cannot get past (the database refuses writes). */
  onFatal: (err: Error) => void;
}

/**
 * The worker role: consume the ingest log in the workers' group and apply each batch through the store,
 * which skips (gateway, seq) pairs it already has, so a batch that comes again is applied once.
 */
export function startLogWorker(options: LogWorkerOptions): Promise<LogConsumer> {
  const { sync, events, logger } = options;
  const log = logger.child({ subsystem: 'log-worker' });
  return options.log.consume({
    groupId: options.groupId,
    onFatal: options.onFatal,
    onPoison: (err, position) => log.error({ err, ...position }, 'ingest log message is not a batch; passed over'),
    handler: (batch, position) => {
      const started = performance.now();
      const outcome = sync.applyBatch(batch.gatewayId, batch.records, batch.context);
      if (outcome.kind === 'sequence') {
        // Its predecessor was never logged, so the gateway was not acked for either and sends both again.
        log.warn({ gatewayId: batch.gatewayId, expectedSeq: outcome.expectedSeq, gotSeq: outcome.gotSeq, ...position }, 'logged batch skipped: it does not continue the applied sequence');
        return;
      }
      events.batchApplied(batch.gatewayId, outcome.applied, outcome.duplicates, outcome.quarantined.length, performance.now() - started);
    },
  });
}
