import type { OnlineDetectorConfig } from './detector-config.js';
import { OnlineAnomalyDetector, type OnlineDetectorState } from './online-detector.js';

/** Serialised bank: one detector state per device and metric. */
export interface DetectorBankState {
  version: 1;
  devices: Record<string, Record<string, OnlineDetectorState>>;
}

/** Thrown when a new stream would exceed the bank's bound; retrying does not help until streams are removed. */
export class DetectorBankFullError extends Error {
  readonly code = 'RT_ERR_DETECTOR_STREAMS_FULL';
  readonly retryable = false;
  constructor(maxStreams: number) {
    super(`the detector bank already holds its maximum of ${maxStreams} streams`);
  }
}

/**
 * One online detector per device and metric, created on first reading. Bounded: past `maxStreams` a new
 * stream is refused with a code rather than growing memory (each detector holds a few KiB).
 */
export class DetectorBank {
  // Two levels, so that scoring a reading builds no key string.
  private readonly devices = new Map<string, Map<string, OnlineAnomalyDetector>>();
  private count = 0;

  constructor(
    private readonly config: Partial<OnlineDetectorConfig> = {},
    private readonly maxStreams = 100_000,
  ) {}

  /** Scores one reading of one stream in [0, 1). */
  score(deviceId: string, metric: string, value: number, timestampMs: number): number {
    let metrics = this.devices.get(deviceId);
    let detector = metrics?.get(metric);
    if (!detector) {
      if (this.count >= this.maxStreams) throw new DetectorBankFullError(this.maxStreams);
      detector = new OnlineAnomalyDetector(this.config);
      if (!metrics) this.devices.set(deviceId, (metrics = new Map()));
      metrics.set(metric, detector);
      this.count++;
    }
    return detector.update(value, timestampMs);
  }

  get size(): number {
    return this.count;
  }

  remove(deviceId: string, metric: string): boolean {
    const metrics = this.devices.get(deviceId);
    if (!metrics?.delete(metric)) return false;
    if (metrics.size === 0) this.devices.delete(deviceId);
    this.count--;
    return true;
  }

  toJSON(): DetectorBankState {
    const devices: DetectorBankState['devices'] = {};
    for (const [deviceId, metrics] of this.devices) {
      const saved: Record<string, OnlineDetectorState> = {};
      for (const [metric, detector] of metrics) saved[metric] = detector.toJSON();
      devices[deviceId] = saved;
    }
    return { version: 1, devices };
  }

  /** Restores every stream; each detector keeps the configuration it was saved with. */
  static fromJSON(state: DetectorBankState, config: Partial<OnlineDetectorConfig> = {}, maxStreams?: number): DetectorBank {
    if (state.version !== 1) throw new Error(`unsupported detector bank state version ${String(state.version)}`);
    const bank = new DetectorBank(config, maxStreams);
    for (const [deviceId, metrics] of Object.entries(state.devices)) {
      const restored = new Map<string, OnlineAnomalyDetector>();
      for (const [metric, saved] of Object.entries(metrics)) restored.set(metric, OnlineAnomalyDetector.fromJSON(saved));
      bank.devices.set(deviceId, restored);
      bank.count += restored.size;
    }
    return bank;
  }
}
