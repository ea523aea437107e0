import type { Logger } from '../observability/logger.js';

/** What both Kafka-backed logs are built from (the hub fills it from `ingestLog` config). */
export interface KafkaLogOptions {
  /** Bootstrap brokers as host:port. */
  brokers: string[];
  topic: string;
  /** Partitions when the log creates the topic; an existing topic keeps its own count. */
  partitions: number;
  clientId: string;
  maxPendingAppends: number;
  appendTimeoutMs: number;
  /** The topic's max.message.bytes when the log creates it: room for the largest batch a gateway may send. */
  maxMessageBytes: number;
  logger: Logger;
}

/** "a:1,b:2" → ["a:1", "b:2"] (the config schema has checked the shape). */
export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

export const DEFAULT_MAX_APPLY_ATTEMPTS = 5;
/** Header that names a message's batch (gateway:first-last), for operators reading the topic. */
export const BATCH_HEADER = 'outpost-batch';

/** Room for a sync batch of `maxBatchBytes` on the wire once framed as a log message (never below 1 MiB). */
export function maxMessageBytesFor(maxBatchBytes: number): number {
  return Math.max(2 * maxBatchBytes, 1024 * 1024);
}
