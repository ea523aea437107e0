// A scoring core wired as the process wires it, minus MQTT: alerts land in a list, readings go in by hand.
import { decodeMessage, type LocalAlert, type StoredReading } from '@outpost/protocols';
import { Prng } from '@outpost/models/signals';
import { pino } from 'pino';
import { type RuntimeConfigInput, runtimeConfigSchema } from '../../src/config/config-schema.js';
import { createRuntimeEvents } from '../../src/observability/runtime-events.js';
import { createScoringCore } from '../../src/pipeline/scoring-core.js';
import type { Rule } from '../../src/rules/rule-schema.js';
import type { ScoringBackend } from '../../src/scoring/scoring-backend.js';
import type { SavedState } from '../../src/state/state-file.js';
import { RuntimeHealth } from '../../src/status/runtime-health.js';

export function createCoreFixture(backend: ScoringBackend, options: { config?: RuntimeConfigInput; rules?: Rule[]; saved?: SavedState | null } = {}) {
  const config = runtimeConfigSchema.parse({ alerts: { cooldownMs: 0 }, scoring: { batchWindowMs: 0 }, detector: { enabled: false }, ...options.config });
  const logger = pino({ level: 'silent' });
  const events = createRuntimeEvents(logger);
  const health = new RuntimeHealth();
  health.started();
  const alerts: LocalAlert[] = [];
  const core = createScoringCore({
    config,
    rules: options.rules ?? [],
    backend,
    alertSink: async (payload) => {
      alerts.push(decodeMessage('localAlert', payload).message);
    },
    events,
    health,
    logger,
    saved: options.saved ?? null,
  });
  return { core, alerts, events, health, config };
}

/** Readings of `devices` devices, one per device per step, timestamps 1 s apart, a smooth signal with noise. */
export function readingStream(options: { devices: number; steps: number; startStep?: number; metrics?: string[]; seed?: string }): StoredReading[][] {
  const rng = new Prng(options.seed ?? 'stream');
  const metrics = options.metrics ?? ['temperature'];
  const batches: StoredReading[][] = [];
  const start = options.startStep ?? 0;
  for (let step = start; step < start + options.steps; step++) {
    const batch: StoredReading[] = [];
    for (let d = 0; d < options.devices; d++) {
      const ts = 1_700_000_000_000 + step * 1000;
      const values = Object.fromEntries(metrics.map((m, i) => [m, 20 + 5 * Math.sin(step / 7 + d + i) + 0.3 * rng.normal()]));
      batch.push({ id: step * options.devices + d + 1, deviceId: `dev-${d}`, ts, receivedAt: ts, metrics: values });
    }
    batches.push(batch);
  }
  return batches;
}
