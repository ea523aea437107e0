import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram } from './worker-counters.js';
import type { SecondLine } from './load-options.js';
import type { DeviceResult, IntervalStats } from './worker-protocol.js';

export interface LoadTotals {
  connectAttempts: number;
  /** Devices that connected at least once. */
  firstConnects: number;
  /** Most devices connected at the same time during the run. */
  peakConnected: number;
  connectErrors: number;
  disconnects: number;
  sent: number;
  acked: number;
  publishErrors: number;
  /** Rate ticks dropped because the device's in-flight window was full. */
  skipped: number;
  /** QoS 1 publishes still without a PUBACK when the devices closed. */
  unackedAtClose: number;
  errors: number;
}

export interface LatencySummaryMs {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LoadReport {
  startedAt: string;
  elapsedMs: number;
  settings: Record<string, unknown>;
  totals: LoadTotals;
  /** Median msg/s over the steady seconds (all connected, none finished, not stopping); overall mean if there were none. */
  msgPerSec: { median: number; mean: number; steadySeconds: number };
  /** publish→PUBACK over the whole run (QoS 1 only; null at QoS 0). */
  latencyMs: LatencySummaryMs | null;
  seconds: (SecondLine & { steady: boolean })[];
  /** Per device: highest seq sent and acked, so a loss audit can check the store. */
  devices: DeviceResult[];
  errorSamples: string[];
  /** Workers that did not finish within the time bound and were terminated. */
  workersTerminated: number;
}

type Deltas = Omit<IntervalStats, 'connected' | 'pendingConnects' | 'finished' | 'latencyUs'>;
const zeroDeltas = (): Deltas => ({ connectAttempts: 0, firstConnects: 0, connectErrors: 0, disconnects: 0, sent: 0, acked: 0, publishErrors: 0, skipped: 0 });

function addDeltas(into: Deltas, from: Deltas): void {
  for (const key of Object.keys(into) as (keyof Deltas)[]) into[key] += from[key];
}

const errorsOf = (d: Deltas) => d.connectErrors + d.disconnects + d.publishErrors;
const ms = (us: number) => Math.round(us) / 1000;

export function summarizeLatency(h: Histogram): LatencySummaryMs | null {
  if (h.totalCount === 0) return null;
  const at = (p: number) => ms(h.getValueAtPercentile(p));
  return { count: h.totalCount, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: ms(h.maxValue) };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Merges worker snapshots into per-second lines and the final report (main thread). */
export class LoadStats {
  private readonly gauges = new Map<number, Pick<IntervalStats, 'connected' | 'pendingConnects' | 'finished'>>();
  private second = zeroDeltas();
  private secondLatency = createLatencyHistogram();
  private readonly total = zeroDeltas();
  private readonly totalLatency = createLatencyHistogram();
  private readonly lines: (SecondLine & { steady: boolean })[] = [];
  private peakConnected = 0;
  private pendingAtSecondStart = Infinity;

  constructor(private readonly qos: 0 | 1) {}

  add(workerIndex: number, stats: IntervalStats): void {
    const { connected, pendingConnects, finished, latencyUs, ...deltas } = stats;
    this.gauges.set(workerIndex, { connected, pendingConnects, finished });
    this.peakConnected = Math.max(this.peakConnected, this.gauge('connected'));
    addDeltas(this.second, deltas);
    addDeltas(this.total, deltas);
    const h = decodeFromCompressedBase64(latencyUs);
    this.secondLatency.add(h);
    this.totalLatency.add(h);
  }

  private gauge(key: 'connected' | 'pendingConnects' | 'finished'): number {
    let sum = 0;
    for (const g of this.gauges.values()) sum += g[key];
    return sum;
  }

  /** Close the current second; `stopping` marks seconds that overlap the stop, which are never steady. */
  closeSecond(elapsedMs: number, stopping: boolean): SecondLine & { steady: boolean } {
    const connected = this.gauge('connected');
    const pending = this.gauge('pendingConnects');
    const d = this.second;
    const lat = summarizeLatency(this.secondLatency);
    const count = this.qos === 1 ? d.acked : d.sent;
    const line = {
      second: this.lines.length + 1,
      connected,
      sent: d.sent,
      acked: d.acked,
      errors: errorsOf(d),
      msgPerSec: elapsedMs > 0 ? Math.round((count * 1000) / elapsedMs) : 0,
      p50Ms: lat?.p50 ?? null,
      p99Ms: lat?.p99 ?? null,
      steady: !stopping && this.pendingAtSecondStart === 0 && pending === 0 && this.gauge('finished') === 0,
    };
    this.pendingAtSecondStart = pending;
    this.lines.push(line);
    this.second = zeroDeltas();
    this.secondLatency = createLatencyHistogram();
    return line;
  }

  report(input: { startedAt: Date; elapsedMs: number; settings: Record<string, unknown>; devices: DeviceResult[]; unackedAtClose: number; errorSamples: string[]; workersTerminated: number }): LoadReport {
    const t = this.total;
    const steady = this.lines.filter((l) => l.steady).map((l) => l.msgPerSec);
    const mean = input.elapsedMs > 0 ? Math.round(((this.qos === 1 ? t.acked : t.sent) * 1000) / input.elapsedMs) : 0;
    return {
      startedAt: input.startedAt.toISOString(),
      elapsedMs: Math.round(input.elapsedMs),
      settings: input.settings,
      totals: {
        ...t,
        peakConnected: this.peakConnected,
        unackedAtClose: input.unackedAtClose,
        errors: errorsOf(t),
      },
      msgPerSec: { median: steady.length > 0 ? Math.round(median(steady)) : mean, mean, steadySeconds: steady.length },
      latencyMs: summarizeLatency(this.totalLatency),
      seconds: this.lines,
      devices: input.devices,
      errorSamples: input.errorSamples,
      workersTerminated: input.workersTerminated,
    };
  }
}
