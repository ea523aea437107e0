import { DATA_CLASSES, DATA_CLASS_NAMES, type DataClass, type HlcTimestamp } from '@outpost/protocols';
import type { Db } from '../../store/database.js';
import type { BacklogStats, BacklogSummary, ClassBacklog, CompactionCounts, EnqueueMeta, NextBatchRequest, SequencedRecord } from './outbox-types.js';
import type { PersistedHlc } from './persisted-hlc.js';

interface SendRow {
  seq: number;
  class: DataClass;
  hlc_wall: number;
  hlc_logical: number;
  payload: string;
}

interface OutboxRow {
  id: number;
  class: DataClass;
  priority: number;
  hlc_wall: number;
  hlc_logical: number;
  payload: string;
}

const emptyBacklog = (): Record<DataClass, ClassBacklog> =>
  Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, { records: 0, bytes: 0, oldestMs: null }])) as Record<DataClass, ClassBacklog>;
const zeroCounts = (): Record<DataClass, number> => Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, 0])) as Record<DataClass, number>;

/**
 * The outbox on the store writer's connection (so it shares the store's transactions and disk budget).
 * Records wait unsequenced in `outbox`, ordered by class priority then age; `nextBatch` moves the next
 * ones into `send_log` and gives them their seq in the same transaction. A sequenced record is never
 * compacted or dropped: it leaves the send log only when the hub acks it. So "ack the highest contiguous
 * seq" stays exact while everything still unsequenced can be compacted under pressure.
 */
