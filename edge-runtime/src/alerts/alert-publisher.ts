import { encodeMessage, type LocalAlert, ProtocolError } from '@outpost/protocols';
import type { Logger } from '../observability/logger.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';

/** Publishes one encoded alert at QoS 1; resolves when the gateway's PUBACK arrived (the alert is stored). */
export type AlertSink = (payload: Buffer) => Promise<void>;

export interface AlertPublisherOptions {
  /** Alerts waiting for their PUBACK before `hasRoom()` turns false and reading intake pauses. */
  queueMax: number;
  /** Publishes in flight at once. */
  maxInFlight?: number;
  /** Delay before a failed publish is tried again (doubling up to 30 s). */
  retryMinMs?: number;
}

/**
 * The outgoing alert queue ("alerts", bound `queueMax`). Policy when full: nothing is dropped; the producer
 * pauses: `hasRoom()` is false and `waitForRoom()` holds the reading intake, so the gateway gets no PUBACK
 * for further readings until alerts drain. One batch of readings may overshoot the bound by the alerts it
 * raises. A publish that fails (connection lost, gateway refused) is retried with backoff until it is
 * acknowledged or the runtime closes; an alert that fails the protocol schema is a bug: logged, counted, not sent.
 */
export class AlertPublisher {
  private readonly queue: { alert: LocalAlert; payload: Buffer }[] = [];
  private inFlight = 0;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly sink: AlertSink,
    private readonly options: AlertPublisherOptions,
    private readonly events: RuntimeEvents,
    private readonly log: Logger,
  ) {
    this.retryMs = options.retryMinMs ?? 200;
  }

  /** Alerts queued or in flight. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  hasRoom(): boolean {
    return this.closed || this.pending < this.options.queueMax;
  }

  waitForRoom(): Promise<void> {
    if (this.hasRoom() || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Resolves once every queued alert was acknowledged. */
  waitForIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  enqueue(alert: LocalAlert): void {
    let payload: Buffer;
    try {
      payload = encodeMessage('localAlert', alert);
    } catch (err) {
      if (err instanceof ProtocolError) return this.events.alertInvalid(err);
      throw err;
    }
    this.events.alertRaised(alert);
    this.queue.push({ alert, payload });
    this.pump();
  }

  private pump(): void {
    const maxInFlight = this.options.maxInFlight ?? 32;
    while (!this.closed && this.retryTimer === null && this.inFlight < maxInFlight && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.inFlight++;
      this.sink(item.payload).then(
        () => {
          this.inFlight--;
          this.retryMs = this.options.retryMinMs ?? 200;
          this.events.alertPublished();
          this.settled();
        },
        (err: unknown) => {
          this.inFlight--;
          if (this.closed) return this.settled();
          // Back in front, in order: it is retried before anything newer.
          this.queue.unshift(item);
          this.log.warn({ err, alertId: item.alert.alertId, retryInMs: this.retryMs }, 'alert not acknowledged; retrying');
          this.scheduleRetry();
        },
      );
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }

  private settled(): void {
    if (this.hasRoom()) for (const wake of this.roomWaiters.splice(0)) wake();
    if (this.pending === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    this.pump();
  }

  /** Stop sending; alerts still queued are reported and dropped (the caller drains with waitForIdle first). */
  close(): number {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const left = this.queue.length + this.inFlight;
    if (left > 0) this.log.error({ alerts: left, ids: this.queue.slice(0, 20).map((q) => q.alert.alertId) }, 'closing with alerts not acknowledged by the gateway');
    this.queue.length = 0;
    for (const wake of [...this.roomWaiters.splice(0), ...this.idleWaiters.splice(0)]) wake();
    return left;
  }
}
