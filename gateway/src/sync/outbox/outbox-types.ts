import type { DataClass } from '@outpost/protocols';

/** A record as it leaves the send log: sequenced, stamped, payload as JSON text. */
export interface SequencedRecord {
  seq: number;
  dataClass: DataClass;
  hlcWall: number;
  hlcLogical: number;
  payload: string;
}

export interface ClassBacklog {
  records: number;
  bytes: number;
  /** created_at of the oldest waiting record (gateway wall clock), or null when empty. */
  oldestMs: number | null;
}

export interface BacklogStats {
  /** Unsequenced and sequenced-but-unacked records per data class. */
  classes: Record<DataClass, ClassBacklog>;
  /** Records sequenced but not acknowledged yet. */
  unacked: number;
  ackedSeq: number;
  lastSeq: number;
  /** Records ever sequenced per class (persisted; the hub's count of applied records should match). */
  sequenced: Record<DataClass, number>;
  enqueued: Record<DataClass, number>;
  compacted: CompactionCounts;
}

/** What compaction and budget retention did to outbox records, cumulative since the writer started. */
export interface CompactionCounts {
  rawReadingsDropped: number;
  summariesMerged: number;
  deviceStatesCompacted: number;
  eventsDropped: number;
  summariesDropped: number;
}

export interface NextBatchRequest {
  /** Resend from here when the send log already holds it; otherwise sequence new records. */
  fromSeq: number;
  maxRecords: number;
  maxBytes: number;
  /**
   * Sequence only classes of this priority or a more urgent one (DATA_CLASSES[c].priority, lower is more
   * urgent); the others wait unsequenced. Records already sequenced are resent whatever their class.
   * Unset: every class.
   */
  maxPriority?: number;
}

export interface EnqueueMeta {
  createdAt: number;
  deviceId?: string | null;
  metric?: string | null;
  windowStart?: number | null;
  windowMs?: number | null;
  m2?: number | null;
}

/** The cheap backlog figures a sync session starts with. */
export interface BacklogSummary {
  records: number;
  oldestMs: number | null;
  ackedSeq: number;
}
