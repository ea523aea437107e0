import { DATA_CLASSES, DATA_CLASS_NAMES, type DataClass, type PowerMode } from '@outpost/protocols';
import type { GatewayConfig } from '../config/config-schema.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const SEVERITY: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** The least severe level logged in each mode: saver drops debug and trace, critical keeps warnings and worse. */
export const MODE_LOG_FLOOR: Readonly<Record<PowerMode, LogLevel>> = { performance: 'trace', balanced: 'trace', saver: 'info', critical: 'warn' };

/** In saver and critical only classes up to this priority are sequenced: alerts, audit, usage, command results, device state, events. */
const DEFER_ABOVE_PRIORITY = DATA_CLASSES.event.priority;
/** Between sync rounds only this priority goes out: alerts. */
export const URGENT_PRIORITY = DATA_CLASSES.alert.priority;

/** How the sync agent sends in a mode. */
export interface SyncPace {
  /** 0: continuously. Otherwise records go in rounds at least this far apart; alerts go between rounds at once. */
  intervalMs: number;
  /** Cap of the batch size in records (the adaptive size never exceeds it); null: the configured maximum. */
  maxBatchRecords: number | null;
  /** Classes above this priority wait in the outbox; null: none waits. */
  maxPriority: number | null;
}

/** What a power mode changes in the gateway (docs/power.md, "What a mode changes"). */
export interface PowerEffects {
  sync: SyncPace & { deferredClasses: DataClass[] };
  logLevel: LogLevel;
  /** Federated training may run (only on mains and cool: performance). For the trainer, when there is one. */
  trainingAllowed: boolean;
}

/** The configured level, or the mode's floor when that is more severe (a configured "error" stays "error"). */
export function logLevelFor(mode: PowerMode | null, configured: LogLevel): LogLevel {
  if (!mode) return configured;
  const floor = MODE_LOG_FLOOR[mode];
  return SEVERITY[floor] > SEVERITY[configured] ? floor : configured;
}

const deferredAbove = (priority: number | null): DataClass[] => (priority === null ? [] : DATA_CLASS_NAMES.filter((c) => DATA_CLASSES[c].priority > priority));

/**
 * The policy table. `mode` null: edge-runtime has not reported a mode (disabled, not started yet): the
 * gateway runs as in performance.
 *
 * | mode        | sync                                 | waits in the outbox   | batch cap | log level | training |
 * |-------------|--------------------------------------|-----------------------|-----------|-----------|----------|
 * | performance | continuous                           | nothing               | —         | as set    | yes      |
 * | balanced    | continuous                           | nothing               | —         | as set    | no       |
 * | saver       | rounds every saverSyncIntervalMs     | summaries, raw        | saver…    | ≥ info    | no       |
 * | critical    | rounds every criticalSyncIntervalMs  | summaries, raw        | critical… | ≥ warn    | no       |
 *
 * Alerts are never deferred nor paced: between rounds the agent still sends them at once.
 */
export function powerEffects(mode: PowerMode | null, config: GatewayConfig['power'], baseLogLevel: LogLevel): PowerEffects {
  let pace: SyncPace = { intervalMs: 0, maxBatchRecords: null, maxPriority: null };
  if (mode === 'saver') pace = { intervalMs: config.saverSyncIntervalMs, maxBatchRecords: config.saverSyncBatchMaxRecords, maxPriority: DEFER_ABOVE_PRIORITY };
  if (mode === 'critical') pace = { intervalMs: config.criticalSyncIntervalMs, maxBatchRecords: config.criticalSyncBatchMaxRecords, maxPriority: DEFER_ABOVE_PRIORITY };
  return {
    sync: { ...pace, deferredClasses: deferredAbove(pace.maxPriority) },
    logLevel: logLevelFor(mode, baseLogLevel),
    trainingAllowed: mode === null || mode === 'performance',
  };
}
