import type { PowerMode } from '@outpost/protocols';
import type { PowerConfig } from './power-config.js';
import type { PowerSample } from './power-source.js';

export type PowerThresholds = Pick<
  PowerConfig,
  'saverBelowPercent' | 'saverExitPercent' | 'criticalBelowPercent' | 'criticalExitPercent' | 'hotAboveC' | 'hotExitC' | 'confirmSamples' | 'minDwellMs'
>;

/** Least to most restrictive. */
export const MODE_RANK: Readonly<Record<PowerMode, number>> = { performance: 0, balanced: 1, saver: 2, critical: 3 };

export interface Wanted {
  mode: PowerMode;
  reason: string;
}

const pct = (value: number) => `${Math.round(value * 10) / 10} %`;
const deg = (value: number) => `${Math.round(value * 10) / 10} °C`;

/**
 * The mode one sample asks for, given the mode in force. The hysteresis lives here: a threshold to enter a
 * mode and a farther one to leave it, so a level wobbling around one threshold asks for the same mode.
 *
 * - Mains ("ac"): performance; balanced while the CPU is at or above hotAboveC, and, once balanced, until
 *   it is below hotExitC.
 * - Battery (or an unknown source that still reports a level): critical below criticalBelowPercent, and
 *   once critical until criticalExitPercent; else saver below saverBelowPercent, and once saver or
 *   critical until saverExitPercent; else balanced. A battery with no level asks for saver.
 * - Unknown source and no level: balanced (neither full speed nor deferral on a guess).
 */
export function wantedMode(current: PowerMode | null, sample: Pick<PowerSample, 'source' | 'batteryPercent' | 'cpuTempC'>, t: PowerThresholds): Wanted {
  const level = sample.batteryPercent;
  const onBattery = sample.source === 'battery' || (sample.source === 'unknown' && level !== null);
  if (!onBattery) {
    if (sample.source === 'unknown') return { mode: 'balanced', reason: 'power source unknown' };
    const temp = sample.cpuTempC;
    if (temp !== null && temp >= t.hotAboveC) return { mode: 'balanced', reason: `on mains, CPU at ${deg(temp)} (hot from ${deg(t.hotAboveC)})` };
    if (temp !== null && current === 'balanced' && temp >= t.hotExitC) return { mode: 'balanced', reason: `on mains, CPU at ${deg(temp)} (performance again below ${deg(t.hotExitC)})` };
    return { mode: 'performance', reason: 'on mains' };
  }
  if (level === null) return { mode: 'saver', reason: 'on battery, level unknown' };
  if (level < t.criticalBelowPercent) return { mode: 'critical', reason: `on battery at ${pct(level)} (critical below ${pct(t.criticalBelowPercent)})` };
  if (current === 'critical' && level < t.criticalExitPercent) return { mode: 'critical', reason: `on battery at ${pct(level)} (critical until ${pct(t.criticalExitPercent)})` };
  if (level < t.saverBelowPercent) return { mode: 'saver', reason: `on battery at ${pct(level)} (saver below ${pct(t.saverBelowPercent)})` };
  if ((current === 'saver' || current === 'critical') && level < t.saverExitPercent) return { mode: 'saver', reason: `on battery at ${pct(level)} (saver until ${pct(t.saverExitPercent)})` };
  return { mode: 'balanced', reason: `on battery at ${pct(level)}` };
}

export interface PowerState {
  mode: PowerMode;
  /** When this mode was entered. */
  sinceMs: number;
  reason: string;
  /** Another mode the last samples asked for, and how many in a row, until it is confirmed. */
  pending: { mode: PowerMode; count: number } | null;
}

export interface PolicyStep {
  state: PowerState;
  /** The mode before this sample, when this sample changed it (null on the first sample). */
  changedFrom: PowerMode | null | undefined;
}

/**
 * The power mode state machine. Pure: samples and times in, mode out (docs/power.md has its table).
 *
 *   (no mode) ──first sample──▶ the mode it asks for, at once
 *   mode A ──confirmSamples samples in a row asking for B──▶ B, if B is more restrictive than A;
 *                                                        ──▶ B after minDwellMs in A, if B is less restrictive.
 *
 * Any sample asking for A again clears a pending B. So going down (towards critical) is never delayed by
 * the dwell time, only confirmed; going up needs both, which is what keeps a box that hovers around a
 * threshold from flapping even when the readings are noisier than the hysteresis band.
 */
export class PowerPolicy {
  #state: PowerState | null = null;

  constructor(private readonly thresholds: PowerThresholds) {}

  get state(): PowerState | null {
    return this.#state;
  }

  /** Feed one sample taken at `nowMs`. */
  next(sample: Pick<PowerSample, 'source' | 'batteryPercent' | 'cpuTempC'>, nowMs: number): PolicyStep {
    const current = this.#state;
    const wanted = wantedMode(current?.mode ?? null, sample, this.thresholds);
    if (!current) {
      this.#state = { mode: wanted.mode, sinceMs: nowMs, reason: wanted.reason, pending: null };
      return { state: this.#state, changedFrom: null };
    }
    if (wanted.mode === current.mode) {
      this.#state = { ...current, reason: wanted.reason, pending: null };
      return { state: this.#state, changedFrom: undefined };
    }
    const count = current.pending?.mode === wanted.mode ? current.pending.count + 1 : 1;
    const down = MODE_RANK[wanted.mode] > MODE_RANK[current.mode];
    const confirmed = count >= this.thresholds.confirmSamples;
    const dwelled = nowMs - current.sinceMs >= this.thresholds.minDwellMs;
    if (confirmed && (down || dwelled)) {
      this.#state = { mode: wanted.mode, sinceMs: nowMs, reason: wanted.reason, pending: null };
      return { state: this.#state, changedFrom: current.mode };
    }
    this.#state = { ...current, pending: { mode: wanted.mode, count } };
    return { state: this.#state, changedFrom: undefined };
  }
}
