import { type FeaturizerSpec, WindowFeaturizer } from '../anomaly/index.js';
import type { AnomalyLabel, AnomalyType, SeriesReading } from '../signals/index.js';

/**
 * How a window counts in evaluation:
 * - `normal`: no labelled anomaly of a metric the model reads touches any of its readings;
 * - `anomaly`: its last reading falls inside a labelled anomaly (of `type`);
 * - `tail`: it still holds anomalous readings but its last reading is past the anomaly's end. Neither class:
 *   flagging it is right for a window model and wrong for the "last reading" rule, so it is left out of the
 *   headline metrics and reported separately (the card gives AUC with tails counted as normal too).
 */
export type WindowClass = 'normal' | 'anomaly' | 'tail';

export interface LabelledWindows {
  inputs: Float32Array[];
  /** Raw readings of the same window, per metric in model order, oldest first: what the baseline reads. */
  raw: Float64Array[][];
  cls: WindowClass[];
  /** The anomaly type of an `anomaly` window, else null. */
  type: (AnomalyType | null)[];
  deviceId: string[];
  /** Time since the end of this device's last anomaly (Infinity before the first): statistics recover from one slowly. */
  msSinceAnomaly: number[];
  /** Readings the featurizer skipped (a metric missing): dropouts show up here, not as windows. */
  skippedReadings: number;
}

/**
 * Runs one featurizer per device over generated readings and labels every window it returns. Dropout
 * labels never yield `anomaly` windows: a reading without the metric yields no window at all.
 */
export function labelWindows(spec: FeaturizerSpec, readings: readonly SeriesReading[], labels: readonly AnomalyLabel[]): LabelledWindows {
  const out: LabelledWindows = { inputs: [], raw: [], cls: [], type: [], deviceId: [], msSinceAnomaly: [], skippedReadings: 0 };
  const metrics = new Set(spec.metrics);
  const labelsByDevice = new Map<string, AnomalyLabel[]>();
  for (const l of labels) if (metrics.has(l.metric)) (labelsByDevice.get(l.deviceId) ?? labelsByDevice.set(l.deviceId, []).get(l.deviceId)!).push(l);
  const byDevice = new Map<string, SeriesReading[]>();
  for (const r of readings) (byDevice.get(r.deviceId) ?? byDevice.set(r.deviceId, []).get(r.deviceId)!).push(r);

  for (const [deviceId, rs] of byDevice) {
    const featurizer = new WindowFeaturizer(spec);
    const deviceLabels = labelsByDevice.get(deviceId) ?? [];
    const recent: SeriesReading[] = [];
    let lastTs = Number.NEGATIVE_INFINITY;
    for (const r of rs) {
      const x = featurizer.push(r.ts, r.metrics);
      // The featurizer's own acceptance rule: every metric present and finite, ts advancing.
      if (!(r.ts > lastTs && spec.metrics.every((m) => Number.isFinite(r.metrics[m])))) {
        out.skippedReadings++;
        continue;
      }
      lastTs = r.ts;
      recent.push(r);
      if (recent.length > spec.window) recent.shift();
      if (!x) continue;
      const firstTs = recent[0]!.ts;
      const hit = deviceLabels.find((l) => l.type !== 'dropout' && l.startTs <= r.ts && r.ts <= l.endTs);
      const touched = deviceLabels.some((l) => l.type !== 'dropout' && l.startTs <= r.ts && l.endTs >= firstTs);
      out.inputs.push(x);
      out.raw.push(spec.metrics.map((m) => Float64Array.from(recent, (q) => q.metrics[m]!)));
      out.cls.push(hit ? 'anomaly' : touched ? 'tail' : 'normal');
      out.type.push(hit ? hit.type : null);
      out.deviceId.push(deviceId);
      let lastEnd = Number.NEGATIVE_INFINITY;
      for (const l of deviceLabels) if (l.type !== 'dropout' && l.endTs < r.ts && l.endTs > lastEnd) lastEnd = l.endTs;
      out.msSinceAnomaly.push(r.ts - lastEnd);
    }
  }
  return out;
}
