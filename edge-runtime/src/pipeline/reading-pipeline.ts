import { severityOf } from '@outpost/models/anomaly';
import type { LocalAlert, StoredReading } from '@outpost/protocols';
import type { AlertCooldown } from '../alerts/alert-cooldown.js';
import type { AlertPublisher } from '../alerts/alert-publisher.js';
import { MODEL_ALERT_KIND, modelAlert, ruleAlert } from '../alerts/build-alerts.js';
import type { DetectorStage } from '../detector/detector-stage.js';
import type { LoadedModel } from '../models/loaded-model.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { RuleEngine } from '../rules/rule-engine.js';
import type { DeviceRouter } from '../scoring/device-router.js';
import type { RunOutput } from '../scoring/scoring-backend.js';
import type { WindowItem, WindowQueue } from '../scoring/window-queue.js';

export interface ReadingPipelineDeps {
  rules: RuleEngine;
  detector: DetectorStage | null;
  router: DeviceRouter;
  queue: WindowQueue;
  publisher: AlertPublisher;
  cooldown: AlertCooldown;
  /** Cooldown of model and detector alerts, and of rules that set none. */
  cooldownMs: number;
  events: RuntimeEvents;
  /** Devices whose last reading is remembered to spot redeliveries. */
  maxDevices: number;
  /** Every scored window, `flagged` when past the model's threshold (the federated trainer's reservoir). */
  onWindowScored?: (model: LoadedModel, item: WindowItem, flagged: boolean) => void;
}

/**
 * What happens to each accepted reading, in arrival order: rules, the online detector, and the device's
 * model featurizer (its window goes to the scoring queue). Alerts pass the cooldown and go to the publisher;
 * model alerts come back from the scoring loop through `onScored`. A reading the gateway delivers again
 * (same device, id and timestamp not newer than the last one seen) is skipped, so a QoS 1 redelivery
 * does not feed the windows and detectors twice.
 */
export class ReadingPipeline {
  private readonly last = new Map<string, { id: number; ts: number }>();

  constructor(private readonly deps: ReadingPipelineDeps) {}

  /** Process one batch synchronously: nothing else runs in between, so a model swap happens only between batches. */
  process(readings: readonly StoredReading[]): void {
    const { rules, detector, router, queue, events } = this.deps;
    let windows = 0;
    let duplicates = 0;
    for (const reading of readings) {
      if (this.isRedelivery(reading)) {
        duplicates++;
        continue;
      }
      for (const hit of rules.evaluate(reading)) this.raise(ruleAlert(hit), hit.rule.cooldownMs ?? this.deps.cooldownMs);
      if (detector) for (const alert of detector.score(reading)) this.raise(alert, this.deps.cooldownMs);
      const window = router.route(reading);
      if (window) {
        queue.push(window);
        windows++;
      }
    }
    events.batchAccepted(readings.length - duplicates);
    if (duplicates > 0) events.readingsRedelivered(duplicates);
    if (windows > 0) events.windowsQueued(windows);
  }

  /** The scoring loop's results: a model alert for each window past the model's threshold. */
  onScored = (model: LoadedModel, items: WindowItem[], output: RunOutput): void => {
    const { manifest } = model;
    const width = manifest.inputSize;
    items.forEach((item, row) => {
      const score = output.score[row]!;
      const severity = severityOf(score, manifest.thresholds);
      this.deps.onWindowScored?.(model, item, severity !== null);
      if (!severity) return;
      // Cooldown before the explanation: most windows of a drift are suppressed, and explaining costs a sort.
      if (!this.deps.cooldown.allow('model', MODEL_ALERT_KIND, item.deviceId, item.ts, this.deps.cooldownMs)) return this.deps.events.alertSuppressed('model');
      const alert = modelAlert(manifest, item, score, output.featureError.subarray(row * width, (row + 1) * width));
      if (alert) this.deps.publisher.enqueue(alert);
    });
  };

  private raise(alert: LocalAlert, cooldownMs: number): void {
    if (!this.deps.cooldown.allow(alert.source, alert.kind, alert.deviceId, alert.ts, cooldownMs)) return this.deps.events.alertSuppressed(alert.source);
    this.deps.publisher.enqueue(alert);
  }

  private isRedelivery(reading: StoredReading): boolean {
    const seen = this.last.get(reading.deviceId);
    if (seen && reading.id <= seen.id && reading.ts <= seen.ts) return true;
    this.last.delete(reading.deviceId);
    if (this.last.size >= this.deps.maxDevices) this.last.delete(this.last.keys().next().value!);
    this.last.set(reading.deviceId, { id: reading.id, ts: reading.ts });
    return false;
  }

  /** True when both bounded queues (windows and alerts) have room: the intake may take another batch. */
  hasRoom(): boolean {
    return this.deps.queue.hasRoom() && this.deps.publisher.hasRoom();
  }

  /** Resolves when both queues have room again. */
  async waitForRoom(): Promise<void> {
    while (!this.hasRoom()) {
      await this.deps.queue.waitForRoom();
      await this.deps.publisher.waitForRoom();
    }
  }
}
