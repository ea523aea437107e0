import type { PowerStatusMessage, WelcomeMessage } from '@outpost/protocols';
import type { GatewayConfig } from '../../config/config-schema.js';
import type { Logger } from '../../observability/logger.js';
import type { StoreWriter } from '../../store/store-writer.js';
import { Backoff } from './backoff.js';
import { BatchSizer } from './batch-sizer.js';
import { EnrollmentError, type HubCredential, enroll, readCredential } from './enrollment.js';
import { type SyncServiceClient, createHubClient } from './hub-client.js';
import type { HubDownlink } from './hub-downlink.js';
import { SyncSession } from './sync-session.js';
import type { SyncPace } from '../../power/power-mode.js';

/**
 * The sync connection's states:
 *
 *   idle ──start──▶ enrolling? ──▶ connecting ──Welcome──▶ streaming
 *                       │              │                     │ stream ends
 *                       ▼              ▼                     ▼
 *                    stopped ◀───── backoff ◀────────────────┘   (backoff ──delay──▶ connecting)
 *
 * enrolling runs only without a stored credential. stopped is final: a refused enrollment token, an
 * unsupported protocol version, a hub that lost acked records, or close(). A revoked or unknown
 * credential is not final: the gateway keeps its outbox and retries every REFUSED_RETRY_MS.
 */
export type SyncState = 'idle' | 'enrolling' | 'connecting' | 'streaming' | 'backoff' | 'stopped';

export const REFUSED_RETRY_MS = 5 * 60_000;
const RATE_WINDOW_MS = 10_000;
const CLOSE_WAIT_MS = 2000;

export interface SyncStatus {
  enabled: boolean;
  state: SyncState;
  hubUrl: string | null;
  gatewayId: string | null;
  hubId: string | null;
  clockTrusted: boolean | null;
  lastError: { code: string | null; message: string; at: number } | null;
  connectedAt: number | null;
  sessions: number;
  batchRecords: number;
  batchBytes: number;
  inFlightBatches: number;
  /** Records acked per second over the last 10 s. */
  drainRatePerSec: number;
  quarantined: number;
}

export interface ConnectionManagerDeps {
  config: GatewayConfig;
  writer: StoreWriter;
  downlink: HubDownlink;
  log: Logger;
  onAcked?: (ackedSeq: number, records: number) => void;
  onBatchSent?: (records: number, bytes: number) => void;
  onState?: (state: SyncState) => void;
  /** How to send in the current power mode (saver and critical pace and defer); continuous when absent. */
  pace?: () => SyncPace;
  /** The power mode reported to the hub; null while there is none. */
  power?: () => PowerStatusMessage | null;
}

export class ConnectionManager {
  #state: SyncState = 'idle';
  #client: SyncServiceClient | null = null;
  #session: SyncSession | null = null;
  #closing = false;
  #loop: Promise<void> | null = null;
  #sleepTimer: NodeJS.Timeout | null = null;
  #wakeSleep: (() => void) | null = null;
  #credential: HubCredential | null = null;
  #welcome: WelcomeMessage | null = null;
  #lastError: SyncStatus['lastError'] = null;
  #connectedAt: number | null = null;
  #sessions = 0;
  #quarantined = 0;
  readonly #acks: { at: number; records: number }[] = [];
  readonly #backoff: Backoff;
  readonly #sizer: BatchSizer;
  readonly #sync: GatewayConfig['sync'];

  constructor(private readonly deps: ConnectionManagerDeps) {
    this.#sync = deps.config.sync;
    this.#backoff = new Backoff(this.#sync.backoffBaseMs, this.#sync.backoffMaxMs);
    this.#sizer = new BatchSizer({ minRecords: this.#sync.batchMinRecords, maxRecords: this.#sync.batchMaxRecords, maxBytes: this.#sync.batchMaxBytes, targetAckMs: this.#sync.targetAckMs });
  }

  get state(): SyncState {
    return this.#state;
  }

  #setState(state: SyncState): void {
    if (state === this.#state) return;
    this.deps.log.info({ event: 'sync-state', from: this.#state, to: state }, `sync ${state}`);
    this.#state = state;
    this.deps.onState?.(state);
  }

  #fail(code: string | null, message: string): void {
    this.#lastError = { code, message, at: Date.now() };
    this.deps.log.warn({ event: 'sync-error', code }, message);
  }

  start(): void {
    if (!this.#sync.hubUrl || this.#loop) return;
    this.#client = createHubClient({ ...this.#sync, hubUrl: this.#sync.hubUrl }, Math.max(8 * 1024 * 1024, this.#sync.batchMaxBytes * 2));
    this.#loop = this.#run().catch((err: unknown) => {
      this.#fail(null, `sync loop failed: ${(err as Error).message}`);
      this.#setState('stopped');
    });
  }

  /** New outbox records were committed: wake the sender. */
  notify(): void {
    this.#session?.notify();
  }

