import type { PowerMode } from '@outpost/protocols';
import type { PowerConfig } from './power-config.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const SEVERITY: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** The least severe level logged in each mode: saver drops debug and trace, critical keeps warnings and worse. */
export const MODE_LOG_FLOOR: Readonly<Record<PowerMode, LogLevel>> = { performance: 'trace', balanced: 'trace', saver: 'info', critical: 'warn' };

/** The configured level, or the mode's floor when that is more severe (a configured "error" stays "error"). */
export function logLevelFor(mode: PowerMode, configured: LogLevel): LogLevel {
  const floor = MODE_LOG_FLOOR[mode];
  return SEVERITY[floor] > SEVERITY[configured] ? floor : configured;
}

/** What a mode changes in edge-runtime: the scoring batch window (longer: fewer, fuller model runs) and the log level. */
export interface RuntimePowerEffects {
  batchWindowMs: number;
  logLevel: LogLevel;
  /** Federated training may run: only in performance (on mains, CPU not hot). The trainer, once there is one, asks this. */
  trainingAllowed: boolean;
}

/** `baseLogLevel`: the level the logger had before any mode (the configured one). */
export function runtimeEffects(mode: PowerMode, config: { power: PowerConfig; scoring: { batchWindowMs: number } }, baseLogLevel: LogLevel): RuntimePowerEffects {
  const base = config.scoring.batchWindowMs;
  const window = mode === 'critical' ? config.power.criticalBatchWindowMs : mode === 'saver' ? config.power.saverBatchWindowMs : base;
  return { batchWindowMs: Math.max(base, window), logLevel: logLevelFor(mode, baseLogLevel), trainingAllowed: mode === 'performance' };
}
