import { SYNC_PROTOCOL_VERSION, type WelcomeMessage } from '@outpost/protocols';
import { performance } from 'node:perf_hooks';
import { DownlinkResponder } from './downlink-responder.js';
import type { GatewayCredential } from './gateway-load-options.js';
import { GatewaySession, type SessionHandlers } from './gateway-session.js';
import type { GatewayStats } from './gateway-stats.js';
import type { OutboxWindow } from './outbox-window.js';
import { reconnectDelayMs, type StreamEnd } from './stream-end.js';
import { SIM_SOFTWARE_VERSION, type SyncClient } from './sync-client.js';

export interface GatewaySettings {
  inFlightBatches: number;
  ackTimeoutMs: number;
  welcomeTimeoutMs: number;
}

/**
 * One simulated gateway's sync connection. States:
 *
 *   idle ──start──▶ connecting ──Welcome──▶ streaming ──stream ends──▶ backoff ──delay──▶ connecting
 *                        └───── no Welcome in time, stream ends ─────────▲
 *
 * refused (credential unknown or revoked), failed (protocol version refused; the hub behind or ahead of
 * this gateway's acks) and closed are final.
 */
export type GatewayState = 'idle' | 'connecting' | 'streaming' | 'backoff' | 'refused' | 'failed' | 'closed';

const STABLE_SESSION_MS = 30_000;
const CLOSE_WAIT_MS = 2_000;

export class SimulatedGateway {
  state: GatewayState = 'idle';
  sessions = 0;
  finalError: string | null = null;
  #session: GatewaySession | null = null;
  #everWelcomed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;
  #closing: (() => void) | null = null;
  readonly #downlink: DownlinkResponder;

  constructor(
    readonly credential: GatewayCredential,
    private readonly client: SyncClient,
    readonly window: OutboxWindow,
    private readonly settings: GatewaySettings,
    private readonly stats: GatewayStats,
  ) {
    this.#downlink = new DownlinkResponder(stats);
  }

  get finished(): boolean {
    return this.state === 'refused' || this.state === 'failed' || this.state === 'closed';
  }

  /** Nothing left to deliver: every batch made was acked (batches are made only after a Welcome), or the gateway stopped for good. */
  get drained(): boolean {
    return this.finished || this.window.unacked.length === 0;
  }

  start(now: number): void {
    this.window.start(now);
    this.#connect();
  }

