import type { BacklogStats, BacklogSummary, NextBatchRequest, SequencedRecord } from '../sync/outbox/outbox-types.js';
import type { HlcTimestamp } from '@outpost/protocols';

/**
 * What the ingest path hands to the store writer. Plain data: it crosses a worker-thread boundary.
 * Events, state, command results and alerts also become outbox records in the same transaction.
 */
export type WriteRow =
  /** `predicted`: filled in from the shared predictor (adaptive reporting), not sent by the device. */
  | { k: 'reading'; deviceId: string; ts: number; receivedAt: number; seq: number | null; metrics: string; predicted?: true }
  | { k: 'event'; deviceId: string; ts: number; receivedAt: number; seq: number | null; type: string; severity: string; data: string | null }
  | { k: 'state'; deviceId: string; ts: number; receivedAt: number; state: string; batteryPercent: number | null; firmware: string | null }
  | { k: 'commandResult'; deviceId: string; commandId: string; receivedAt: number; status: string; body: string }
  | { k: 'deadLetter'; deviceId: string | null; topic: string; code: string; detail: string; payload: Uint8Array; payloadBytes: number; receivedAt: number }
  | { k: 'alert'; alertId: string; deviceId: string; ts: number; receivedAt: number; severity: string; body: string }
  | { k: 'summary'; deviceId: string; metric: string; windowStartMs: number; windowMs: number; createdAt: number; m2: number; payload: string }
  | { k: 'summaryPartial'; deviceId: string; metric: string; windowStartMs: number; count: number; min: number; max: number; mean: number; m2: number; last: number; predictedCount: number };

export interface WriterOptions {
  file: string;
  synchronous: 'full' | 'normal';
  maxBytes: number;
  maxAgeMs: number;
  retentionIntervalMs: number;
  deadLetterMaxRows: number;
  /** Also put every raw reading in the sync outbox (class rawReading). */
  syncRawReadings?: boolean;
}

export interface StoreUsage {
  usedBytes: number;
  maxBytes: number;
  /** True when the budget is exhausted and nothing deletable is left: new raw readings are refused. */
  full: boolean;
}

export interface RetentionResult extends StoreUsage {
  deletedByAge: number;
  deletedByBudget: number;
  /** Unsequenced outbox records removed or merged away by budget pressure in this run. */
  outboxCompacted: number;
}

/** Outbox operations run on the writer thread, inside its transactions. */
export type OutboxOp =
  | { op: 'nextBatch'; request: NextBatchRequest }
  | { op: 'ack'; seq: number }
  | { op: 'stats' }
  | { op: 'backlog' }
  | { op: 'hlcNow' }
  | { op: 'hlcReceive'; remote: HlcTimestamp };

export interface OutboxResults {
  nextBatch: SequencedRecord[];
  ack: { ackedSeq: number; lastSeq: number; skippedTo: number | null };
  stats: BacklogStats;
  backlog: BacklogSummary;
  hlcNow: HlcTimestamp;
  hlcReceive: HlcTimestamp;
}

/** What a `PRAGMA wal_checkpoint(TRUNCATE)` did. */
export interface CheckpointResult {
  /** True when a reader kept the checkpoint from finishing: the WAL may still hold pages the main file lacks. */
  busy: boolean;
  /** Size of the WAL file before and after (0 after a complete TRUNCATE checkpoint). */
  walBytesBefore: number;
  walBytesAfter: number;
}

export type WriterRequest =
  | { type: 'batch'; id: number; rows: WriteRow[] }
  | { type: 'retention'; id: number }
  | { type: 'checkpoint'; id: number }
  | { type: 'outbox'; id: number; call: OutboxOp }
  | { type: 'close' };

export type WriterResponse =
  | { type: 'ready' }
  /** `readingIds`: the store row id of each reading row of the batch, in order (edge-runtime gets them). */
  | { type: 'committed'; id: number; usage: StoreUsage; commitMs: number; outboxAdded: number; readingIds: number[] }
  | { type: 'outbox'; id: number; ok: true; value: unknown }
  | { type: 'outbox'; id: number; ok: false; message: string }
  | { type: 'failed'; id: number; message: string }
  | { type: 'retention'; id: number | null; result: RetentionResult }
  | { type: 'checkpoint'; id: number; ok: true; result: CheckpointResult }
  | { type: 'checkpoint'; id: number; ok: false; message: string }
  | { type: 'closed' };
