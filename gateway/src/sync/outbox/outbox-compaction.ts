import { SUMMARY_WINDOWS_MS, type SummaryPayload } from '@outpost/protocols';
import type { Db } from '../../store/database.js';
import { mergeStats, stddevOf, type SummaryStats } from '../summaries/summary-stats.js';
import type { CompactionCounts } from './outbox-types.js';

interface SummaryRow {
  id: number;
  device_id: string;
  metric: string;
  window_start: number;
  window_ms: number;
  m2: number | null;
  created_at: number;
  hlc_wall: number;
  hlc_logical: number;
  payload: string;
}

/**
 * Budget-pressure steps on UNSEQUENCED outbox records only (the send log is never touched), in the order
 * retention applies them: raw readings, then summaries rolled up 1 min → 15 min → 1 h, then device state
 * down to the latest per device, then the oldest events, then the oldest hourly summaries. Alerts, audit,
 * usage and command results have no step: they are never dropped. Each step does a bounded chunk of work
 * and returns how many records it removed (0: nothing left to do here).
 */
export function createOutboxCompaction(db: Db, counts: CompactionCounts) {
  const stmts = {
    oldestOfClass: db.prepare<[string, number], { id: number }>('SELECT id FROM outbox WHERE class = ? ORDER BY id LIMIT 1 OFFSET ?'),
    deleteClassUpTo: db.prepare('DELETE FROM outbox WHERE class = ? AND id <= ?'),
    deleteClassOlder: db.prepare('DELETE FROM outbox WHERE class = ? AND created_at < ?'),
    summaries: db.prepare<[number, number], SummaryRow>(
      "SELECT id, device_id, metric, window_start, window_ms, m2, created_at, hlc_wall, hlc_logical, payload FROM outbox WHERE class = 'summary' AND window_ms = ? ORDER BY id LIMIT ?",
    ),
    sameWindow: db.prepare<[number, string, string, number], SummaryRow>(
      "SELECT id, device_id, metric, window_start, window_ms, m2, created_at, hlc_wall, hlc_logical, payload FROM outbox WHERE class = 'summary' AND window_ms = ? AND device_id = ? AND metric = ? AND window_start = ?",
    ),
    deleteId: db.prepare('DELETE FROM outbox WHERE id = ?'),
    insertSummary: db.prepare(
      "INSERT INTO outbox (id, class, priority, created_at, hlc_wall, hlc_logical, device_id, metric, window_start, window_ms, m2, payload) VALUES (?, 'summary', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    priorityOf: db.prepare<[number], { priority: number }>('SELECT priority FROM outbox WHERE id = ?'),
    olderStates: db.prepare(
      "DELETE FROM outbox WHERE class = 'deviceState' AND id NOT IN (SELECT MAX(id) FROM outbox WHERE class = 'deviceState' GROUP BY device_id)",
    ),
  };

  function dropOldest(dataClass: string, rows: number): number {
    // Fewer than `rows` left: the OFFSET probe finds none, so delete all of them.
    const edge = stmts.oldestOfClass.get(dataClass, rows - 1);
    return stmts.deleteClassUpTo.run(dataClass, edge ? edge.id : Number.MAX_SAFE_INTEGER).changes;
  }

  /**
   * Roll up to `rows` of the oldest `fromMs` summaries into `toMs` windows, merging exactly. Returns how
   * many `fromMs` records it consumed (progress: each becomes part of a coarser record).
   */
  function rollUp(fromMs: number, toMs: number, rows: number): number {
    const groups = new Map<string, SummaryRow[]>();
    for (const row of stmts.summaries.all(fromMs, rows)) {
      const start = row.window_start - (row.window_start % toMs);
      const key = `${row.device_id}\u0000${row.metric}\u0000${start}`;
      const group = groups.get(key) ?? [];
      group.push(row);
      groups.set(key, group);
    }
    let removed = 0;
    let consumed = 0;
    for (const group of groups.values()) {
      consumed += group.length;
      const first = group[0]!;
      const start = first.window_start - (first.window_start % toMs);
      // An unsequenced coarser record for the same window may exist from an earlier run: fold it in.
      const all = [...stmts.sameWindow.all(toMs, first.device_id, first.metric, start), ...group];
      all.sort((a, b) => a.window_start - b.window_start || a.id - b.id);
      const parsed = all.map((r) => ({ row: r, p: JSON.parse(r.payload) as SummaryPayload }));
      const merged = mergeStats(parsed.map(({ row, p }) => toStats(p, row.m2)));
      const predictedCount = parsed.reduce((n, { p }) => n + (p.predictedCount ?? 0), 0);
      const keepId = Math.min(...all.map((r) => r.id));
      const priority = stmts.priorityOf.get(keepId)!.priority;
      const newest = all.reduce((a, b) => (b.hlc_wall > a.hlc_wall || (b.hlc_wall === a.hlc_wall && b.hlc_logical > a.hlc_logical) ? b : a));
      for (const r of all) stmts.deleteId.run(r.id);
      const payload: SummaryPayload = {
        v: 1,
        deviceId: first.device_id,
        metric: first.metric,
        windowStartMs: start,
        windowMs: toMs as SummaryPayload['windowMs'],
        count: merged.count,
        min: merged.min,
        max: merged.max,
        mean: merged.mean,
        last: merged.last,
        stddev: stddevOf(merged),
        predictedCount,
      };
      // Keep the smallest id: the rolled-up record keeps its place (age) in the send order.
      stmts.insertSummary.run(
        keepId,
        priority,
        Math.min(...all.map((r) => r.created_at)),
        newest.hlc_wall,
        newest.hlc_logical,
        first.device_id,
        first.metric,
        start,
        toMs,
        merged.m2,
        JSON.stringify(payload),
      );
      removed += all.length - 1;
    }
    counts.summariesMerged += removed;
    return consumed;
  }

  return {
    /** Raw readings in the outbox age out with the store's raw readings. */
    ageOutRaw(cutoff: number): number {
      const n = stmts.deleteClassOlder.run('rawReading', cutoff).changes;
      counts.rawReadingsDropped += n;
      return n;
    },
    dropRaw(rows: number): number {
      const n = dropOldest('rawReading', rows);
      counts.rawReadingsDropped += n;
      return n;
    },
    /** 1 min → 15 min first; only when no 1-minute record is left, 15 min → 1 h. */
    compactSummaries(rows: number): number {
      const [minute, quarter, hour] = SUMMARY_WINDOWS_MS;
      return rollUp(minute, quarter, rows) || rollUp(quarter, hour, rows);
    },
    compactDeviceState(): number {
      const n = stmts.olderStates.run().changes;
      counts.deviceStatesCompacted += n;
      return n;
    },
    dropEvents(rows: number): number {
      const n = dropOldest('event', rows);
      counts.eventsDropped += n;
      return n;
    },
    dropHourlySummaries(rows: number): number {
      const edge = stmts.summaries.all(SUMMARY_WINDOWS_MS[2], rows);
      for (const r of edge) stmts.deleteId.run(r.id);
      counts.summariesDropped += edge.length;
      return edge.length;
    },
  };
}

function toStats(p: SummaryPayload, m2: number | null): SummaryStats {
  // m2 is stored beside the payload; an old record without it is recovered from the stddev.
  return { count: p.count, min: p.min, max: p.max, mean: p.mean, last: p.last, m2: m2 ?? p.stddev * p.stddev * p.count };
}

export type OutboxCompaction = ReturnType<typeof createOutboxCompaction>;
