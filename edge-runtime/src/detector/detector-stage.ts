import type { LocalAlert } from '@outpost/protocols';
import { detectorAlert } from '../alerts/build-alerts.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import { DetectorBank, DetectorBankFullError, type DetectorBankState } from './detector-bank.js';

/**
 * The online detector on every metric of every reading (one detector per device and metric, bounded by
 * `maxStreams`: a stream past the bound is not scored, counted and logged sampled).
 */
export class DetectorStage {
  private bank: DetectorBank;

  constructor(
    private readonly maxStreams: number,
    private readonly events: RuntimeEvents,
    saved?: DetectorBankState,
  ) {
    this.bank = saved ? DetectorBank.fromJSON(saved, {}, maxStreams) : new DetectorBank({}, maxStreams);
  }

  /** Score each metric of one reading; returns the alerts it raises (before cooldown). */
  score(reading: { id: number; deviceId: string; ts: number; metrics: Readonly<Record<string, number>> }): LocalAlert[] {
    const alerts: LocalAlert[] = [];
    for (const [metric, value] of Object.entries(reading.metrics)) {
      let score: number;
      try {
        score = this.bank.score(reading.deviceId, metric, value, reading.ts);
      } catch (err) {
        if (!(err instanceof DetectorBankFullError)) throw err;
        this.events.detectorStreamsFull(reading.deviceId, metric);
        continue;
      }
      const alert = detectorAlert(reading.deviceId, metric, reading.id, reading.ts, score);
      if (alert) alerts.push(alert);
    }
    return alerts;
  }

  get streams(): number {
    return this.bank.size;
  }

  toJSON(): DetectorBankState {
    return this.bank.toJSON();
  }
}
