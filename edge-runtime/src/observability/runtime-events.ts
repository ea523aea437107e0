import type { LocalAlert } from '@outpost/protocols';
import type { RuntimeErrorCode } from '../errors.js';
import type { Logger } from './logger.js';

const LOG_EVERY_MS = 10_000;
const MAX_SAMPLER_KEYS = 10_000;

/**
 * Business events of the edge-runtime: each one logs and counts in one place. Events that can come in
 * floods (bad payloads, a full detector) are logged sampled per code and subject: the first, then at most
 * one every 10 s carrying how many were suppressed. The counters see every one; `counts()` is what tests
 * and the status detail read.
 */
export function createRuntimeEvents(logger: Logger) {
  const log = logger.child({ module: 'events' });
  const counters = new Map<string, number>();
  const lastLogged = new Map<string, { at: number; suppressed: number }>();

  const count = (name: string, by = 1) => counters.set(name, (counters.get(name) ?? 0) + by);

  /** True when this occurrence should be logged; otherwise it is counted as suppressed. */
  function sample(key: string): { log: boolean; suppressed: number } {
    const now = Date.now();
    const seen = lastLogged.get(key);
    if (seen && now - seen.at < LOG_EVERY_MS) {
      seen.suppressed++;
      return { log: false, suppressed: 0 };
    }
    if (lastLogged.size >= MAX_SAMPLER_KEYS) lastLogged.clear(); // bound the sampler's memory
    lastLogged.set(key, { at: now, suppressed: 0 });
    return { log: true, suppressed: seen?.suppressed ?? 0 };
  }

  return {
    counts: (): Record<string, number> => Object.fromEntries(counters),
    count: (name: string): number => counters.get(name) ?? 0,

    modelLoaded(modelVersion: string, manifestPath: string, source: 'config' | 'offer'): void {
      count('model_loaded');
      log.info({ event: 'model-loaded', modelVersion, manifestPath, source }, `model loaded: ${modelVersion}`);
    },
    modelSwapped(name: string, from: string, to: string, featurizers: 'kept' | 'rebuilt'): void {
      count('model_swapped');
      log.info({ event: 'model-swapped', name, from, to, featurizers }, `model swapped: ${from} → ${to}`);
    },
    modelRefused(code: RuntimeErrorCode, manifestPath: string, err: unknown, offerId?: string): void {
      count('model_refused');
      count(`model_refused.${code}`);
      log.warn({ event: 'model-refused', code, manifestPath, offerId, err }, `model refused: ${code}`);
    },
    modelRolledBack(from: string, to: string, err: unknown): void {
      count('model_rolled_back');
      log.error({ event: 'model-rolled-back', code: 'RT_ERR_MODEL_RUN', from, to, err }, `model ${from} failed to score; rolled back to ${to}`);
    },
    modelRunFailed(modelVersion: string, windows: number, err: unknown): void {
      count('model_run_failed');
      const s = sample(`run|${modelVersion}`);
      if (s.log) log.error({ event: 'model-run-failed', code: 'RT_ERR_MODEL_RUN', modelVersion, windows, err, suppressedSinceLast: s.suppressed }, `model ${modelVersion} failed to score`);
    },
    alertRaised(alert: LocalAlert): void {
      count('alert_raised');
      count(`alert_raised.${alert.source}`);
      log.info(
        { event: 'alert-raised', alertId: alert.alertId, deviceId: alert.deviceId, source: alert.source, kind: alert.kind, severity: alert.severity, metric: alert.metric, score: alert.score },
        `alert raised: ${alert.source}/${alert.kind} on ${alert.deviceId}`,
      );
    },
    alertSuppressed(source: string): void {
      count(`alert_suppressed.${source}`);
    },
    alertPublished(): void {
      count('alert_published');
    },
    alertInvalid(err: unknown): void {
      count('alert_invalid');
      log.error({ event: 'alert-invalid', code: 'RT_ERR_ALERT_INVALID', err }, 'alert failed the protocol schema; not sent');
    },
    batchAccepted(readings: number): void {
      count('batch_accepted');
      count('readings_accepted', readings);
    },
    readingsRedelivered(readings: number): void {
      count('readings_redelivered', readings);
    },
    /** A message on a local topic that cannot be used: acknowledged (resending the same bytes cannot help), counted, logged sampled. */
    batchDropped(topic: string, wireCode: string, detail: string): void {
      count('batch_dropped');
      count(`batch_dropped.${wireCode}`);
      const s = sample(`drop|${wireCode}`);
      if (s.log) log.warn({ event: 'batch-dropped', code: 'RT_ERR_PAYLOAD', wireCode, topic, detail, suppressedSinceLast: s.suppressed }, `message dropped: ${wireCode}`);
    },
    windowsQueued(windows: number): void {
      count('windows_queued', windows);
    },
    /** Windows no model could score (the model failed twice and had no predecessor to fall back on). */
    windowsUnscored(modelVersion: string, windows: number): void {
      count('windows_unscored', windows);
      const s = sample(`unscored|${modelVersion}`);
      if (s.log) log.warn({ event: 'windows-unscored', code: 'RT_ERR_MODEL_RUN', modelVersion, windows, suppressedSinceLast: s.suppressed }, `${windows} windows not scored`);
    },
    windowsScored(modelVersion: string, windows: number): void {
      count('windows_scored', windows);
      count(`windows_scored.${modelVersion}`, windows);
    },
    detectorStreamsFull(deviceId: string, metric: string): void {
      count('detector_streams_full');
      const s = sample('detector-full');
      if (s.log) log.warn({ event: 'detector-streams-full', code: 'RT_ERR_DETECTOR_STREAMS_FULL', deviceId, metric, suppressedSinceLast: s.suppressed }, 'online detector is full; new stream not scored');
    },
    intakePaused(reason: string): void {
      count('intake_paused');
      const s = sample(`pause|${reason}`);
      if (s.log) log.warn({ event: 'intake-paused', reason, suppressedSinceLast: s.suppressed }, `reading intake paused: ${reason}`);
    },
    stateSaved(file: string, bytes: number): void {
      count('state_saved');
      log.debug({ event: 'state-saved', file, bytes }, 'state saved');
    },
    stateProblem(code: 'RT_ERR_STATE_CORRUPT' | 'RT_ERR_STATE_WRITE', file: string, err: unknown): void {
      count(`state_problem.${code}`);
      log.warn({ event: 'state-problem', code, file, err }, code === 'RT_ERR_STATE_CORRUPT' ? 'saved state ignored; starting fresh' : 'state not saved');
    },
    mqttConnected(url: string): void {
      count('mqtt_connected');
      log.info({ event: 'mqtt-connected', url }, 'connected to the gateway broker');
    },
    mqttDisconnected(reason: string): void {
      count('mqtt_disconnected');
      const s = sample('mqtt-down');
      if (s.log) log.warn({ event: 'mqtt-disconnected', code: 'RT_ERR_MQTT', reason, suppressedSinceLast: s.suppressed }, 'disconnected from the gateway broker');
    },
    powerModeChanged(from: string | null, to: string, reason: string, simulated: boolean): void {
      count('power_mode_changed');
      count(`power_mode.${to}`);
      const fields = { event: 'power-mode', from, to, reason, simulated };
      const text = `power mode ${to}${simulated ? ' (simulated)' : ''}: ${reason}`;
      // Saver and critical change what the box does: say so at warn, which critical's log level still shows.
      if (to === 'saver' || to === 'critical') log.warn(fields, text);
      else log.info(fields, text);
    },
    powerSourceFailed(source: string, err: unknown): void {
      count('power_source_failed');
      const s = sample('power-source');
      if (s.log) log.warn({ event: 'power-source-failed', code: 'RT_ERR_POWER_SOURCE', source, err, suppressedSinceLast: s.suppressed }, 'power readings unavailable; mode unchanged');
    },
    workerRestarted(err: unknown): void {
      count('worker_restarted');
      log.error({ event: 'worker-restarted', code: 'RT_ERR_WORKER', err }, 'scoring worker failed; restarted');
    },
  };
}

export type RuntimeEvents = ReturnType<typeof createRuntimeEvents>;
