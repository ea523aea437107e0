import type { Db } from './database.js';
import type { RetentionResult, StoreUsage, WriterOptions } from './write-rows.js';

const CHUNK_ROWS = 5000;
const MAX_CHUNKS_PER_RUN = 200;
/** Budget retention frees down to this fraction of the budget so it does not run on every commit. */
const LOW_WATER = 0.9;

/**
 * Retention by age and by disk budget. Raw readings go first, oldest first (ids grow with receipt time).
 * When the budget is exhausted and no raw readings are left to delete, the store reports itself full
 * and the ingest path refuses new raw readings with E_STORE_FULL.
 */
export function createRetention(db: Db, options: Pick<WriterOptions, 'maxBytes' | 'maxAgeMs'>) {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const stmts = {
    pageCount: db.prepare('PRAGMA page_count').pluck(),
    freeCount: db.prepare('PRAGMA freelist_count').pluck(),
    nthOldest: db.prepare<[number], { id: number; received_at: number }>('SELECT id, received_at FROM readings ORDER BY id LIMIT 1 OFFSET ?'),
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

  function deleteByBudget(): number {
    let deleted = 0;
    for (let i = 0; i < MAX_CHUNKS_PER_RUN && usedBytes() > options.maxBytes * LOW_WATER; i++) {
      const edge = stmts.nthOldest.get(CHUNK_ROWS - 1);
      deleted += stmts.deleteUpTo.run(edge ? edge.id : Number.MAX_SAFE_INTEGER).changes;
      if (!edge) break; // every raw reading is gone
    }
    return deleted;
  }

  function run(now: number): RetentionResult {
    const deletedByAge = db.transaction(() => deleteByAge(now - options.maxAgeMs))();
    const deletedByBudget = usedBytes() > options.maxBytes ? deleteByBudget() : 0;
    const used = usedBytes();
    full = used > options.maxBytes;
    return { usedBytes: used, maxBytes: options.maxBytes, full, deletedByAge, deletedByBudget };
  }

  return { run, usage };
}