  /** The power mode changed: the hub hears of it and the sender takes the new pace now. */
  powerChanged(): void {
    this.#session?.powerChanged();
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#wakeSleep = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
    });
    this.#wakeSleep = null;
  }

  async #credentialOrEnroll(): Promise<HubCredential | 'retry' | 'stop'> {
    const stored = readCredential(this.deps.config.dataDir);
    if (stored) return stored;
    if (!this.#sync.enrollmentToken) {
      this.#fail('E_SYNC_UNAUTHENTICATED', `no ${this.deps.config.dataDir}/hub-credential and no sync.enrollmentToken: create a token on the hub and set it`);
      return 'stop';
    }
    this.#setState('enrolling');
    try {
      const credential = await enroll(this.#client!, this.deps.config.dataDir, this.#sync.enrollmentToken, this.#sync.gatewayName);
      this.deps.log.info({ event: 'enrolled', gatewayId: credential.gatewayId, hubId: credential.hubId }, 'enrolled with the hub');
      return credential;
    } catch (err) {
      const e = err as EnrollmentError;
      this.#fail(e.wireCode, e.message);
      return e instanceof EnrollmentError && !e.retryable ? 'stop' : 'retry';
    }
  }

  async #run(): Promise<void> {
    while (!this.#closing) {
      const credential = await this.#credentialOrEnroll();
      if (this.#closing) break;
      if (credential === 'stop') break;
      if (credential === 'retry') {
        this.#setState('backoff');
        await this.#sleep(this.#backoff.next());
        continue;
      }
      this.#credential = credential;
      this.#setState('connecting');
      this.#sessions++;
      const session = new SyncSession(
        this.#client!,
        credential.credential,
        this.deps.writer,
        this.#sizer,
        {
          maxInFlightBatches: this.#sync.maxInFlightBatches,
          ackTimeoutMs: this.#sync.ackTimeoutMs,
          welcomeTimeoutMs: Math.max(10_000, this.#sync.ackTimeoutMs),
          ...(this.deps.pace ? { pace: this.deps.pace } : {}),
          ...(this.deps.power ? { power: this.deps.power } : {}),
        },
        {
          welcome: (welcome) => {
            this.#welcome = welcome;
            this.#connectedAt = Date.now();
            if (!welcome.clockTrusted) this.deps.log.warn({ event: 'clock-untrusted', hubWallMs: welcome.hubWallMs, wallMs: Date.now() }, "the hub does not trust this gateway's clock; check NTP");
            this.#setState('streaming');
          },
          acked: (ackedSeq, records) => {
            this.#backoff.reset();
            const now = performance.now();
            this.#acks.push({ at: now, records });
            while (this.#acks.length > 0 && now - this.#acks[0]!.at > RATE_WINDOW_MS) this.#acks.shift();
            this.deps.onAcked?.(ackedSeq, records);
          },
          batchSent: (records, bytes) => this.deps.onBatchSent?.(records, bytes),
          payloadQuarantined: (message) => {
            this.#quarantined++;
            this.#fail('E_SYNC_PAYLOAD', `hub quarantined records: ${message}`);
          },
          hubMessage: (message, send) => this.deps.downlink.handle(message, send),
        },
        this.deps.log,
      );
      this.#session = session;
      const end = await session.run();
      this.#session = null;
      this.#connectedAt = null;
      if (this.#closing) break;
      if (end.next === 'stop') {
        this.#fail(end.code, end.reason);
        break;
      }
      this.#fail('code' in end ? end.code : null, end.reason);
      this.#setState('backoff');
      if (end.next === 'slow') await this.#sleep(REFUSED_RETRY_MS);
      else if (end.next === 'now') await this.#sleep(Math.floor(Math.random() * this.#sync.backoffBaseMs));
      else await this.#sleep(this.#backoff.next());
    }
    this.#setState('stopped');
  }

  status(): SyncStatus {
    const now = performance.now();
    const recent = this.#acks.filter((a) => now - a.at <= RATE_WINDOW_MS);
    return {
      enabled: Boolean(this.#sync.hubUrl),
      state: this.#state,
      hubUrl: this.#sync.hubUrl ?? null,
      gatewayId: this.#credential?.gatewayId ?? readCredential(this.deps.config.dataDir)?.gatewayId ?? null,
      hubId: this.#welcome?.hubId ?? this.#credential?.hubId ?? null,
      clockTrusted: this.#welcome?.clockTrusted ?? null,
      lastError: this.#lastError,
      connectedAt: this.#connectedAt,
      sessions: this.#sessions,
      batchRecords: this.#sizer.size,
      batchBytes: this.#sizer.maxBytes,
      inFlightBatches: this.#session?.inFlightBatches ?? 0,
      drainRatePerSec: Math.round(recent.reduce((n, a) => n + a.records, 0) / (RATE_WINDOW_MS / 1000)),
      quarantined: this.#quarantined,
    };
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#session?.stop();
    if (this.#sleepTimer) clearTimeout(this.#sleepTimer);
    this.#wakeSleep?.();
    // An enrollment call in flight may hold the loop up to its deadline: do not make shutdown wait for it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    this.#client?.close();
    this.#setState('stopped');
  }
}
