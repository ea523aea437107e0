import { encodeMessage, type LocalRuntimeStatus } from '@outpost/protocols';
import type { Logger } from '../observability/logger.js';
import type { RuntimeHealth } from './runtime-health.js';

/** Publishes one encoded status at QoS 1 on local/v1/runtime/status; resolves on PUBACK. */
export type StatusSink = (payload: Buffer) => Promise<void>;

/**
 * Publishes `localRuntimeStatus` at start, on every change, and every `intervalMs`. Only the newest
 * status matters, so there is no queue: a publish still in flight when another is due is followed by one
 * more publish of whatever is newest then (bound: one in flight, one pending).
 */
export class StatusPublisher {
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private again = false;

  constructor(
    private readonly health: RuntimeHealth,
    private readonly sink: StatusSink,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  current(): LocalRuntimeStatus {
    const status: LocalRuntimeStatus = { v: 1, ts: Date.now(), state: this.health.state };
    if (this.health.modelVersion) status.modelVersion = this.health.modelVersion;
    if (this.health.detail) status.detail = this.health.detail;
    return status;
  }

  start(): void {
    this.publish();
    this.timer = setInterval(() => this.publish(), this.intervalMs);
    this.timer.unref();
  }

  /** Publish the newest status now (or right after the one in flight). */
  publish(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return Promise.resolve();
    }
    this.inFlight = true;
    const status = this.current();
    return this.sink(encodeMessage('localRuntimeStatus', status)).then(
      () => this.done(),
      (err: unknown) => {
        this.log.debug({ err, state: status.state }, 'runtime status not published');
        this.done();
      },
    );
  }

  private done(): void {
    this.inFlight = false;
    if (this.again) {
      this.again = false;
      void this.publish();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
