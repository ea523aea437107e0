import { SUMMARY_WINDOWS_MS, type SummaryPayload } from '@outpost/protocols';
import { addValue, startStats, stddevOf, type SummaryStats } from './summary-stats.js';

export const SUMMARY_WINDOW_MS = SUMMARY_WINDOWS_MS[0];

export interface ClosedSummary {
  payload: SummaryPayload;
  /** Sum of squared deviations, kept beside the payload so later merges stay exact. */
  m2: number;
}

export interface WindowSummariesOptions {
  /** A window closes this long after its minute ends (commit latency between receipt and this hook). */
  graceMs: number;
  /** Bound on open windows; when full, the oldest-opened window is closed early (a partial summary). */
  maxOpenWindows: number;
}

interface OpenWindow extends SummaryStats {
  /** Values among `count` that the gateway filled in (adaptive reporting). */
  predictedCount: number;
  deviceId: string;
  metric: string;
  startMs: number;
  /** performance.now() at which the window closes: a wall clock that jumps cannot keep it open. */
  closeAtMono: number;
}

/**
 * 1-minute summaries per device and metric, from committed readings. Windows are keyed by the gateway's
 * receive time, not the device's timestamp, so a device with a wrong clock cannot open unbounded windows.
 * Memory is bounded by `maxOpenWindows` (policy when full: close the oldest-opened window early).
 */
export class WindowSummaries {
  readonly #open = new Map<string, OpenWindow>();
  readonly #options: WindowSummariesOptions;
  #closedEarly = 0;

  constructor(options: WindowSummariesOptions) {
    this.#options = options;
  }

  get openWindows(): number {
    return this.#open.size;
  }

  get closedEarly(): number {
    return this.#closedEarly;
  }

  /**
   * Add one reading; returns the summaries this closed (the previous window of a key, or an evicted one).
   * `predicted`: a value the gateway filled in; it counts in `count` and in `predictedCount`.
   */
  add(deviceId: string, receivedAt: number, metrics: Record<string, number>, closed: ClosedSummary[] = [], monoNow = performance.now(), predicted = false): ClosedSummary[] {
    const startMs = receivedAt - (receivedAt % SUMMARY_WINDOW_MS);
    for (const [metric, value] of Object.entries(metrics)) {
      if (!Number.isFinite(value)) continue;
      const key = `${deviceId}\u0000${metric}`;
      const open = this.#open.get(key);
      if (open && open.startMs === startMs) {
        addValue(open, value);
        if (predicted) open.predictedCount++;
        continue;
      }
      // A reading for a different minute (normally the next one) closes the previous window of this key.
      if (open) {
        this.#open.delete(key);
        closed.push(toSummary(open));
      }
      if (this.#open.size >= this.#options.maxOpenWindows) {
        const [oldestKey, oldest] = this.#open.entries().next().value as [string, OpenWindow];
        this.#open.delete(oldestKey);
        this.#closedEarly++;
        closed.push(toSummary(oldest));
      }
      const closeAtMono = monoNow + (startMs + SUMMARY_WINDOW_MS - receivedAt) + this.#options.graceMs;
      this.#open.set(key, { ...startStats(value), predictedCount: predicted ? 1 : 0, deviceId, metric, startMs, closeAtMono });
    }
    return closed;
  }

  /** Close every window whose minute ended more than graceMs ago (measured on the monotonic clock). */
  closeDue(monoNow = performance.now()): ClosedSummary[] {
    const closed: ClosedSummary[] = [];
    for (const [key, w] of this.#open) {
      if (w.closeAtMono > monoNow) continue;
      this.#open.delete(key);
      closed.push(toSummary(w));
    }
    return closed;
  }

  /**
   * Reopen a window saved at shutdown. Readings after the restart accumulate into it, and the summary
   * sent when it closes covers the whole window (the hub upserts by window, so it replaces the partial).
   */
  restore(deviceId: string, metric: string, startMs: number, stats: SummaryStats & { predictedCount?: number }, wallNow = Date.now(), monoNow = performance.now()): void {
    const key = `${deviceId}\u0000${metric}`;
    if (this.#open.has(key) || this.#open.size >= this.#options.maxOpenWindows) return;
    const closeAtMono = monoNow + Math.max(0, startMs + SUMMARY_WINDOW_MS - wallNow) + this.#options.graceMs;
    this.#open.set(key, { ...stats, predictedCount: stats.predictedCount ?? 0, deviceId, metric, startMs, closeAtMono });
  }

  /** Close everything (shutdown): a partial window is better than a lost one. */
  closeAll(): ClosedSummary[] {
    const closed = [...this.#open.values()].map(toSummary);
    this.#open.clear();
    return closed;
  }
}

function toSummary(w: OpenWindow): ClosedSummary {
  return {
    payload: {
      v: 1,
      deviceId: w.deviceId,
      metric: w.metric,
      windowStartMs: w.startMs,
      windowMs: SUMMARY_WINDOW_MS,
      count: w.count,
      min: w.min,
      max: w.max,
      mean: w.mean,
      last: w.last,
      stddev: stddevOf(w),
      predictedCount: w.predictedCount,
    },
    m2: w.m2,
  };
}
