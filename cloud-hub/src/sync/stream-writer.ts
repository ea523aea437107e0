import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { HubMessage } from '@outpost/protocols';
import type { SizedGatewayMessage } from './sync-proto.js';

/**
 * Writes to one stream with backpressure. `write()` returning false marks the stream blocked: the session
 * stops reading batches and the downlink pump stops until 'drain'. A stream that stays blocked longer than
 * `drainTimeoutMs` is a slow consumer and is closed by `onStalled`.
 */
export class StreamWriter {
  #blocked = false;
  #waiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly call: ServerDuplexStream<SizedGatewayMessage, HubMessage>,
    private readonly drainTimeoutMs: number,
    private readonly onStalled: () => void,
  ) {
    call.on('drain', () => this.#drained());
  }

  get blocked(): boolean {
    return this.#blocked;
  }

  /** Write one message; returns false when the stream is now blocked. */
  write(message: HubMessage): boolean {
    if (this.call.writableEnded || this.call.destroyed) return false;
    const ok = this.call.write(message);
    if (!ok && !this.#blocked) {
      this.#blocked = true;
      this.#timer = setTimeout(() => this.onStalled(), this.drainTimeoutMs);
    }
    return ok;
  }

  /** Resolves when the stream can take more (at once if it is not blocked). */
  whenWritable(): Promise<void> {
    return this.#blocked ? new Promise((resolve) => this.#waiters.push(resolve)) : Promise.resolve();
  }

  #drained(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#blocked = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Release waiters when the stream ends. */
  dispose(): void {
    this.#drained();
  }
}
