import * as anomaly from '@outpost/models/anomaly';
import { localTopics } from '@outpost/protocols';
import type { RuntimeConfig } from './config/config-schema.js';
import { readInternalSecret, resolveModelPaths } from './config/load-config.js';
import { isRuntimeError } from './errors.js';
import { RuntimeMqtt, type TopicHandler } from './mqtt/runtime-mqtt.js';
import { createOfferIntake } from './mqtt/offer-intake.js';
import { createReadingsIntake } from './mqtt/readings-intake.js';
import { createRootLogger, flushLogs, type Logger } from './observability/logger.js';
import { createRuntimeEvents } from './observability/runtime-events.js';
import { createScoringCore } from './pipeline/scoring-core.js';
import { type LogLevel, type RuntimePowerEffects, runtimeEffects } from './power/power-effects.js';
import { PowerManager } from './power/power-manager.js';
import type { PowerSource } from './power/power-source.js';
import { SimulatedPowerSource } from './power/simulated-power-source.js';
import { SystemPowerSource } from './power/system-power-source.js';
import { loadRulesFile } from './rules/load-rules.js';
import type { ScoringBackend } from './scoring/scoring-backend.js';
import { WorkerScoringBackend } from './scoring/worker-backend.js';
import { loadState, type SavedState, saveState, stateFilePath } from './state/state-file.js';
import { RuntimeHealth } from './status/runtime-health.js';
import { createFlLabelIntake } from './training/fl-label-intake.js';
import { createFlTaskIntake } from './training/fl-task-intake.js';
import { createFlTrainer } from './training/fl-trainer.js';
import { TrainWorkerClient } from './training/train-worker-client.js';
import { WindowReservoir } from './training/window-reservoir.js';
import { StatusPublisher } from './status/status-publisher.js';

export interface CreateRuntimeOptions {
  logger?: Logger;
  /** A scoring backend to use instead of the worker (tests wrap the real one). */
  backend?: ScoringBackend;
  /** The shipped models' manifest paths, for `models: "shipped"`; defaults to @outpost/models' list. */
  listShippedModels?: () => string[] | Promise<string[]>;
}

/** The power source `power.source` names: the hardware, or a simulated one (file or fixed values). */
function createPowerSource(power: RuntimeConfig['power']): PowerSource {
  if (power.source === 'file') return SimulatedPowerSource.fromFile(power.file!);
  if (power.source === 'fixed') return SimulatedPowerSource.fixed({ source: power.fixed.source, batteryPercent: power.fixed.batteryPercent ?? null, charging: power.fixed.charging ?? null });
  return new SystemPowerSource();
}

/** Time close() gives queued windows and unacknowledged alerts before it gives up on them. */
const DRAIN_TIMEOUT_MS = 10_000;

/** A label covers the windows that end this close to the alert: a window of 16 readings at one a minute, and slack. */
const LABEL_SPAN_MS = 30 * 60_000;

const shippedFromModels = (): string[] => anomaly.listShippedModels();

/**
 * Wire an edge-runtime from its configuration: read the rules and the saved state (a corrupt state file is
 * logged with RT_ERR_STATE_CORRUPT and ignored), start the scoring worker. Throws RT_ERR_RULES or
 * RT_ERR_SECRET (exit 78) before anything starts. `start()` connects and loads the models; `close()` drains and saves.
 */
