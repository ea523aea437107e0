import { HubError } from '../errors.js';
import { validateBatch } from './batch-codec.js';
import type { ConsumeOptions, IngestLog, LogBatch, LogConsumer } from './ingest-log.js';
import { applyWithRetry } from './log-plumbing.js';

/**
 * The default ingest log: no log at all. `append` hands the batch straight to each consumer group's handler
 * and resolves once it is applied, so "durable in the log" means "applied", as in the embedded hub.
 * Nothing is kept, so there is nothing to resume; an append with no consumer attached is refused.
 */
export function createInProcessLog(): IngestLog {
  const groups = new Map<string, ConsumeOptions>();
  let offset = 0n;
  let closed = false;

  return {
    kind: 'in-process',
    client: 'in-process',
    async start() {},
    async append(batch: LogBatch) {
      if (closed) throw new HubError('HUB_ERR_INGEST_LOG_CLOSED', 'append after close');
      validateBatch(batch);
      if (groups.size === 0) throw new HubError('HUB_ERR_INGEST_LOG_APPLY', 'no consumer is attached to the in-process log');
      const position = { partition: 0, offset: String(offset++) };
      for (const group of groups.values()) await applyWithRetry(group.handler, batch, position, group.maxApplyAttempts ?? 1, () => closed);
    },
    async consume(options: ConsumeOptions): Promise<LogConsumer> {
      if (closed) throw new HubError('HUB_ERR_INGEST_LOG_CLOSED', 'consume after close');
      if (groups.has(options.groupId)) throw new HubError('HUB_ERR_CONFIG', `group ${options.groupId} already consumes the in-process log`);
      groups.set(options.groupId, options);
      return {
        async close() {
          if (groups.get(options.groupId) === options) groups.delete(options.groupId);
        },
      };
    },
    // Nothing is ever pending: an append resolves after its apply.
    async caughtUp() {},
    async close() {
      closed = true;
      groups.clear();
    },
  };
}
