import type { Aedes } from 'aedes';
import { decodeMessage, type LocalPowerMode, localTopics, type PowerMode, type PowerStatusMessage } from '@outpost/protocols';
import type { GatewayConfig } from '../config/config-schema.js';
import type { GatewayEvents } from '../observability/gateway-events.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { flushLogs, type Logger } from '../observability/logger.js';
import type { StoreWriter } from '../store/store-writer.js';
import type { CheckpointResult } from '../store/write-rows.js';
import { type LogLevel, type PowerEffects, powerEffects, type SyncPace } from './power-mode.js';

export interface GatewayPowerDeps {
  broker: Aedes;
  config: GatewayConfig;
  writer: StoreWriter;
  /** The root logger: its level follows the mode. */
  logger: Logger;
  events: GatewayEvents;
  metrics: GatewayMetrics;
  /** Runs `power.criticalAction: shutdown` (the process runner closes the gateway as on SIGTERM and exits 0). */
  shutdown?: (() => void) | undefined;
}

/** What the gateway did when it last entered critical; shown by GET /api/v1/power. */
export interface CriticalReport {
  at: number;
  /** Every queued write committed (writer.flush). */
  storeFlushed: boolean;
  /** The WAL checkpoint (TRUNCATE) after the flush: with `busy` false, the main database file alone holds everything acknowledged. */
  checkpoint: CheckpointResult | null;
  logsFlushed: boolean;
  error: string | null;
  action: 'none' | 'shutdown';
  /** "started": the gateway is closing; "unavailable": no process runner to do it (an embedded gateway). */
  shutdown: 'not-requested' | 'started' | 'unavailable';
}

export interface PowerView {
  available: boolean;
  mode: PowerMode | null;
  simulated: boolean | null;
  source: string | null;
  batteryPercent: number | null;
  charging: boolean | null;
  cpuTempC: number | null;
  reason: string | null;
  sinceMs: number | null;
  /** When edge-runtime published the last report (its clock), and when the gateway got it. */
  reportedAt: number | null;
  receivedAt: number | null;
  effects: PowerEffects;
  criticalAction: 'none' | 'shutdown';
  lastCritical: CriticalReport | null;
}

/**
 * The gateway's side of the power mode, and the one place that owns it: subscribes to the mode edge-runtime
 * publishes (retained) on local/v1/power/mode, keeps the latest, and applies it: the policy table
 * (power-mode.ts) for sync pacing and the log level, and on entering critical, flush the store writer,
 * checkpoint the WAL, flush the logs, report, and run `power.criticalAction`. The UI, the API and sync read
 * the mode from here. Until edge-runtime reports a mode, the gateway runs as in performance.
 */
export function createGatewayPower(deps: GatewayPowerDeps) {
  const { config, logger, events, metrics } = deps;
  const baseLogLevel = logger.level as LogLevel;
  const listeners = new Set<() => void>();
  let current: LocalPowerMode | null = null;
  let receivedAt: number | null = null;
  let effects = powerEffects(null, config.power, baseLogLevel);
  let lastCritical: CriticalReport | null = null;
  let critical: Promise<void> = Promise.resolve();
  let closing = false;

  const handler = (packet: { payload: Buffer | string }, cb: () => void) => {
    try {
      onReport(decodeMessage('localPowerMode', Buffer.from(packet.payload)).message);
    } catch (err) {
      // A bad report changes nothing: the last good mode stays in force.
      events.powerReportInvalid(err);
    }
    cb();
  };
  deps.broker.subscribe(localTopics.powerMode(), handler, () => {});

  function onReport(report: LocalPowerMode): void {
    const previous = current;
    current = report;
    receivedAt = Date.now();
    if (previous && previous.mode === report.mode && previous.simulated === report.simulated) return;
    effects = powerEffects(report.mode, config.power, baseLogLevel);
    // Logged before the level changes, so the change itself shows even in critical.
    events.powerModeChanged(previous?.mode ?? null, report.mode, report.reason ?? '', report.simulated, effects);
    logger.level = effects.logLevel;
    for (const m of ['performance', 'balanced', 'saver', 'critical'] as const) metrics.powerMode.set({ mode: m }, m === report.mode ? 1 : 0);
    metrics.powerSimulated.set(report.simulated ? 1 : 0);
    for (const listener of listeners) listener();
    if (report.mode === 'critical' && previous?.mode !== 'critical' && !closing) critical = critical.then(enterCritical);
  }

  async function enterCritical(): Promise<void> {
    const report: CriticalReport = {
      at: Date.now(),
      storeFlushed: false,
      checkpoint: null,
      logsFlushed: false,
      error: null,
      action: config.power.criticalAction,
      shutdown: 'not-requested',
    };
    lastCritical = report;
    try {
      await deps.writer.flush();
      report.storeFlushed = true;
      report.checkpoint = await deps.writer.checkpoint();
    } catch (err) {
      report.error = (err as Error).message;
    }
    if (report.action === 'shutdown') report.shutdown = deps.shutdown && !closing ? 'started' : 'unavailable';
    events.powerCriticalFlushed(report);
    await flushLogs(logger);
    report.logsFlushed = true;
    if (report.shutdown === 'started') deps.shutdown!();
  }

  return {
    /** The latest report from edge-runtime, or null before the first. */
    current: (): LocalPowerMode | null => current,
    effects: (): PowerEffects => effects,
    /** The sync agent's pace in this mode. */
    pace: (): SyncPace => effects.sync,
    /** The power mode for the hub (Hello and GatewayMessage.power). */
    hubStatus(): PowerStatusMessage | null {
      if (!current) return null;
      return { mode: current.mode, simulated: current.simulated, sinceMs: current.sinceMs ?? current.ts, source: current.source ?? '' };
    },
    /** Called after every change of mode (or of `simulated`). */
    onChange(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    view(): PowerView {
      return {
        available: current !== null,
        mode: current?.mode ?? null,
        simulated: current?.simulated ?? null,
        source: current?.source ?? null,
        batteryPercent: current?.batteryPercent ?? null,
        charging: current?.charging ?? null,
        cpuTempC: current?.cpuTempC ?? null,
        reason: current?.reason ?? null,
        sinceMs: current?.sinceMs ?? null,
        reportedAt: current?.ts ?? null,
        receivedAt,
        effects,
        criticalAction: config.power.criticalAction,
        lastCritical,
      };
    },
    /** Stop reacting (gateway close); waits for a critical flush under way. */
    async close(): Promise<void> {
      closing = true;
      listeners.clear();
      deps.broker.unsubscribe(localTopics.powerMode(), handler, () => {});
      await critical;
    },
  };
}

export type GatewayPower = ReturnType<typeof createGatewayPower>;
