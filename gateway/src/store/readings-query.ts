import type { Db } from './database.js';

export interface StoredReadingView {
  id: number;
  ts: number;
  receivedAt: number;
  seq: number | null;
  metrics: Record<string, number>;
  /** Filled in by the gateway from the shared predictor (adaptive reporting); absent on readings the device sent. */
  predicted?: true;
}

/** Counts are of readings the device sent; filled-in (predicted) rows are counted apart. */
export interface SeqAudit {
  deviceId: string;
  stored: number;
  /** Rows the gateway filled in for samples an adaptive device did not send. */
  predicted: number;
  withSeq: number;
  distinctSeqs: number;
  duplicates: number;
  minSeq: number | null;
  maxSeq: number | null;
  /**
   * Gaps between the lowest and highest stored seq, as inclusive [from, to] ranges (first 100). A seq an
   * adaptive device skipped on purpose and the gateway filled in is not a gap.
   */
  missing: [number, number][];
}

/** How far back a resent (DUP) reading is looked for: bounded, since it runs on a hot path's rare branch. */
export const DUPLICATE_LOOKBACK = 1000;

/** Read-side queries for the API. They run on the main connection; WAL keeps them off the writer's way. */
export function createReadingsQuery(db: Db) {
  const stmts = {
    latest: db.prepare<[string, number, number], { id: number; ts: number; received_at: number; seq: number | null; metrics: string; predicted: number }>(
      'SELECT id, ts, received_at, seq, metrics, predicted FROM readings WHERE device_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
    ),
    counts: db.prepare<[string], { stored: number; with_seq: number; distinct_seqs: number; min_seq: number | null; max_seq: number | null }>(
      'SELECT COUNT(*) AS stored, COUNT(seq) AS with_seq, COUNT(DISTINCT seq) AS distinct_seqs, MIN(seq) AS min_seq, MAX(seq) AS max_seq FROM readings WHERE device_id = ? AND predicted = 0',
    ),
    predicted: db.prepare<[string]>('SELECT COUNT(*) FROM readings WHERE device_id = ? AND predicted = 1').pluck(),
    gaps: db.prepare<[string], { from_seq: number; to_seq: number }>(
      `SELECT seq + 1 AS from_seq, next_seq - 1 AS to_seq FROM (
         SELECT seq, LEAD(seq) OVER (ORDER BY seq) AS next_seq
         FROM (SELECT DISTINCT seq FROM readings WHERE device_id = ? AND seq IS NOT NULL)
       ) WHERE next_seq > seq + 1 LIMIT 100`,
    ),
    deadLetters: db.prepare<[number], { id: number; device_id: string | null; topic: string; code: string; detail: string; payload_bytes: number; received_at: number }>(
      'SELECT id, device_id, topic, code, detail, payload_bytes, received_at FROM dead_letters ORDER BY id DESC LIMIT ?',
    ),
    totalReadings: db.prepare('SELECT COUNT(*) FROM readings').pluck(),
    recentSeq: db
      .prepare<[string, number, number, number]>(
        `SELECT 1 FROM (SELECT seq, ts FROM readings WHERE device_id = ? AND predicted = 0 ORDER BY id DESC LIMIT ${DUPLICATE_LOOKBACK}) WHERE seq = ? AND (? = 0 OR ts = ?) LIMIT 1`,
      )
      .pluck(),
  };

  return {
    /** A reading with this seq (and ts, when given) among the device's last DUPLICATE_LOOKBACK stored ones. */
    storedRecently(deviceId: string, seq: number, ts: number | null): boolean {
      return stmts.recentSeq.get(deviceId, seq, ts === null ? 0 : 1, ts ?? 0) !== undefined;
    },
    latest(deviceId: string, limit: number, beforeId = Number.MAX_SAFE_INTEGER): StoredReadingView[] {
      return stmts.latest.all(deviceId, beforeId, limit).map((r) => ({
        id: r.id,
        ts: r.ts,
        receivedAt: r.received_at,
        seq: r.seq,
        metrics: JSON.parse(r.metrics) as Record<string, number>,
        ...(r.predicted ? { predicted: true as const } : {}),
      }));
    },
    audit(deviceId: string): SeqAudit {
      const c = stmts.counts.get(deviceId)!;
      return {
        deviceId,
        stored: c.stored,
        predicted: stmts.predicted.get(deviceId) as number,
        withSeq: c.with_seq,
        distinctSeqs: c.distinct_seqs,
        duplicates: c.with_seq - c.distinct_seqs,
        minSeq: c.min_seq,
        maxSeq: c.max_seq,
        missing: stmts.gaps.all(deviceId).map((g) => [g.from_seq, g.to_seq]),
      };
    },
    deadLetters(limit: number) {
      return stmts.deadLetters.all(limit).map((r) => ({ id: r.id, deviceId: r.device_id, topic: r.topic, code: r.code, detail: r.detail, payloadBytes: r.payload_bytes, receivedAt: r.received_at }));
    },
    totalReadings(): number {
      return stmts.totalReadings.get() as number;
    },
  };
}

export type ReadingsQuery = ReturnType<typeof createReadingsQuery>;