  /** The shared clock: owe records at the rate, send what is due, and give up on a silent stream. */
  tick(now: number, dtMs: number): void {
    if (this.finished || this.state === 'idle' || this.#closing) return;
    const { welcomeTimeoutMs, ackTimeoutMs } = this.settings;
    this.stats.count('skipped', this.window.accrue(dtMs));
    const session = this.#session;
    if (!session) return;
    if (!session.welcomed && now - session.startedAt > welcomeTimeoutMs) return this.#leave('WELCOME_TIMEOUT', `no Welcome within ${welcomeTimeoutMs} ms`, 'backoff');
    const oldest = this.window.unacked[0]?.sentAt;
    if (oldest != null && now - oldest > ackTimeoutMs) return this.#leave('ACK_TIMEOUT', `no ack within ${ackTimeoutMs} ms`, 'backoff');
    if (now - session.startedAt > STABLE_SESSION_MS) this.#attempt = 0;
    this.#pump(now);
  }

  /** Stop for good: half-close the stream when nothing is in flight (the hub then ends it cleanly), else cancel it. */
  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    const session = this.#session;
    if (session?.welcomed && this.window.unacked.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.#closeNow(), CLOSE_WAIT_MS);
        this.#closing = () => {
          clearTimeout(timer);
          resolve();
        };
        session.halfClose();
      });
    }
    this.#closeNow();
  }

  #closeNow(): void {
    this.#endSession()?.cancel();
    if (!this.finished) this.state = 'closed';
    this.#closing?.();
  }

  #connect(): void {
    this.#timer = null;
    this.state = 'connecting';
    this.sessions++;
    this.stats.count('streamAttempts');
    const w = this.window;
    const backlog = { backlogRecords: Math.floor(w.owed) + w.unackedRecords, backlogOldestMs: w.unacked[0]?.plan.hlcWallMs ?? 0 };
    const hello = { protocolVersion: SYNC_PROTOCOL_VERSION, softwareVersion: SIM_SOFTWARE_VERSION, wallMs: Date.now(), hlc: w.hlcNow(), ...backlog };
    const handlers: SessionHandlers = {
      welcome: (welcome, welcomeMs) => this.#onWelcome(welcome, welcomeMs),
      ack: (ackedSeq) => this.#onAck(ackedSeq),
      hubError: (code, message) => {
        this.stats.error(code, message);
        if (code === 'E_SYNC_BATCH_TOO_LARGE') this.window.halve();
      },
      end: (end, counted) => this.#onEnd(end, counted),
      writable: () => this.#pump(performance.now()),
    };
    this.#session = new GatewaySession(this.client, this.credential.credential, hello, handlers, this.#downlink);
  }

  #onWelcome({ ackedSeq, hubWallMs }: WelcomeMessage, welcomeMs: number): void {
    const { outcome, ackedRecords } = this.window.welcome(ackedSeq, hubWallMs);
    if (outcome !== 'ok') {
      const had = outcome === 'behind' ? `an ack for ${this.window.ackedSeq}` : `sent only up to ${this.window.lastSeq}`;
      return this.#leave(outcome === 'behind' ? 'HUB_BEHIND' : 'HUB_AHEAD', `Welcome.acked_seq ${ackedSeq}, but this gateway had ${had}`, 'failed');
    }
    if (!this.#everWelcomed) this.stats.count('gatewaysConnected');
    this.#everWelcomed = true;
    this.state = 'streaming';
    this.stats.count('streamsOpened');
    this.stats.welcomed(welcomeMs);
    this.stats.count('acked', ackedRecords);
    this.stats.count('ackedOnWelcome', ackedRecords);
    this.stats.connectedDelta(1);
    this.#pump(performance.now());
  }

  #onAck(ackedSeq: number): void {
    const now = performance.now();
    for (const batch of this.window.ack(ackedSeq, now)) {
      this.stats.count('acked', batch.records);
      if (batch.latencyMs !== null) this.stats.batchAcked(batch.latencyMs);
    }
    this.#attempt = 0;
    this.#pump(now);
  }

  /** Send unsent batches (resends first), then new ones, while the window and the stream's buffer allow. */
  #pump(now: number): void {
    const session = this.#session;
    if (!session?.welcomed || this.#closing) return;
    while (session.writable) {
      const next = this.window.nextToSend(this.settings.inFlightBatches, now);
      if (!next) return;
      const records = this.window.records(next.batch);
      next.batch.sentAt = performance.now();
      this.stats.count(next.resend ? 'resent' : 'sent', records.length);
      this.stats.count('batchesSent');
      session.send({ batch: { records } });
    }
  }

  #onEnd(end: StreamEnd, counted: boolean): void {
    this.#endSession();
    if (this.#closing) return this.#closeNow();
    if (end.tooLarge && !counted) this.window.halve();
    this.#leave(end.code, end.reason, end.next, counted);
  }

  /** Leave the current stream and count why (unless its Error message was counted); then reconnect, or stop for good. */
  #leave(code: string, reason: string, next: StreamEnd['next'], counted = false): void {
    this.#endSession()?.cancel();
    if (!counted) this.stats.error(code, reason);
    if (next === 'refused' || next === 'failed') {
      this.state = next;
      this.finalError = `${code}: ${reason}`;
      return;
    }
    this.state = 'backoff';
    const delay = reconnectDelayMs(this.#attempt, next === 'now');
    if (next !== 'now') this.#attempt++;
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  /** Forget the current session (its events are ignored from here on) and return it. */
  #endSession(): GatewaySession | null {
    const session = this.#session;
    if (session?.welcomed && this.state === 'streaming') this.stats.connectedDelta(-1);
    this.#session = null;
    return session;
  }
}
