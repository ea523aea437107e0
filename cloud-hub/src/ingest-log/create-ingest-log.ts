import type { HubConfig } from '../config/config-schema.js';
import type { Logger } from '../observability/logger.js';
import { createInProcessLog } from './in-process-log.js';
import type { IngestLog } from './ingest-log.js';
import { type KafkaLogOptions, maxMessageBytesFor, parseBrokers } from './kafka-log-options.js';
import { createKafkajsLog } from './kafkajs-log.js';
import { createPlatformaticLog } from './platformatic-log.js';

/** The ingest log the configuration asks for: in-process by default, Kafka through the chosen client. */
export function createIngestLog(config: HubConfig['ingestLog'], logger: Logger, how: { clientId?: string; maxBatchBytes?: number } = {}): IngestLog {
  if (config.kind === 'in-process') return createInProcessLog();
  const options: KafkaLogOptions = {
    brokers: parseBrokers(config.brokers),
    topic: config.topic,
    partitions: config.partitions,
    clientId: how.clientId ?? 'outpost-hub',
    maxPendingAppends: config.maxPendingAppends,
    appendTimeoutMs: config.appendTimeoutMs,
    maxMessageBytes: maxMessageBytesFor(how.maxBatchBytes ?? 4 * 1024 * 1024),
    logger,
  };
  return config.client === 'platformatic' ? createPlatformaticLog(options) : createKafkajsLog(options);
}

export { partitionFor } from './partition-for.js';
export type { BatchHandler, ConsumeOptions, IngestLog, LogBatch, LogConsumer, LogPosition } from './ingest-log.js';
