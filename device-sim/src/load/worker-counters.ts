import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { IntervalStats } from './worker-protocol.js';

const MAX_ERROR_SAMPLES = 20;

export type ErrorKind = 'connect' | 'publish' | 'disconnect';

/** Latency histograms record microseconds from 1 µs up to an hour, at 3 significant digits. */
export function createLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

/** One worker's counters. Deltas reset at each snapshot; gauges are kept by the worker and passed in. */
export class WorkerCounters {
  connectAttempts = 0;
  firstConnects = 0;
  connectErrors = 0;
  disconnects = 0;
  sent = 0;
  acked = 0;
  publishErrors = 0;
  skipped = 0;
  connected = 0;
  private readonly latency = createLatencyHistogram();
  private readonly samples = new Set<string>();

  recordAck(latencyUs: number): void {
    this.acked++;
    this.latency.recordValue(Math.max(1, Math.round(latencyUs)));
  }

  recordError(kind: ErrorKind, err: unknown): void {
    if (kind === 'connect') this.connectErrors++;
    else if (kind === 'publish') this.publishErrors++;
    else this.disconnects++;
    // Keep a few distinct messages so a failed run says why without flooding memory.
    if (this.samples.size < MAX_ERROR_SAMPLES) this.samples.add(`${kind}: ${err instanceof Error ? err.message : String(err)}`);
  }

  errorSamples(): string[] {
    return [...this.samples];
  }

  /** Take the interval's deltas and histogram, leaving zeroes behind. */
  take(gauges: { pendingConnects: number; finished: number }): IntervalStats {
    const stats: IntervalStats = {
      connected: this.connected,
      pendingConnects: gauges.pendingConnects,
      finished: gauges.finished,
      connectAttempts: this.connectAttempts,
      firstConnects: this.firstConnects,
      connectErrors: this.connectErrors,
      disconnects: this.disconnects,
      sent: this.sent,
      acked: this.acked,
      publishErrors: this.publishErrors,
      skipped: this.skipped,
      latencyUs: encodeIntoCompressedBase64(this.latency),
    };
    this.connectAttempts = this.firstConnects = this.connectErrors = this.disconnects = 0;
    this.sent = this.acked = this.publishErrors = this.skipped = 0;
    this.latency.reset();
    return stats;
  }
}
