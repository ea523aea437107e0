import type { OutboxCompaction } from '../sync/outbox/outbox-compaction.js';
import type { Db } from './database.js';
import type { RetentionResult, StoreUsage, WriterOptions } from './write-rows.js';

const CHUNK_ROWS = 5000;
const MAX_CHUNKS_PER_RUN = 200;
/** Budget retention frees down to this fraction of the budget so it does not run on every commit. */
const LOW_WATER = 0.9;

/**
 * Retention by age and by disk budget, one budget for the readings store and the sync outbox. Under
 * pressure, in this order: raw readings (store rows, oldest first, and raw-reading outbox records); then
 * unsequenced summaries rolled up 1 min → 15 min → 1 h; then device state down to the latest per device;
 * then the oldest events; then the oldest hourly summaries. Alerts, audit, usage and command results are
 * never dropped, and nothing already sequenced is touched. When the budget is still exhausted, the store
 * reports itself full and the ingest path refuses new raw readings with E_STORE_FULL.
 */
export function createRetention(db: Db, options: Pick<WriterOptions, 'maxBytes' | 'maxAgeMs'>, compaction?: OutboxCompaction) {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const stmts = {
    pageCount: db.prepare('PRAGMA page_count').pluck(),
    freeCount: db.prepare('PRAGMA freelist_count').pluck(),
    nthOldest: db.prepare<[number], { id: number; received_at: number }>('SELECT id, received_at FROM readings ORDER BY id LIMIT 1 OFFSET ?'),
    idRange: db.prepare<[], { min_id: number | null; max_id: number | null }>('SELECT MIN(id) AS min_id, MAX(id) AS max_id FROM readings'),
    deleteUpTo: db.prepare('DELETE FROM readings WHERE id <= ?'),
    deleteOldBelow: db.prepare('DELETE FROM readings WHERE id < ? AND received_at < ?'),
    oldEvents: db.prepare('DELETE FROM device_events WHERE received_at < ?'),
    oldResults: db.prepare('DELETE FROM command_results WHERE received_at < ?'),
  };
  let full = false;

  function usedBytes(): number {
    return ((stmts.pageCount.get() as number) - (stmts.freeCount.get() as number)) * pageSize;
  }

  function usage(): StoreUsage {
    return { usedBytes: usedBytes(), maxBytes: options.maxBytes, full };
  }

  function deleteByAge(cutoff: number): number {
    let deleted = 0;
    for (let i = 0; i < MAX_CHUNKS_PER_RUN; i++) {
      const edge = stmts.nthOldest.get(CHUNK_ROWS - 1);
      if (edge && edge.received_at < cutoff) {
        deleted += stmts.deleteUpTo.run(edge.id).changes;
        continue;
      }
      // Fewer than a chunk of old rows left: delete them with a bounded scan.
      deleted += stmts.deleteOldBelow.run(edge ? edge.id : Number.MAX_SAFE_INTEGER, cutoff).changes;
      break;
    }
    stmts.oldEvents.run(cutoff);
    stmts.oldResults.run(cutoff);
    return deleted;
  }

  // Per budget run: what was removed, by kind.
  let readingsDeleted = 0;
  let outboxRemoved = 0;

  function deleteRawChunk(): number {
    const used = usedBytes();
    const target = options.maxBytes * LOW_WATER;
    const outbox = compaction?.dropRaw(CHUNK_ROWS) ?? 0;
    outboxRemoved += outbox;
    const { min_id: minId, max_id: maxId } = stmts.idRange.get()!;
    if (minId === null || maxId === null) return outbox; // every raw reading is gone
    // Delete about the share of readings that is over the target (ids are dense, so the id range counts
    // them), never a whole chunk from a small store. Readings are only part of the bytes, so this
    // undershoots and the loop goes on; it cannot wipe readings the budget did not need gone.
    const rows = Math.min(CHUNK_ROWS, Math.max(1, Math.ceil(((maxId - minId + 1) * Math.max(0, used - target)) / Math.max(1, used))));
    const edge = stmts.nthOldest.get(rows - 1);
    const deleted = stmts.deleteUpTo.run(edge ? edge.id : maxId).changes;
    readingsDeleted += deleted;
    return outbox + deleted;
  }

  function deleteByBudget(): { readings: number; outbox: number } {
    const target = options.maxBytes * LOW_WATER;
    readingsDeleted = 0;
    outboxRemoved = 0;
    const counted = (step: () => number) => () => {
      const n = step();
      outboxRemoved += n;
      return n;
    };
    const steps: (() => number)[] = [deleteRawChunk];
    if (compaction) {
      steps.push(
        counted(() => compaction.compactSummaries(CHUNK_ROWS)),
        counted(() => compaction.compactDeviceState()),
        counted(() => compaction.dropEvents(CHUNK_ROWS)),
        counted(() => compaction.dropHourlySummaries(CHUNK_ROWS)),
      );
    }
    let step = 0;
    for (let i = 0; i < MAX_CHUNKS_PER_RUN && step < steps.length; i++) {
      if (usedBytes() <= target) break;
      // A step that made no progress has nothing left to give: go on to the next one.
      if (db.transaction(steps[step]!)() === 0) step++;
    }
    return { readings: readingsDeleted, outbox: outboxRemoved };
  }

  function run(now: number): RetentionResult {
    const deletedByAge = db.transaction(() => {
      compaction?.ageOutRaw(now - options.maxAgeMs);
      return deleteByAge(now - options.maxAgeMs);
    })();
    const byBudget = usedBytes() > options.maxBytes ? deleteByBudget() : { readings: 0, outbox: 0 };
    const used = usedBytes();
    full = used > options.maxBytes;
    return { usedBytes: used, maxBytes: options.maxBytes, full, deletedByAge, deletedByBudget: byBudget.readings, outboxCompacted: byBudget.outbox };
  }

  return { run, usage };
}
