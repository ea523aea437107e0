import { AdaptiveSender, ProtocolError, adaptivePolicyOf, decodeMessage } from '@outpost/protocols';

export interface AdaptiveReporterHooks {
  /** The device's reading now (null: every sensor failed). */
  sample(ts: number): Record<string, number> | null;
  /** Send one sample with its index in the epoch as `seq`. */
  transmit(seq: number, ts: number, metrics: Record<string, number>): void;
  /** Adaptive reporting started (true) or stopped (false): the device's usual publishing pauses or resumes. */
  onModeChange(adaptive: boolean): void;
  /** Whether the device may sample now (connected, not closing). */
  canSample(): boolean;
  /** Epoch ms as the device stamps `ts`. */
  now(): number;
  /** The sample budget (--messages) is used up. */
  onExhausted(): void;
  /** Samples allowed in total (undefined: no limit). */
  maxSamples?: number;
}

export interface AdaptiveSummary {
  configVersion: number | null;
  /** Prediction epochs started (one per new configVersion with an adaptive policy). */
  epochs: number;
  samples: number;
  transmissions: number;
  badConfigs: number;
}

/**
 * The device side of adaptive reporting for one simulated device. It follows the configs arriving on the
 * device's config topic: a config with a configVersion the device has not applied yet starts a new epoch
 * (predictors reset, sample index 0) when its reporting is adaptive, and returns the device to its usual
 * publishing otherwise. A retained copy of the config in force (after a reconnect) changes nothing.
 *
 * While adaptive, it samples every intervalMs while the device is connected (a disconnected simulated
 * device does not sample, so its sample index has no holes the gateway would have to explain) and sends
 * only what the shared predictor says must be sent, or a heartbeat.
 */
export class AdaptiveReporter {
  #sender: AdaptiveSender | null = null;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #ticks = 0;
  readonly summary: AdaptiveSummary = { configVersion: null, epochs: 0, samples: 0, transmissions: 0, badConfigs: 0 };

  constructor(private readonly hooks: AdaptiveReporterHooks) {}

  get active(): boolean {
    return this.#sender !== null;
  }

  get exhausted(): boolean {
    return this.hooks.maxSamples !== undefined && this.summary.samples >= this.hooks.maxSamples;
  }

  onConfig(payload: Buffer): void {
    let config;
    try {
      config = decodeMessage('deviceConfig', payload).message;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.summary.badConfigs++;
      return;
    }
    if (config.configVersion === this.summary.configVersion) return;
    this.summary.configVersion = config.configVersion;
    const policy = adaptivePolicyOf(config.reporting);
    this.#stopTimer();
    const wasActive = this.active;
    this.#sender = policy ? new AdaptiveSender(policy) : null;
    if (!this.#sender) {
      if (wasActive) this.hooks.onModeChange(false);
      return;
    }
    this.summary.epochs++;
    if (!wasActive) this.hooks.onModeChange(true);
    this.#startedAt = performance.now();
    this.#ticks = -1; // the first sample of an epoch is taken at once
    this.#schedule();
  }

  /** Aimed at start + k intervals, as the rate ticks are, so a stalled event loop does not shift the phase for good. */
  #schedule(): void {
    const sender = this.#sender;
    if (!sender || this.exhausted) return;
    const next = this.#startedAt + ++this.#ticks * sender.policy.intervalMs;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - performance.now()));
  }

  #tick(): void {
    const sender = this.#sender;
    if (!sender) return;
    if (this.hooks.canSample() && !this.exhausted) {
      const ts = this.hooks.now();
      const real = this.hooks.sample(ts);
      const decision = sender.sample(real);
      if (decision) {
        this.summary.samples++;
        if (decision.transmit && real) {
          this.summary.transmissions++;
          this.hooks.transmit(decision.seq, ts, real);
        }
      }
      if (this.exhausted) return this.hooks.onExhausted();
    }
    this.#schedule();
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    this.#stopTimer();
  }
}

/** What adaptive reporting did across the devices of a run (those without a summary did not follow their config). */
export function adaptiveTotals(summaries: readonly (AdaptiveSummary | undefined)[]) {
  const t = { devicesAdaptive: 0, samples: 0, transmissions: 0, epochs: 0, badConfigs: 0 };
  for (const a of summaries) {
    if (!a) continue;
    if (a.epochs > 0) t.devicesAdaptive++;
    t.samples += a.samples;
    t.transmissions += a.transmissions;
    t.epochs += a.epochs;
    t.badConfigs += a.badConfigs;
  }
  return { ...t, savedPct: t.samples > 0 ? Math.round((1 - t.transmissions / t.samples) * 10_000) / 100 : null };
}
