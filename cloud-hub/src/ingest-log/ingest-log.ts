import type { ApplyContext, IncomingRecord } from '../store/hub-store.js';

/** One gateway's sync batch as the hub logs it: records in ascending sequence, and how to judge their clocks. */
export interface LogBatch {
  gatewayId: string;
  records: readonly IncomingRecord[];
  context: ApplyContext;
}

/** Where a consumed batch sits in the log (for logs and tests; the in-process log has one partition). */
export interface LogPosition {
  partition: number;
  offset: string;
}

/**
 * Applies one batch. It must be idempotent by (gateway id, sequence): after a crash between apply and
 * offset commit the batch comes again. A rejection is retried (see `ConsumeOptions`), never skipped.
 */
export type BatchHandler = (batch: LogBatch, position: LogPosition) => Promise<void> | void;

export interface ConsumeOptions {
  /** Consumer group; members share the partitions and resume from the group's committed offsets. */
  groupId: string;
  handler: BatchHandler;
  /** Attempts per batch before the consumer stops with HUB_ERR_INGEST_LOG_APPLY (default 5). */
  maxApplyAttempts?: number;
  /** Called once when the consumer stops on an error it cannot get past (it is then closed). */
  onFatal?: (err: Error) => void;
  /** Called for a message that is not a batch: it is logged, counted and committed past (never applied). */
  onPoison?: (err: Error, position: LogPosition) => void;
}

export interface LogConsumer {
  /** Stop fetching, let the batch in hand finish, commit what was applied, leave the group. */
  close(): Promise<void>;
}

/**
 * The hub's ingest log: ingest appends a gateway's batch and acks the gateway once `append` resolves
 * (the batch is durable); workers consume it in a group and commit offsets after applying.
 * Lifecycle: `start()` (connects, creates the topic when missing), then append/consume, then `close()`.
 */
export interface IngestLog {
  readonly kind: 'in-process' | 'kafka';
  /** The client library behind it ('in-process' for the default). */
  readonly client: string;
  start(): Promise<void>;
  /** Resolves when the batch is durable in the log (Kafka: acks=all). Keyed by (gateway id, first..last seq). */
  append(batch: LogBatch): Promise<void>;
  consume(options: ConsumeOptions): Promise<LogConsumer>;
  /**
   * Resolves once consumer group `groupId` has committed everything appended so far to the partition of
   * `gatewayId` (then the store holds every batch of that gateway the log holds); rejects with
   * HUB_ERR_INGEST_LOG_LAG after `timeoutMs`.
   */
  caughtUp(gatewayId: string, groupId: string, timeoutMs: number): Promise<void>;
  /** Close every consumer, then the producer; appends still waiting fail with HUB_ERR_INGEST_LOG_CLOSED. */
  close(): Promise<void>;
}

/** The key of a batch in logs and message headers: `gateway:first-last`. */
export function batchKey(batch: LogBatch): string {
  const first = batch.records[0]?.seq ?? 0;
  const last = batch.records[batch.records.length - 1]?.seq ?? 0;
  return `${batch.gatewayId}:${first}-${last}`;
}
