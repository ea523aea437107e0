import * as grpc from '@grpc/grpc-js';
import type { DecodedHubMessage, GatewayMessage, HelloMessage, WelcomeMessage } from '@outpost/protocols';
import type { DownlinkResponder } from './downlink-responder.js';
import { classifyStreamEnd, type StreamEnd } from './stream-end.js';
import type { SyncClient, SyncStream } from './sync-client.js';

export interface SessionHandlers {
  welcome(welcome: WelcomeMessage, welcomeMs: number): void;
  ack(ackedSeq: number): void;
  /** An Error message from the hub (the stream may stay open: E_SYNC_PAYLOAD). */
  hubError(code: string, message: string): void;
  /** The stream ended by the hub or the network; `counted`: its code already came in an Error message. */
  end(end: StreamEnd, counted: boolean): void;
  /** The stream's buffer drained after a write returned false. */
  writable(): void;
}

/**
 * One Stream call: authorization metadata, Hello first, then hub messages dispatched to the handlers and
 * downlink messages answered. After `cancel()` or `detach()` its events are ignored.
 */
export class GatewaySession {
  readonly startedAt = performance.now();
  welcomed = false;
  writable = true;
  readonly #call: SyncStream;
  readonly #hubErrors = new Set<string>();
  #detached = false;

  constructor(
    client: SyncClient,
    credential: string,
    hello: HelloMessage,
    private readonly handlers: SessionHandlers,
    private readonly downlink: DownlinkResponder,
  ) {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${credential}`);
    const call = client.Stream(metadata);
    this.#call = call;
    call.on('data', (message: DecodedHubMessage) => this.#onMessage(message));
    call.on('error', () => {}); // the status event says how the call ended
    call.on('status', (status: grpc.StatusObject) => {
      if (!this.#detached) {
        this.#detached = true;
        const end = classifyStreamEnd(status);
        handlers.end(end, this.#hubErrors.has(end.code));
      }
    });
    call.on('drain', () => {
      if (this.#detached) return;
      this.writable = true;
      handlers.writable();
    });
    call.write({ hello });
  }

  get active(): boolean {
    return !this.#detached;
  }

  send(message: GatewayMessage): boolean {
    if (this.#detached) return false;
    this.writable = this.#call.write(message);
    return this.writable;
  }

  /** Half-close: the hub ends the stream with OK once it has read everything; the status still reaches `end`. */
  halfClose(): void {
    this.#call.end();
  }

  /** Drop the stream at once; no handler is called after this. */
  cancel(): void {
    this.#detached = true;
    this.#call.cancel();
  }

  #onMessage(message: DecodedHubMessage): void {
    if (this.#detached) return;
    switch (message.body) {
      case 'welcome':
        if (message.welcome && !this.welcomed) {
          this.welcomed = true;
          this.handlers.welcome(message.welcome, performance.now() - this.startedAt);
        }
        return;
      case 'ack':
        if (message.ack) this.handlers.ack(message.ack.ackedSeq);
        return;
      case 'error':
        if (!message.error) return;
        this.#hubErrors.add(message.error.code);
        return this.handlers.hubError(message.error.code, message.error.message);
      case 'command':
        if (message.command) this.downlink.command(message.command, (m) => this.send(m));
        return;
      case 'desiredState':
        if (message.desiredState) this.downlink.desiredState(message.desiredState);
        return;
    }
  }
}
