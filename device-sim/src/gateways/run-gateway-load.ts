import { DATA_CLASS_NAMES, type DataClass } from '@outpost/protocols';
import { performance } from 'node:perf_hooks';
import type { SecondLine } from '../load/load-options.js';
import type { LatencySummaryMs } from '../load/load-stats.js';
import { type AuditTarget, type GatewayAuditReport, runGatewayAudit } from './gateway-audit.js';
import { type GatewayLoadOptions, resolveGatewayLoadOptions } from './gateway-load-options.js';
import { type GatewayLoadTotals, GatewayStats } from './gateway-stats.js';
import { gatewayCounts, type HubGatewayCounts } from './hub-api.js';
import { OutboxWindow } from './outbox-window.js';
import { type PreparedGateways, prepareGateways } from './prepare-gateways.js';
import { RecordGenerator } from './record-generator.js';
import { runBounded } from './run-bounded.js';
import { type GatewayState, SimulatedGateway } from './simulated-gateway.js';

const TICK_MS = 50;

export interface GatewayResult {
  gatewayId: string;
  name: string;
  state: GatewayState;
  sessions: number;
  /** Seqs: where this run started (the first Welcome), the last one sent, the last one acked. */
  baseSeq: number;
  lastSeq: number;
  ackedSeq: number;
  unackedAtClose: number;
  /** Records of this run acked, by class. */
  ackedByClass: Record<DataClass, number>;
  finalError: string | null;
}

export interface GatewayLoadReport {
  startedAt: string;
  /** From the first connect to the stop; the drain after it is `drainMs`. */
  elapsedMs: number;
  drainMs: number;
  settings: Record<string, unknown>;
  enrollment: PreparedGateways['enrollment'];
  totals: GatewayLoadTotals & { gateways: number; refused: number; failed: number; unackedAtClose: number };
  /** Acked records per second: median over the steady seconds (every gateway started, not stopping); mean over run and drain. */
  recordsPerSec: { median: number; mean: number; steadySeconds: number };
  /** Batch send → ack over the whole run. */
  latencyMs: LatencySummaryMs | null;
  /** Stream start → Welcome, every stream of the run. */
  welcomeLatencyMs: LatencySummaryMs | null;
  seconds: (SecondLine & { steady: boolean })[];
  gateways: GatewayResult[];
  audit: GatewayAuditReport | null;
  errorSamples: string[];
}

const zeroCounts = (gatewayId: string): HubGatewayCounts => {
  const zero = Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, 0])) as Record<DataClass, number>;
  return { gatewayId, appliedSeq: 0, duplicatesSkipped: 0, quarantined: 0, batches: 0, records: zero, rows: { ...zero } };
};

/**
 * N simulated gateways speaking the sync protocol to a running hub: enroll (or reuse saved credentials),
 * connect on a ramp, stream batches at a rate or as fast as acks allow, answer the downlink, reconnect with
 * jittered backoff; after the duration, deliver what is unacked (bounded by `drainTimeoutMs`), close, and
 * audit every gateway's counts at the hub.
 */
