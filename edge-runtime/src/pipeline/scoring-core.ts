import { AlertCooldown } from '../alerts/alert-cooldown.js';
import { AlertPublisher, type AlertSink } from '../alerts/alert-publisher.js';
import type { RuntimeConfig } from '../config/config-schema.js';
import { DetectorStage } from '../detector/detector-stage.js';
import { ModelManager } from '../models/model-manager.js';
import type { Logger } from '../observability/logger.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import { RuleEngine } from '../rules/rule-engine.js';
import type { Rule } from '../rules/rule-schema.js';
import { DeviceRouter } from '../scoring/device-router.js';
import type { ScoringBackend } from '../scoring/scoring-backend.js';
import { ScoringLoop } from '../scoring/scoring-loop.js';
import { WindowQueue } from '../scoring/window-queue.js';
import type { SavedState } from '../state/state-file.js';
import type { RuntimeHealth } from '../status/runtime-health.js';
import { ReadingPipeline, type ReadingPipelineDeps } from './reading-pipeline.js';

export interface ScoringCoreDeps {
  config: Pick<RuntimeConfig, 'detector' | 'scoring' | 'alerts'>;
  rules: readonly Rule[];
  backend: ScoringBackend;
  /** Where alerts go: the MQTT publish in the process, a list in tests. */
  alertSink: AlertSink;
  events: RuntimeEvents;
  health: RuntimeHealth;
  logger: Logger;
  saved: SavedState | null;
  /** Every scored window (the federated trainer keeps the normal ones). */
  onWindowScored?: ReadingPipelineDeps['onWindowScored'];
}

/** Raw readings kept per device to warm a new model's featurizer after a swap. */
export const REPLAY_READINGS = 64;

/**
 * Everything between an accepted batch of readings and a published alert, without I/O of its own: rules,
 * the online detector, the model manager, the per-device router, the scoring queue and loop, the cooldown
 * and the alert queue. The process wires it to MQTT (create-runtime.ts); tests drive it directly.
 */
export function createScoringCore(deps: ScoringCoreDeps) {
  const { config, events, logger, saved } = deps;
  const log = logger.child({ module: 'scoring' });
  let router: DeviceRouter | null = null;
  const models = new ModelManager(deps.backend, events, deps.health, logger.child({ module: 'models' }), (key) => router?.forgetModel(key));
  router = new DeviceRouter(
    models,
    {
      maxDevices: config.scoring.maxDevices,
      replayReadings: REPLAY_READINGS,
      onStateRejected: (deviceId, err) => events.stateProblem('RT_ERR_STATE_CORRUPT', `featurizer state of ${deviceId}`, err),
    },
    saved?.featurizers ?? {},
  );
  let detector: DetectorStage | null = null;
  if (config.detector.enabled) {
    try {
      detector = new DetectorStage(config.detector.maxStreams, events, saved?.detector ?? undefined);
    } catch (err) {
      events.stateProblem('RT_ERR_STATE_CORRUPT', 'detector bank', err);
      detector = new DetectorStage(config.detector.maxStreams, events);
    }
  }
  const queue = new WindowQueue(config.scoring.queueMax);
  const publisher = new AlertPublisher(deps.alertSink, { queueMax: config.alerts.queueMax }, events, logger.child({ module: 'alerts' }));
  const cooldown = new AlertCooldown(config.alerts.cooldownMaxKeys);
  const pipeline = new ReadingPipeline({
    rules: new RuleEngine(deps.rules, config.scoring.maxDevices),
    detector,
    router,
    queue,
    publisher,
    cooldown,
    cooldownMs: config.alerts.cooldownMs,
    events,
    maxDevices: config.scoring.maxDevices,
    ...(deps.onWindowScored ? { onWindowScored: deps.onWindowScored } : {}),
  });
  const r = router;
  const loop = new ScoringLoop(queue, deps.backend, models, config.scoring, pipeline.onScored, events, () =>
    models.sweep((key) => queue.usesModel(key) || r.usesModel(key)).catch((err: unknown) => log.warn({ err }, 'releasing retired models failed')),
  );

  return {
    models,
    router: r,
    queue,
    loop,
    pipeline,
    publisher,
    detector,
    cooldown,
    /** What to persist now. */
    snapshot(): SavedState {
      return { v: 1, savedAt: Date.now(), detector: detector?.toJSON() ?? null, featurizers: r.snapshot() };
    },
    /** Resolves when every queued window is scored and every alert acknowledged. */
    async idle(): Promise<void> {
      await loop.idle();
      await publisher.waitForIdle();
    },
  };
}

export type ScoringCore = ReturnType<typeof createScoringCore>;
