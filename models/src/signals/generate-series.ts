import type { AnomalyLabel, AnomalyType } from './anomalies.js';
import { type ProfileChoice, profileForDevice } from './profiles.js';
import { SignalGenerator } from './signal-generator.js';

export interface SeriesOptions {
  seed: number | string;
  /** Device ids; the profile of `mixed` is chosen by position in this list. */
  deviceIds: readonly string[];
  profile: ProfileChoice;
  startTs: number;
  intervalMs: number;
  /** Readings per device (dropouts included: they produce no reading). */
  samples: number;
  anomalyRate?: number;
  anomalyTypes?: readonly AnomalyType[];
}

export interface SeriesReading {
  deviceId: string;
  ts: number;
  metrics: Record<string, number>;
  clean: Record<string, number>;
}

/** A whole labelled data set in memory, device by device: what `models` trains and evaluates on. */
export function generateSeries(o: SeriesOptions): { readings: SeriesReading[]; labels: AnomalyLabel[] } {
  const readings: SeriesReading[] = [];
  const labels: AnomalyLabel[] = [];
  o.deviceIds.forEach((deviceId, index) => {
    const gen = new SignalGenerator({ seed: o.seed, deviceId, profile: profileForDevice(o.profile, index), anomalyRate: o.anomalyRate, anomalyTypes: o.anomalyTypes });
    for (let i = 0; i < o.samples; i++) {
      const s = gen.next(o.startTs + i * o.intervalMs);
      if (s.metrics) readings.push({ deviceId, ts: s.ts, metrics: s.metrics, clean: s.clean });
      labels.push(...s.labels);
    }
    labels.push(...gen.finish());
  });
  return { readings, labels };
}