export function createRuntime(config: RuntimeConfig, options: CreateRuntimeOptions = {}) {
  const logger = options.logger ?? createRootLogger(config.log.level);
  const rules = config.rulesFile ? loadRulesFile(config.rulesFile) : [];
  readInternalSecret(config); // fail now, with exit 78, rather than on the first connect
  const events = createRuntimeEvents(logger);
  let statusPublisher: StatusPublisher | null = null;
  const health = new RuntimeHealth(() => void statusPublisher?.publish());
  const stateFile = stateFilePath(config.dataDir);

  let saved: SavedState | null = null;
  try {
    saved = loadState(stateFile);
  } catch (err) {
    events.stateProblem('RT_ERR_STATE_CORRUPT', stateFile, err); // not fatal: detectors and featurizers start fresh
  }

  const backend = options.backend ?? new WorkerScoringBackend({ intraOpThreads: config.scoring.intraOpThreads }, (err) => events.workerRestarted(err));
  // Federated training: a reservoir of the windows scoring already featurised, and a worker thread for tfjs.
  const reservoir = new WindowReservoir(config.training.reservoirWindows, config.training.maxProfiles);
  const onWindowScored = config.training.enabled
    ? (model: { manifest: { profile: string } }, item: { deviceId: string; ts: number; vector: Float32Array }, flagged: boolean) => reservoir.add(model.manifest.profile, item.deviceId, item.ts, item.vector, flagged)
    : undefined;
  const core = createScoringCore({ config, rules, backend, alertSink: (payload) => mqtt.publish(localTopics.alerts(), payload), events, health, logger, saved, ...(onWindowScored ? { onWindowScored } : {}) });
  const trainWorker = new TrainWorkerClient();
  const trainingTags = typeof config.training.tags === 'string' ? config.training.tags.split(',').map((t) => t.trim()).filter(Boolean) : config.training.tags;
  const trainer = createFlTrainer({
    reservoir,
    worker: trainWorker,
    trainingAllowed: () => powerEffects?.trainingAllowed ?? false,
    tags: trainingTags,
    reply: (reply) => void mqtt.publish(localTopics.flReplies(), Buffer.from(JSON.stringify(reply))).catch((err: unknown) => logger.warn({ err }, 'federated-learning reply not published')),
    log: logger.child({ module: 'training' }),
  });

  let stopping = false;
  const handlers = new Map<string, TopicHandler>([
    [localTopics.readings(), createReadingsIntake(core.pipeline, events, () => stopping)],
    [localTopics.modelOffer(), createOfferIntake(core.models, events)],
    ...(config.training.enabled
      ? ([
          [localTopics.flTasks(), createFlTaskIntake(trainer, events)],
          [localTopics.flLabels(), createFlLabelIntake(reservoir, LABEL_SPAN_MS, events)],
        ] as const)
      : []),
  ]);
  const mqtt = new RuntimeMqtt(
    {
      url: config.mqttUrl,
      readSecret: () => readInternalSecret(config),
      cleanSession: config.mqtt.cleanSession,
      reconnectMinMs: config.mqtt.reconnectMinMs,
      reconnectMaxMs: config.mqtt.reconnectMaxMs,
      handlers,
      onConnectionChange: (up) => (up ? health.clear('broker') : health.set('broker', { degraded: true, detail: 'RT_ERR_MQTT: connection to the gateway broker lost; reconnecting' })),
    },
    events,
    logger.child({ module: 'mqtt' }),
  );
  statusPublisher = new StatusPublisher(health, (payload) => mqtt.publish(localTopics.runtimeStatus(), payload), config.status.intervalMs, logger.child({ module: 'status' }));

  let saving: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    saving = saving.then(async () => {
      try {
        events.stateSaved(stateFile, await saveState(stateFile, core.snapshot()));
      } catch (err) {
        events.stateProblem('RT_ERR_STATE_WRITE', stateFile, err);
      }
    });
    return saving;
  };
  let persistTimer: NodeJS.Timeout | null = null;

  // The power mode changes the scoring batch window and the log level; entering critical saves the state and
  // flushes the logs at once, before the battery may run out (the gateway flushes its store the same way).
  const baseLogLevel = logger.level as LogLevel;
  let powerEffects: RuntimePowerEffects | null = null;
  const power = new PowerManager({
    source: createPowerSource(config.power),
    config: config.power,
    sink: (payload) => mqtt.publish(localTopics.powerMode(), payload, { retain: true }),
    onMode: async (mode) => {
      const effects = runtimeEffects(mode, config, baseLogLevel);
      powerEffects = effects;
      core.loop.setBatchWindowMs(effects.batchWindowMs);
      logger.level = effects.logLevel;
      if (mode === 'critical') {
        await persist();
        await flushLogs(logger);
      }
    },
    onSourceProblem: (detail) => (detail ? health.set('power', { degraded: false, detail }) : health.clear('power')),
    events,
    log: logger.child({ module: 'power' }),
  });

  return {
    logger,
    events,
    health,
    core,
    status: () => statusPublisher!.current(),
    /** The power mode as published (null before the first good power sample). */
    powerMode: () => power.current(),
    /** What the power mode changes here (null before the first mode); `trainingAllowed` is for the federated trainer. */
    powerEffects: () => powerEffects,
    /** The federated trainer's window reservoir and counters. */
    training: { reservoir, trainer },

    async start(): Promise<void> {
      statusPublisher!.start();
      mqtt.connect();
      const refused: string[] = [];
      // No shipped models (a checkout where `npm run models:build` never ran) is a degraded runtime, not a
      // dead one: the online detector and the rules still run.
      const manifests = await resolveModelPaths(config.models, options.listShippedModels ?? shippedFromModels).catch((err: unknown) => {
        refused.push(`shipped models: ${(err as Error).message}`);
        return [] as string[];
      });
      for (const path of manifests) {
        await core.models.load(path, 'config').catch((err: unknown) => refused.push(`${path}: ${isRuntimeError(err) ? err.code : 'RT_ERR_MODEL_LOAD'}`));
      }
      if (refused.length > 0) health.set('models-at-start', { degraded: true, detail: `configured models refused: ${refused.join(', ')}` });
      core.loop.start();
      await power.start();
      persistTimer = setInterval(() => void persist(), config.state.persistIntervalMs);
      persistTimer.unref();
      health.started();
      logger.info({ models: manifests.length, rules: rules.length, detector: config.detector.enabled, mqttUrl: config.mqttUrl, power: config.power.source }, 'edge-runtime started');
    },

    /** Stop taking readings, score what is queued, wait for alert PUBACKs (bounded), save state, disconnect. */
    async close(): Promise<void> {
      if (stopping) return;
      stopping = true;
      health.stopping();
      if (persistTimer) clearInterval(persistTimer);
      power.stop();
      await core.models.idle();
      const drained = await Promise.race([core.loop.close().then(() => core.publisher.waitForIdle()).then(() => true), new Promise<boolean>((r) => setTimeout(r, DRAIN_TIMEOUT_MS, false).unref())]);
      if (!drained) logger.warn({ queuedWindows: core.queue.length, pendingAlerts: core.publisher.pending }, 'drain timed out');
      core.publisher.close();
      await persist();
      await statusPublisher!.publish();
      statusPublisher!.stop();
      await mqtt.close();
      await backend.close();
      await trainWorker.close();
      logger.info({ counts: events.counts() }, 'edge-runtime stopped');
    },
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