export function createOutboxStore(db: Db, hlc: PersistedHlc) {
  const stmts = {
    insert: db.prepare(
      'INSERT INTO outbox (class, priority, created_at, hlc_wall, hlc_logical, device_id, metric, window_start, window_ms, m2, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    enqueued: db.prepare('INSERT INTO sync_counters (class, enqueued) VALUES (?, ?) ON CONFLICT (class) DO UPDATE SET enqueued = enqueued + excluded.enqueued'),
    sequencedCount: db.prepare('INSERT INTO sync_counters (class, sequenced) VALUES (?, ?) ON CONFLICT (class) DO UPDATE SET sequenced = sequenced + excluded.sequenced'),
    counters: db.prepare<[], { class: DataClass; enqueued: number; sequenced: number }>('SELECT class, enqueued, sequenced FROM sync_counters'),
    resend: db.prepare<[number, number], SendRow>('SELECT seq, class, hlc_wall, hlc_logical, payload FROM send_log WHERE seq >= ? ORDER BY seq LIMIT ?'),
    head: db.prepare<[number, number], OutboxRow>('SELECT id, class, priority, hlc_wall, hlc_logical, payload FROM outbox WHERE priority <= ? ORDER BY priority, id LIMIT ?'),
    // One priority's part of a batch is a prefix of that priority by id: move it with two set statements.
    moveGroup: db.prepare<[number, number, number]>(
      `INSERT INTO send_log (seq, class, created_at, hlc_wall, hlc_logical, payload)
       SELECT ? + row_number() OVER (ORDER BY id) - 1, class, created_at, hlc_wall, hlc_logical, payload FROM outbox WHERE priority = ? AND id <= ?`,
    ),
    deleteGroup: db.prepare<[number, number]>('DELETE FROM outbox WHERE priority = ? AND id <= ?'),
    meta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('UPDATE meta SET value = ? WHERE key = ?'),
    deleteAcked: db.prepare('DELETE FROM send_log WHERE seq <= ?'),
    outboxStats: db.prepare<[], { class: DataClass; records: number; bytes: number; oldest: number | null }>(
      'SELECT class, COUNT(*) AS records, SUM(LENGTH(payload)) AS bytes, MIN(created_at) AS oldest FROM outbox GROUP BY class',
    ),
    outboxCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox'),
    logCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM send_log'),
    outboxFirst: db.prepare<[], { created_at: number }>('SELECT created_at FROM outbox ORDER BY id LIMIT 1'),
    logFirst: db.prepare<[], { created_at: number }>('SELECT created_at FROM send_log ORDER BY seq LIMIT 1'),
    logStats: db.prepare<[], { class: DataClass; records: number; bytes: number; oldest: number | null }>(
      'SELECT class, COUNT(*) AS records, SUM(LENGTH(payload)) AS bytes, MIN(created_at) AS oldest FROM send_log GROUP BY class',
    ),
  };
  const pendingEnqueued = new Map<DataClass, number>();
  const compacted: CompactionCounts = { rawReadingsDropped: 0, summariesMerged: 0, deviceStatesCompacted: 0, eventsDropped: 0, summariesDropped: 0 };

  const metaNumber = (key: string) => Number(stmts.meta.get(key)?.value ?? 0);

  /** Add a record to the outbox. Call inside the caller's transaction, then `flush()` before it commits. */
  function enqueue(dataClass: DataClass, payload: object | string, meta: EnqueueMeta, stamp: HlcTimestamp = hlc.now()): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    stmts.insert.run(
      dataClass,
      DATA_CLASSES[dataClass].priority,
      meta.createdAt,
      stamp.wallMs,
      stamp.logical,
      meta.deviceId ?? null,
      meta.metric ?? null,
      meta.windowStart ?? null,
      meta.windowMs ?? null,
      meta.m2 ?? null,
      text,
    );
    pendingEnqueued.set(dataClass, (pendingEnqueued.get(dataClass) ?? 0) + 1);
  }

  /** Persist counters and the clock; part of the caller's transaction. Returns how many records were added. */
  function flush(): number {
    let added = 0;
    for (const [dataClass, n] of pendingEnqueued) {
      stmts.enqueued.run(dataClass, n);
      added += n;
    }
    pendingEnqueued.clear();
    hlc.save();
    return added;
  }

  /** Forget what a rolled-back transaction enqueued. */
  function discard(): void {
    pendingEnqueued.clear();
  }

  const sequenceNew = db.transaction((maxRecords: number, maxBytes: number, maxPriority: number): SequencedRecord[] => {
    let next = metaNumber('sync_next_seq');
    const out: SequencedRecord[] = [];
    const perClass = new Map<DataClass, number>();
    // Consecutive runs of one priority: [priority, last id, first seq, records].
    const groups: [number, number, number, number][] = [];
    let bytes = 0;
    // Per priority the rows taken are still a prefix by id (a cut-off drops whole priorities), so the moves below stay exact.
    for (const row of stmts.head.all(maxPriority, maxRecords)) {
      if (out.length > 0 && bytes + row.payload.length > maxBytes) break;
      bytes += row.payload.length;
      const group = groups[groups.length - 1];
      if (group && group[0] === row.priority) {
        group[1] = row.id;
        group[3]++;
      } else groups.push([row.priority, row.id, next, 1]);
      out.push({ seq: next, dataClass: row.class, hlcWall: row.hlc_wall, hlcLogical: row.hlc_logical, payload: row.payload });
      perClass.set(row.class, (perClass.get(row.class) ?? 0) + 1);
      next++;
    }
    if (out.length === 0) return out;
    for (const [priority, lastId, firstSeq, records] of groups) {
      const moved = stmts.moveGroup.run(firstSeq, priority, lastId).changes;
      const deleted = stmts.deleteGroup.run(priority, lastId).changes;
      // Cannot happen on the writer's own connection; if it did, roll back rather than mis-sequence.
      if (moved !== records || deleted !== records) throw new Error(`outbox moved ${moved} and deleted ${deleted} rows of priority ${priority}, expected ${records}`);
    }
    stmts.setMeta.run(String(next), 'sync_next_seq');
    for (const [dataClass, n] of perClass) stmts.sequencedCount.run(dataClass, n);
    return out;
  });

  /**
   * The next batch to send from `fromSeq`: records already in the send log (a resend after reconnect),
   * else newly sequenced ones, highest priority first (and none less urgent than maxPriority). Never more
   * than maxRecords, never over maxBytes unless a single record is larger.
   */
  function nextBatch(request: NextBatchRequest): SequencedRecord[] {
    const lastSeq = metaNumber('sync_next_seq') - 1;
    if (request.fromSeq <= lastSeq) {
      const out: SequencedRecord[] = [];
      let bytes = 0;
      for (const row of stmts.resend.all(request.fromSeq, request.maxRecords)) {
        if (out.length > 0 && bytes + row.payload.length > request.maxBytes) break;
        bytes += row.payload.length;
        out.push({ seq: row.seq, dataClass: row.class, hlcWall: row.hlc_wall, hlcLogical: row.hlc_logical, payload: row.payload });
      }
      if (out.length > 0) return out;
    }
    return sequenceNew(request.maxRecords, request.maxBytes, request.maxPriority ?? Number.MAX_SAFE_INTEGER);
  }

  /**
   * The hub applied everything up to `seq`. A hub that claims more than was ever sent (a gateway restored
   * from an old backup) moves next_seq past it, so new records are not mistaken for duplicates.
   */
  const ackTx = db.transaction((seq: number): { ackedSeq: number; lastSeq: number; skippedTo: number | null } => {
    const acked = Math.max(metaNumber('sync_acked_seq'), seq);
    stmts.deleteAcked.run(acked);
    stmts.setMeta.run(String(acked), 'sync_acked_seq');
    let next = metaNumber('sync_next_seq');
    let skippedTo: number | null = null;
    if (acked >= next) {
      next = acked + 1;
      skippedTo = next;
      stmts.setMeta.run(String(next), 'sync_next_seq');
    }
    return { ackedSeq: acked, lastSeq: next - 1, skippedTo };
  });
  const ack = (seq: number) => ackTx(seq);

  function stats(): BacklogStats {
    const classes = emptyBacklog();
    let unacked = 0;
    for (const stmt of [stmts.outboxStats, stmts.logStats]) {
      for (const row of stmt.all()) {
        const c = classes[row.class];
        if (!c) continue;
        c.records += row.records;
        c.bytes += row.bytes;
        if (row.oldest !== null) c.oldestMs = c.oldestMs === null ? row.oldest : Math.min(c.oldestMs, row.oldest);
        if (stmt === stmts.logStats) unacked += row.records;
      }
    }
    const sequenced = zeroCounts();
    const enqueued = zeroCounts();
    for (const row of stmts.counters.all()) {
      sequenced[row.class] = row.sequenced;
      enqueued[row.class] = row.enqueued;
    }
    return { classes, unacked, ackedSeq: metaNumber('sync_acked_seq'), lastSeq: metaNumber('sync_next_seq') - 1, sequenced, enqueued, compacted: { ...compacted } };
  }

  /**
   * What a session needs at its start, without `stats()`'s scan of every payload (seconds on a 1M-record
   * backlog, spent while the hub waits). `oldestMs` is the creation time of the first record by insertion
   * order: a hint for the hub's fleet view (a merged summary keeps its place, not its age).
   */
  function backlog(): BacklogSummary {
    const firsts = [stmts.outboxFirst.get()?.created_at, stmts.logFirst.get()?.created_at].filter((t): t is number => t !== undefined);
    return {
      records: (stmts.outboxCount.get()?.n ?? 0) + (stmts.logCount.get()?.n ?? 0),
      oldestMs: firsts.length > 0 ? Math.min(...firsts) : null,
      ackedSeq: metaNumber('sync_acked_seq'),
    };
  }

  return { enqueue, flush, discard, nextBatch, ack, stats, backlog, compacted, hlc };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
