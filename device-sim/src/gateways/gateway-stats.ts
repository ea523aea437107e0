import type { SecondLine } from '../load/load-options.js';
import { type LatencySummaryMs, median, summarizeLatency } from '../load/load-stats.js';
import { createLatencyHistogram } from '../load/worker-counters.js';

const MAX_ERROR_SAMPLES = 20;

/** Run-wide counters of the simulated gateways. Records count once when first sent; resends apart. */
export interface GatewayLoadTotals {
  /** Stream calls started (first connects and reconnects). */
  streamAttempts: number;
  /** Streams that got a Welcome. */
  streamsOpened: number;
  /** Gateways that got a Welcome at least once. */
  gatewaysConnected: number;
  peakConnected: number;
  sent: number;
  resent: number;
  acked: number;
  /** Acked by a later Welcome: the hub had applied them but the Ack was lost with the stream. */
  ackedOnWelcome: number;
  batchesSent: number;
  batchesAcked: number;
  /** Rate mode: records not generated because the gateway already owed `maxBacklogRecords`. */
  skipped: number;
  /** Hub Error messages and abnormal stream ends; by code in `errorsByCode`. */
  errors: number;
  errorsByCode: Record<string, number>;
  commands: number;
  commandsDuplicate: number;
  commandsExpired: number;
  desiredStates: number;
  desiredStatesStale: number;
}

type Counter = Exclude<keyof GatewayLoadTotals, 'errorsByCode' | 'peakConnected' | 'errors'>;

const zero = (): GatewayLoadTotals => ({
  streamAttempts: 0,
  streamsOpened: 0,
  gatewaysConnected: 0,
  peakConnected: 0,
  sent: 0,
  resent: 0,
  acked: 0,
  ackedOnWelcome: 0,
  batchesSent: 0,
  batchesAcked: 0,
  skipped: 0,
  errors: 0,
  errorsByCode: {},
  commands: 0,
  commandsDuplicate: 0,
  commandsExpired: 0,
  desiredStates: 0,
  desiredStatesStale: 0,
});

/** Counters, the connected gauge and the batch send→ack histogram (µs), turned into per-second lines and totals. */
export class GatewayStats {
  connected = 0;
  readonly total = zero();
  #second = { sent: 0, acked: 0, errors: 0 };
  #secondLatency = createLatencyHistogram();
  readonly #totalLatency = createLatencyHistogram();
  readonly #welcomeLatency = createLatencyHistogram();
  readonly #lines: (SecondLine & { steady: boolean })[] = [];
  readonly #samples = new Set<string>();

  count(counter: Counter, n = 1): void {
    this.total[counter] += n;
    if (counter === 'sent' || counter === 'acked') this.#second[counter] += n;
  }

  /** A hub Error message or an abnormal stream end, by wire code or gRPC status name. */
  error(code: string, message: string): void {
    this.total.errors++;
    this.total.errorsByCode[code] = (this.total.errorsByCode[code] ?? 0) + 1;
    this.#second.errors++;
    if (this.#samples.size < MAX_ERROR_SAMPLES) this.#samples.add(`${code}: ${message}`.slice(0, 300));
  }

  connectedDelta(delta: 1 | -1): void {
    this.connected += delta;
    this.total.peakConnected = Math.max(this.total.peakConnected, this.connected);
  }

  batchAcked(latencyMs: number): void {
    const us = Math.max(1, Math.round(latencyMs * 1000));
    this.#secondLatency.recordValue(us);
    this.#totalLatency.recordValue(us);
    this.total.batchesAcked++;
  }

  /** Stream start → Welcome: how long the hub takes to let a gateway in (it grows when the hub is saturated). */
  welcomed(latencyMs: number): void {
    this.#welcomeLatency.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  /** Close the current second; `steady` marks seconds with every gateway started and none stopping. */
  closeSecond(elapsedMs: number, steady: boolean): SecondLine & { steady: boolean } {
    const lat = summarizeLatency(this.#secondLatency);
    const line = {
      second: this.#lines.length + 1,
      connected: this.connected,
      ...this.#second,
      // A closing partial second counts as a whole one: a few ms would otherwise read as a huge rate.
      msgPerSec: Math.round((this.#second.acked * 1000) / Math.max(elapsedMs, 1000)),
      p50Ms: lat?.p50 ?? null,
      p99Ms: lat?.p99 ?? null,
      steady,
    };
    this.#lines.push(line);
    this.#second = { sent: 0, acked: 0, errors: 0 };
    this.#secondLatency = createLatencyHistogram();
    return line;
  }

  get seconds(): readonly (SecondLine & { steady: boolean })[] {
    return this.#lines;
  }

  get errorSamples(): string[] {
    return [...this.#samples];
  }

  /** Acked records per second: median over the steady seconds (overall mean when there were none), and the mean. */
  recordsPerSec(elapsedMs: number): { median: number; mean: number; steadySeconds: number } {
    const steady = this.#lines.filter((l) => l.steady).map((l) => l.msgPerSec);
    const mean = elapsedMs > 0 ? Math.round((this.total.acked * 1000) / elapsedMs) : 0;
    return { median: steady.length > 0 ? Math.round(median(steady)) : mean, mean, steadySeconds: steady.length };
  }

  latency(): LatencySummaryMs | null {
    return summarizeLatency(this.#totalLatency);
  }

  welcomeLatency(): LatencySummaryMs | null {
    return summarizeLatency(this.#welcomeLatency);
  }
}
