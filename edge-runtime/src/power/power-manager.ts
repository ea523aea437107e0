import { encodeMessage, type LocalPowerMode, type PowerMode } from '@outpost/protocols';
import { isRuntimeError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { PowerConfig } from './power-config.js';
import { PowerPolicy } from './power-policy.js';
import type { PowerSample, PowerSource } from './power-source.js';

/** Publishes one encoded power mode, retained at QoS 1; resolves on PUBACK. */
export type PowerModeSink = (payload: Buffer) => Promise<void>;

export interface PowerManagerDeps {
  source: PowerSource;
  config: PowerConfig;
  sink: PowerModeSink;
  /** Called once per mode change (and for the first mode), before the new mode is published. */
  onMode: (mode: PowerMode, from: PowerMode | null) => void | Promise<void>;
  /** The power source failed (message) or works again (null). */
  onSourceProblem?: (detail: string | null) => void;
  events: RuntimeEvents;
  log: Logger;
  now?: () => number;
}

/**
 * The power manager: reads the power source every `sampleIntervalMs`, feeds the policy, applies a new
 * mode's effects and publishes `localPowerMode` (retained, QoS 1) on every change and every
 * `publishIntervalMs`. A failed read changes nothing (RT_ERR_POWER_SOURCE, logged sampled). Only the newest
 * mode matters, so publishing has no queue: one in flight, at most one more pending.
 */
export class PowerManager {
  readonly #policy: PowerPolicy;
  readonly #now: () => number;
  #sample: PowerSample | null = null;
  #sampleTimer: NodeJS.Timeout | null = null;
  #publishTimer: NodeJS.Timeout | null = null;
  #reading = false;
  #inFlight = false;
  #again = false;
  #sourceFailing = false;

  constructor(private readonly deps: PowerManagerDeps) {
    this.#policy = new PowerPolicy(deps.config);
    this.#now = deps.now ?? Date.now;
  }

  /** The mode as published, or null before the first good sample. */
  current(): LocalPowerMode | null {
    const state = this.#policy.state;
    const sample = this.#sample;
    if (!state || !sample) return null;
    const message: LocalPowerMode = { v: 1, ts: this.#now(), mode: state.mode, simulated: sample.simulated, source: sample.source, reason: state.reason.slice(0, 256), sinceMs: state.sinceMs };
    if (sample.batteryPercent !== null) message.batteryPercent = sample.batteryPercent;
    if (sample.charging !== null) message.charging = sample.charging;
    if (sample.cpuTempC !== null) message.cpuTempC = sample.cpuTempC;
    return message;
  }

  /** Take the first sample now, then keep sampling and publishing on the timers. */
  async start(): Promise<void> {
    await this.tick();
    this.#sampleTimer = setInterval(() => void this.tick(), this.deps.config.sampleIntervalMs);
    this.#sampleTimer.unref();
    this.#publishTimer = setInterval(() => void this.publish(), this.deps.config.publishIntervalMs);
    this.#publishTimer.unref();
  }

  /** One step: read, decide, apply, publish on a change. A read still running makes this a no-op. */
  async tick(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      let sample: PowerSample;
      try {
        sample = await this.deps.source.read();
      } catch (err) {
        this.deps.events.powerSourceFailed(this.deps.source.description, err);
        this.#sourceFailing = true;
        this.deps.onSourceProblem?.(`RT_ERR_POWER_SOURCE: ${isRuntimeError(err) ? err.message : String(err)}`);
        return;
      }
      if (this.#sourceFailing) {
        this.#sourceFailing = false;
        this.deps.onSourceProblem?.(null);
      }
      this.#sample = sample;
      const step = this.#policy.next(sample, this.#now());
      if (step.changedFrom === undefined) return;
      this.deps.events.powerModeChanged(step.changedFrom, step.state.mode, step.state.reason, sample.simulated);
      try {
        await this.deps.onMode(step.state.mode, step.changedFrom);
      } catch (err) {
        this.deps.log.error({ err, mode: step.state.mode }, 'applying the power mode failed');
      }
      await this.publish();
    } finally {
      this.#reading = false;
    }
  }

  /** Publish the newest mode now (or right after the one in flight). */
  publish(): Promise<void> {
    const message = this.current();
    if (!message) return Promise.resolve();
    if (this.#inFlight) {
      this.#again = true;
      return Promise.resolve();
    }
    this.#inFlight = true;
    return this.deps.sink(encodeMessage('localPowerMode', message)).then(
      () => this.#done(),
      (err: unknown) => {
        this.deps.log.debug({ err, mode: message.mode }, 'power mode not published');
        this.#done();
      },
    );
  }

  #done(): void {
    this.#inFlight = false;
    if (this.#again) {
      this.#again = false;
      void this.publish();
    }
  }

  stop(): void {
    if (this.#sampleTimer) clearInterval(this.#sampleTimer);
    if (this.#publishTimer) clearInterval(this.#publishTimer);
    this.#sampleTimer = this.#publishTimer = null;
  }
}