export async function runGatewayLoad(input: GatewayLoadOptions): Promise<GatewayLoadReport> {
  const o = resolveGatewayLoadOptions(input);
  const prepared = await prepareGateways(o);
  const { count, credentials, clients, clientFor } = prepared;
  try {
    const baselines = new Map<string, HubGatewayCounts>();
    if (o.audit && o.hubApi) {
      const api = o.hubApi;
      const reused = credentials.slice(0, prepared.enrollment.reused);
      await runBounded(reused, o.concurrency, async (c) => void baselines.set(c.gatewayId, await gatewayCounts(api, c.gatewayId)));
    }
    const stats = new GatewayStats();
    const gateways = credentials.map((credential, i) => {
      const window = new OutboxWindow(new RecordGenerator(i, o.devicesPerGateway, o.mix, o.seed), o);
      return new SimulatedGateway(credential, clientFor(i), window, o, stats);
    });
    o.onLog?.(`${count} gateways → ${o.hub} over ${clients.length} channels, ${o.ratePerGateway === 0 ? 'as fast as acks allow' : `${o.ratePerGateway} records/s each`}`);

    const startedAt = new Date();
    const runStart = performance.now();
    let started = 0;
    let stopping = false;
    let stopReason = 'duration';
    let lastTick = runStart;
    let lastSecond = runStart;
    let allStartedAtSecondStart = false;
    const closeSecond = (now: number) => {
      o.onSecond?.(stats.closeSecond(now - lastSecond, allStartedAtSecondStart && !stopping));
      allStartedAtSecondStart = started === count;
      lastSecond = now;
    };
    const tick = () => {
      const now = performance.now();
      const due = o.connectRatePerSec === 0 ? count : Math.min(count, Math.floor(((now - runStart) / 1000) * o.connectRatePerSec) + 1);
      while (!stopping && started < due) gateways[started++]!.start(now);
      for (let i = 0; i < started; i++) gateways[i]!.tick(now, now - lastTick);
      lastTick = now;
      if (now - lastSecond >= 1000) closeSecond(now);
    };
    const timer = setInterval(tick, TICK_MS);
    tick();
    await new Promise<void>((resolve) => {
      const stop = (reason: string) => {
        stopReason = reason;
        clearTimeout(limit);
        o.signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const limit = setTimeout(() => stop('duration'), o.durationMs);
      const onAbort = () => stop('aborted');
      o.signal?.addEventListener('abort', onAbort, { once: true });
      if (o.signal?.aborted) onAbort();
    });
    stopping = true;
    const stoppedAt = performance.now();
    for (const g of gateways) g.window.stopProducing();
    while (performance.now() - stoppedAt < o.drainTimeoutMs && !gateways.every((g) => g.drained)) await new Promise((r) => setTimeout(r, TICK_MS));
    const drainMs = performance.now() - stoppedAt;
    clearInterval(timer);
    // The last line holds the drain; it is closed before the streams are, so it still shows them connected.
    closeSecond(performance.now());
    await Promise.all(gateways.map((g) => g.close()));

    let audit: GatewayAuditReport | null = null;
    if (o.audit && o.hubApi) {
      o.onLog?.(`auditing ${count} gateways through ${o.hubApi.url}…`);
      const targets: AuditTarget[] = gateways.map((g) => ({ gatewayId: g.credential.gatewayId, name: g.credential.name, window: g.window, baseline: baselines.get(g.credential.gatewayId) ?? zeroCounts(g.credential.gatewayId) }));
      audit = await runGatewayAudit(o.hubApi, targets, o.concurrency);
    }
    const results: GatewayResult[] = gateways.map((g) => ({
      gatewayId: g.credential.gatewayId,
      name: g.credential.name,
      state: g.state,
      sessions: g.sessions,
      baseSeq: g.window.baseSeq,
      lastSeq: g.window.lastSeq,
      ackedSeq: g.window.ackedSeq,
      unackedAtClose: g.window.unackedRecords,
      ackedByClass: { ...g.window.ackedByClass },
      finalError: g.finalError,
    }));
    const elapsedMs = stoppedAt - runStart;
    return {
      startedAt: startedAt.toISOString(),
      elapsedMs: Math.round(elapsedMs),
      drainMs: Math.round(drainMs),
      settings: {
        hub: o.hub,
        count,
        channels: clients.length,
        ratePerGateway: o.ratePerGateway === 0 ? 'as fast as acks allow' : o.ratePerGateway,
        batchRecords: o.batchRecords,
        inFlightBatches: o.inFlightBatches,
        mix: o.mix,
        devicesPerGateway: o.devicesPerGateway,
        connectRatePerSec: o.connectRatePerSec,
        durationMs: o.durationMs,
        flushIntervalMs: o.flushIntervalMs,
        seed: o.seed,
        stopReason,
      },
      enrollment: prepared.enrollment,
      totals: {
        gateways: count,
        ...stats.total,
        refused: results.filter((r) => r.state === 'refused').length,
        failed: results.filter((r) => r.state === 'failed').length,
        unackedAtClose: results.reduce((n, r) => n + r.unackedAtClose, 0),
      },
      recordsPerSec: stats.recordsPerSec(elapsedMs + drainMs),
      latencyMs: stats.latency(),
      welcomeLatencyMs: stats.welcomeLatency(),
      seconds: [...stats.seconds],
      gateways: results,
      audit,
      errorSamples: stats.errorSamples,
    };
  } finally {
    for (const client of clients) client.close();
  }
}
