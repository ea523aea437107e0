import type { Db } from '../../store/database.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { WriteRow } from '../../store/write-rows.js';
import type { Logger } from '../../observability/logger.js';
import { type ClosedSummary, SUMMARY_WINDOW_MS, WindowSummaries, type WindowSummariesOptions } from './window-summaries.js';

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
  predicted_count: number;
}

/**
 * Feeds committed readings into the 1-minute windows and writes closed windows to the outbox as
 * `summary` records (through the store writer, so they share its transactions and disk budget).
 * At shutdown, open windows are sent as partial summaries and saved; the next start reopens them, so the
 * final summary of that minute is complete and replaces the partial one at the hub.
 *
 * After a crash (SIGKILL, power loss) nothing was saved: the open windows are rebuilt from the stored
 * readings of the last two minutes before the crash. A window that had already closed is rebuilt from the
 * same readings and sent again; the hub upserts summaries by window, so that costs a record, not a count.
 */
export function createSummaryFeed(db: Db, writer: StoreWriter, options: WindowSummariesOptions, log: Logger) {
  const windows = new WindowSummaries(options);
  const running = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = '${RUNNING_KEY}'`).get()?.value === '1';
  const restored = db.prepare<[], PartialRow>('SELECT * FROM summary_partials').all();
  for (const p of restored) windows.restore(p.device_id, p.metric, p.window_start, { count: p.count, min: p.min, max: p.max, mean: p.mean, m2: p.m2, last: p.last, predictedCount: p.predicted_count });
  if (restored.length > 0) db.prepare('DELETE FROM summary_partials').run();
  let written = 0;
  const rebuilt = running && restored.length === 0 ? rebuildAfterCrash(db, windows) : { readings: 0, closed: [] };
  if (rebuilt.readings > 0) log.warn({ event: 'summaries-rebuilt', readings: rebuilt.readings, windows: windows.openWindows }, 'unclean shutdown: open summary windows rebuilt from stored readings');
  db.prepare(`INSERT INTO meta (key, value) VALUES ('${RUNNING_KEY}', '1') ON CONFLICT (key) DO UPDATE SET value = '1'`).run();

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
      const { deviceId, metric, windowStartMs, count, min, max, mean, last, predictedCount } = payload;
      writer.write({ k: 'summaryPartial', deviceId, metric, windowStartMs, count, min, max, mean, m2, last, predictedCount }, (err) => err && log.error({ err }, 'partial window not saved'));
    }
  }

  if (rebuilt.closed.length > 0) write(rebuilt.closed);
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
        windows.add(row.deviceId, row.receivedAt, JSON.parse(row.metrics) as Record<string, number>, closed, undefined, row.predicted === true);
      }
      if (closed.length > 0) write(closed);
    },
    /** Write every open window (as partial summaries, saved for the next start); call before the writer closes. */
    close(): void {
      clearInterval(timer);
      write(windows.closeAll(), true);
    },
    /** After the writer has committed the partial windows and closed: the next start is a clean one. */
    markClean(): void {
      db.prepare(`UPDATE meta SET value = '0' WHERE key = '${RUNNING_KEY}'`).run();
    },
  };
}

/** meta key: '1' from start until a clean shutdown has saved the open windows. */
const RUNNING_KEY = 'summaries_running';

/** Feed the readings of the last two minutes before the crash back into the windows. */
function rebuildAfterCrash(db: Db, windows: WindowSummaries): { readings: number; closed: ClosedSummary[] } {
  // By row id, newest first, until the two minutes are behind us: no scan of the whole table.
  let since: number | null = null;
  let fromId = 0;
  for (const row of db.prepare<[], { id: number; received_at: number }>('SELECT id, received_at FROM readings ORDER BY id DESC').iterate()) {
    since ??= row.received_at - (row.received_at % SUMMARY_WINDOW_MS) - SUMMARY_WINDOW_MS;
    if (row.received_at < since) break;
    fromId = row.id;
  }
  if (since === null) return { readings: 0, closed: [] };
  const closed: ClosedSummary[] = [];
  let readings = 0;
  const rows = db
    .prepare<[number, number], { device_id: string; received_at: number; metrics: string; predicted: number }>('SELECT device_id, received_at, metrics, predicted FROM readings WHERE id >= ? AND received_at >= ? ORDER BY id')
    .iterate(fromId, since);
  for (const row of rows) {
    windows.add(row.device_id, row.received_at, JSON.parse(row.metrics) as Record<string, number>, closed, undefined, row.predicted === 1);
    readings++;
  }
  return { readings, closed };
}
