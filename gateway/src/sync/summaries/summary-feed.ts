import type { Db } from '../../store/database.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { WriteRow } from '../../store/write-rows.js';
import type { Logger } from '../../observability/logger.js';
import { type ClosedSummary, WindowSummaries, type WindowSummariesOptions } from './window-summaries.js';

const CLOSE_TICK_MS = 1000;

interface PartialRow {
  device_id: string;
  metric: string;
  window_start: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  m2: number;
  last: number;
}

/**
 * Feeds committed readings into the 1-minute windows and writes closed windows to the outbox as
 * `summary` records (through the store writer, so they share its transactions and disk budget).
 * At shutdown, open windows are sent as partial summaries and saved; the next start reopens them, so the
 * final summary of that minute is complete and replaces the partial one at the hub.
 */
export function createSummaryFeed(db: Db, writer: StoreWriter, options: WindowSummariesOptions, log: Logger) {
  const windows = new WindowSummaries(options);
  const restored = db.prepare<[], PartialRow>('SELECT * FROM summary_partials').all();
  for (const p of restored) windows.restore(p.device_id, p.metric, p.window_start, { count: p.count, min: p.min, max: p.max, mean: p.mean, m2: p.m2, last: p.last });
  if (restored.length > 0) db.prepare('DELETE FROM summary_partials').run();
  let written = 0;

  function write(closed: ClosedSummary[], partial = false): void {
    const createdAt = Date.now();
    for (const { payload, m2 } of closed) {
      const row: WriteRow = {
        k: 'summary',
        deviceId: payload.deviceId,
        metric: payload.metric,
        windowStartMs: payload.windowStartMs,
        windowMs: payload.windowMs,
        createdAt,
        m2,
        payload: JSON.stringify(payload),
      };
      writer.write(row, (err) => err && log.error({ err, deviceId: payload.deviceId, metric: payload.metric }, 'summary not stored'));
      written++;
      if (!partial) continue;
      const { deviceId, metric, windowStartMs, count, min, max, mean, last } = payload;
      writer.write({ k: 'summaryPartial', deviceId, metric, windowStartMs, count, min, max, mean, m2, last }, (err) => err && log.error({ err }, 'partial window not saved'));
    }
  }

  const timer = setInterval(() => write(windows.closeDue()), CLOSE_TICK_MS);
  timer.unref();

  return {
    windows,
    get written(): number {
      return written;
    },
    /** The store writer's onCommit hook: committed readings only, so a refused reading never counts. */
    onCommit(rows: readonly WriteRow[]): void {
      const closed: ClosedSummary[] = [];
      for (const row of rows) {
        if (row.k !== 'reading') continue;
        windows.add(row.deviceId, row.receivedAt, JSON.parse(row.metrics) as Record<string, number>, closed);
      }
      if (closed.length > 0) write(closed);
    },
    /** Write every open window (as partial summaries, saved for the next start); call before the writer closes. */
    close(): void {
      clearInterval(timer);
      write(windows.closeAll(), true);
    },
  };
}

export type SummaryFeed = ReturnType<typeof createSummaryFeed>;
