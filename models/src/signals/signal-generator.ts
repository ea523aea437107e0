import { ANOMALY_TYPES, type ActiveAnomaly, type AnomalyLabel, type AnomalyType, applyAnomaly, startAnomaly } from './anomalies.js';
import type { BatteryModel } from './battery-model.js';
import { clamp, instantiateProfile, type MetricModel, type ProfileName } from './profiles.js';
import { Prng } from './prng.js';

export interface SignalGeneratorOptions {
  /** Run seed; with the device id it fixes every number this generator produces. */
  seed: number | string;
  deviceId: string;
  profile: ProfileName;
  /** Probability that a reading starts an anomaly when none is active (0 = clean signal). */
  anomalyRate?: number;
  anomalyTypes?: readonly AnomalyType[];
  /** Signal milliseconds per clock millisecond: 60 makes an hour of daily cycle and battery drain pass in a minute. */
  timeScale?: number;
}

export interface SignalSample {
  ts: number;
  /** What the device sends; `null` when every metric dropped out (the device sends nothing). */
  metrics: Record<string, number> | null;
  /** The signal without anomalies, for evaluation (RMSE, detection). */
  clean: Record<string, number>;
  /** Anomalies that ended with this reading. */
  labels: AnomalyLabel[];
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;

/**
 * Readings of one simulated device with labelled anomalies. Deterministic: the same options and the same
 * sequence of `ts` give the same readings and labels. Clean signal and anomalies draw from separate
 * streams, so turning anomalies on does not change the clean signal underneath.
 */
export class SignalGenerator {
  readonly deviceId: string;
  readonly profile: ProfileName;
  readonly battery: BatteryModel | undefined;
  anomalyRate: number;
  anomalyTypes: readonly AnomalyType[];
  private readonly metrics: MetricModel[];
  private readonly anomalyRng: Prng;
  private readonly timeScale: number;
  private firstTs: number | undefined;
  private lastSignalMs: number | undefined;
  private lastTs = 0;
  private active: ActiveAnomaly | undefined;
  private readonly lastEmitted: Record<string, number> = {};

  constructor(options: SignalGeneratorOptions) {
    this.deviceId = options.deviceId;
    this.profile = options.profile;
    const instance = instantiateProfile(options.profile, new Prng(options.seed, options.deviceId, options.profile, 'signal'));
    this.metrics = instance.metrics;
    this.battery = instance.battery;
    this.anomalyRng = new Prng(options.seed, options.deviceId, options.profile, 'anomalies');
    this.anomalyRate = options.anomalyRate ?? 0;
    this.anomalyTypes = options.anomalyTypes ?? ANOMALY_TYPES;
    this.timeScale = options.timeScale ?? 1;
    if (!(this.anomalyRate >= 0 && this.anomalyRate <= 1)) throw new RangeError(`anomalyRate: expected 0..1, got ${options.anomalyRate}`);
    if (!(this.timeScale > 0)) throw new RangeError(`timeScale: expected > 0, got ${options.timeScale}`);
  }

  get metricNames(): string[] {
    return this.metrics.map((m) => m.spec.name);
  }

  /** The reading at `ts` (epoch ms as the device stamps it); call with non-decreasing `ts`. */
  next(ts: number): SignalSample {
    this.firstTs ??= ts;
    const signalMs = this.firstTs + (ts - this.firstTs) * this.timeScale;
    const dtMs = this.lastSignalMs === undefined ? 0 : Math.max(0, signalMs - this.lastSignalMs);
    this.lastSignalMs = signalMs;
    this.lastTs = ts;
    const clean: Record<string, number> = {};
    for (const m of this.metrics) clean[m.spec.name] = round(m.value(signalMs, dtMs));

    if (!this.active && this.anomalyRate > 0 && this.anomalyTypes.length > 0 && this.anomalyRng.next() < this.anomalyRate) {
      this.active = startAnomaly(this.anomalyRng, this.anomalyTypes, this.metrics.map((m) => m.spec), clean, this.lastEmitted, ts);
    }
    const out: Record<string, number> = {};
    let count = 0;
    for (const m of this.metrics) {
      const name = m.spec.name;
      let v: number | undefined = clean[name];
      if (this.active && this.active.metric.name === name) {
        const raw = applyAnomaly(this.active, v ?? 0, this.anomalyRng);
        v = raw === undefined ? undefined : round(clamp(raw, m.spec));
      }
      if (v === undefined) continue;
      out[name] = v;
      this.lastEmitted[name] = v;
      count++;
    }
    const labels: AnomalyLabel[] = [];
    if (this.active) {
      this.active.done++;
      if (this.active.done >= this.active.samples) labels.push(this.close(this.active, ts));
    }
    return { ts, metrics: count > 0 ? out : null, clean, labels };
  }

  /** Labels of an anomaly still under way, cut at the last reading; call once at the end of a run. */
  finish(): AnomalyLabel[] {
    return this.active && this.active.done > 0 ? [this.close(this.active, this.lastTs)] : [];
  }

  private close(a: ActiveAnomaly, endTs: number): AnomalyLabel {
    this.active = undefined;
    // A drift cut short by the end of the run reached only part of its offset.
    const magnitude = a.type === 'drift' ? (a.magnitude * a.done) / a.samples : a.magnitude;
    return { deviceId: this.deviceId, metric: a.metric.name, type: a.type, startTs: a.startTs, endTs, magnitude: round(magnitude), samples: a.done };
  }
}
