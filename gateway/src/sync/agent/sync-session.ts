import * as grpc from '@grpc/grpc-js';
import { DATA_CLASSES, type DecodedHubMessage, type GatewayMessage, type PowerStatusMessage, SYNC_PROTOCOL_VERSION, type WelcomeMessage } from '@outpost/protocols';
import type { Logger } from '../../observability/logger.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { SequencedRecord } from '../outbox/outbox-types.js';
import { type SyncPace, URGENT_PRIORITY } from '../../power/power-mode.js';
import type { BatchSizer } from './batch-sizer.js';
import { softwareVersion } from './enrollment.js';
import type { SyncServiceClient } from './hub-client.js';

export interface SessionOptions {
  maxInFlightBatches: number;
  ackTimeoutMs: number;
  /** How long to wait for the hub's Welcome after Hello. */
  welcomeTimeoutMs: number;
  /** How to send in the current power mode; asked before every batch. Unset: continuously, every class. */
  pace?: () => SyncPace;
  /** The gateway's power mode for the hub (Hello, then on every change); null while there is none. */
  power?: () => PowerStatusMessage | null;
}

const CONTINUOUS: SyncPace = { intervalMs: 0, maxBatchRecords: null, maxPriority: null };
const samePower = (a: PowerStatusMessage | null, b: PowerStatusMessage | null) =>
  a === b || (a !== null && b !== null && a.mode === b.mode && a.simulated === b.simulated && a.sinceMs === b.sinceMs && a.source === b.source);

/** How a session ended, and what the connection manager should do next. */
export type SessionEnd =
  | { next: 'backoff'; reason: string }
  | { next: 'now'; reason: string }
  | { next: 'slow'; code: string; reason: string }
  | { next: 'stop'; code: string; reason: string };

export interface SessionEvents {
  welcome(welcome: WelcomeMessage): void;
  acked(ackedSeq: number, records: number): void;
  batchSent(records: number, bytes: number): void;
  payloadQuarantined(message: string): void;
  hubMessage(message: DecodedHubMessage, send: (message: GatewayMessage) => boolean): void;
}

interface InFlight {
  lastSeq: number;
  records: number;
  bytes: number;
  full: boolean;
  sentAt: number;
}

const IDLE_POLL_MS = 1000;

function toProto(record: SequencedRecord) {
  return { seq: record.seq, dataClass: DATA_CLASSES[record.dataClass].proto, hlc: { wallMs: record.hlcWall, logical: record.hlcLogical }, payload: Buffer.from(record.payload) };
}

/**
 * One Stream call: Hello → Welcome → resend everything after Welcome.acked_seq → keep sending, with at
 * most `maxInFlightBatches` unacked batches. Sequencing happens here, at send time, so a new alert jumps
 * every unsequenced record and waits at most for the in-flight window to drain.
 */
export class SyncSession {
  readonly #inFlight: InFlight[] = [];
  #call: grpc.ClientDuplexStream<GatewayMessage, DecodedHubMessage> | null = null;
  #ended: SessionEnd | null = null;
  #wakeUp: (() => void) | null = null;
  #nextSeq = 0;
  #ackTimer: NodeJS.Timeout | null = null;
  #resolveEnd: ((end: SessionEnd) => void) | null = null;
  #welcomed = false;
  /** Paced sending (saver, critical): whether a round is under way, and when the next one may start. */
  #roundOpen = true;
  #nextRoundAt = 0;
  #powerSent: PowerStatusMessage | null = null;

  constructor(
    private readonly client: SyncServiceClient,
    private readonly credential: string,
    private readonly writer: StoreWriter,
    private readonly sizer: BatchSizer,
    private readonly options: SessionOptions,
    private readonly events: SessionEvents,
    private readonly log: Logger,
  ) {}

  /** Wake the send loop: new outbox records were committed. */
  notify(): void {
    const wake = this.#wakeUp;
    this.#wakeUp = null;
    wake?.();
  }

  /** The power mode changed: tell the hub (once streaming) and let the send loop pick up the new pace. */
  powerChanged(): void {
    if (this.#welcomed && !this.#ended) this.#sendPower();
    this.notify();
  }

  #sendPower(): void {
    const power = this.options.power?.() ?? null;
    if (!power || samePower(power, this.#powerSent)) return;
    this.#powerSent = power;
    this.#call?.write({ power });
  }

  get inFlightBatches(): number {
    return this.#inFlight.length;
  }

  /** Run the session until the stream ends; never rejects. */
  async run(): Promise<SessionEnd> {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${this.credential}`);
    const ended = new Promise<SessionEnd>((resolve) => (this.#resolveEnd = resolve));
    let hello: GatewayMessage;
    const power = this.options.power?.() ?? null;
    try {
      const [backlog, hlc] = await Promise.all([this.writer.outbox({ op: 'backlog' }), this.writer.outbox({ op: 'hlcNow' })]);
      hello = {
        hello: {
          protocolVersion: SYNC_PROTOCOL_VERSION,
          softwareVersion: softwareVersion(),
          wallMs: Date.now(),
          hlc,
          backlogRecords: backlog.records,
          backlogOldestMs: backlog.oldestMs ?? 0,
          ...(power ? { power } : {}),
        },
      };
      this.#powerSent = power;
    } catch (err) {
      return { next: 'backoff', reason: `store: ${(err as Error).message}` };
    }
    const call = this.client.Stream(metadata);
    this.#call = call;
    call.on('data', (message: DecodedHubMessage) => this.#onMessage(message));
    call.on('error', (err: grpc.ServiceError) => {
      if (!this.#ended && err.code === grpc.status.RESOURCE_EXHAUSTED) this.#tooLarge();
      this.#end(classifyStatus(err));
    });
    call.on('end', () => this.#end({ next: 'backoff', reason: 'stream ended by the hub' }));
    call.write(hello);
    const welcomeTimer = setTimeout(() => {
      if (!this.#welcomed) this.#end({ next: 'backoff', reason: `no Welcome within ${this.options.welcomeTimeoutMs} ms` });
    }, this.options.welcomeTimeoutMs);
    const end = await ended;
    clearTimeout(welcomeTimer);
    return end;
  }

  /** End the session from outside (gateway shutdown). */
  stop(reason = 'stopping'): void {
    this.#end({ next: 'stop', code: 'STOPPED', reason });
  }

  #end(end: SessionEnd): void {
    if (this.#ended) return;
    this.#ended = end;
    if (this.#ackTimer) clearInterval(this.#ackTimer);
    this.#call?.cancel();
    this.#call?.removeAllListeners('data');
    this.#call?.on('error', () => {}); // a cancelled call still reports CANCELLED
    this.notify();
    this.#resolveEnd?.(end);
  }

  #onMessage(message: DecodedHubMessage): void {
    if (this.#ended) return;
    switch (message.body) {
      case 'welcome':
        return void this.#onWelcome(message.welcome!);
      case 'ack':
        return this.#onAck(message.ack!.ackedSeq);
      case 'error': {
        const error = message.error!;
        if (error.code === 'E_SYNC_PAYLOAD') return this.events.payloadQuarantined(error.message);
        if (error.code === 'E_SYNC_BATCH_TOO_LARGE') {
          this.#tooLarge();
          return this.#end({ next: 'now', reason: `${error.code}: ${error.message}` });
        }
        if (error.code === 'E_SYNC_SEQUENCE') return this.#end({ next: 'now', reason: `${error.code}: ${error.message}` });
        if (error.code === 'E_SYNC_PROTOCOL_VERSION') return this.#end({ next: 'stop', code: error.code, reason: error.message });
        if (error.code === 'E_SYNC_UNAUTHENTICATED' || error.code === 'E_SYNC_REVOKED') return this.#end({ next: 'slow', code: error.code, reason: error.message });
        this.log.warn({ code: error.code, retryable: error.retryable }, `hub error: ${error.message}`);
        return;
      }
      default:
        this.events.hubMessage(message, (m) => (this.#ended ? false : (this.#call?.write(m) ?? false)));
    }
  }

  async #onWelcome(welcome: WelcomeMessage): Promise<void> {
    if (this.#welcomed) return;
    this.#welcomed = true;
    try {
      await this.writer.outbox({ op: 'hlcReceive', remote: { wallMs: welcome.hubWallMs, logical: 0 } });
      const stats = await this.writer.outbox({ op: 'backlog' });
      if (welcome.ackedSeq < stats.ackedSeq) {
        // The hub lost records it had acked (restored from an old backup): they are gone here too.
        return this.#end({ next: 'stop', code: 'HUB_BEHIND', reason: `hub acked ${welcome.ackedSeq} but had acked ${stats.ackedSeq} before; records in between cannot be resent` });
      }
      await this.writer.outbox({ op: 'ack', seq: welcome.ackedSeq });
    } catch (err) {
      return this.#end({ next: 'backoff', reason: `store: ${(err as Error).message}` });
    }
    this.#nextSeq = welcome.ackedSeq + 1;
    this.events.welcome(welcome);
    this.#sendPower(); // it may have changed between Hello and Welcome
    this.#ackTimer = setInterval(() => {
      const oldest = this.#inFlight[0];
      if (oldest && performance.now() - oldest.sentAt > this.options.ackTimeoutMs) this.#end({ next: 'backoff', reason: `no ack within ${this.options.ackTimeoutMs} ms` });
    }, Math.min(1000, this.options.ackTimeoutMs));
    void this.#pump();
  }

  /** The hub refused a batch as too large: go below the biggest one in flight, in records and bytes. */
  #tooLarge(): void {
    const biggest = this.#inFlight.reduce((a, b) => (b.bytes > a.bytes ? b : a), { records: this.sizer.size, bytes: this.sizer.maxBytes } as Pick<InFlight, 'records' | 'bytes'>);
    this.sizer.tooLarge(biggest.records, biggest.bytes);
  }

  #onAck(ackedSeq: number): void {
    const now = performance.now();
    let records = 0;
    while (this.#inFlight.length > 0 && this.#inFlight[0]!.lastSeq <= ackedSeq) {
      const batch = this.#inFlight.shift()!;
      records += batch.records;
      this.sizer.acked(now - batch.sentAt, batch.full);
    }
    this.writer.outbox({ op: 'ack', seq: ackedSeq }).then(
      () => this.events.acked(ackedSeq, records),
      (err: Error) => this.#end({ next: 'backoff', reason: `store: ${err.message}` }),
    );
    this.notify();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeUp = null;
        resolve();
      }, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #waitForDrain(call: grpc.ClientDuplexStream<GatewayMessage, DecodedHubMessage>): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        call.off('drain', onDrain);
        call.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => finish(true);
      const onClose = () => finish(false);
      const timer = setTimeout(() => finish(false), this.options.ackTimeoutMs);
      call.once('drain', onDrain);
      call.once('close', onClose);
    });
  }

  /**
   * The send loop. With a paced power mode (intervalMs > 0) it sends in rounds: a round sends every eligible
   * record (classes up to pace.maxPriority) and ends when none is left; until the next round, intervalMs
   * later, only alerts are sequenced, and they go at once. Without pacing every round is open.
   */
  async #pump(): Promise<void> {
    const call = this.#call!;
    while (!this.#ended) {
      if (this.#inFlight.length >= this.options.maxInFlightBatches) {
        await this.#wait(IDLE_POLL_MS);
        continue;
      }
      const pace = this.options.pace?.() ?? CONTINUOUS;
      const now = performance.now();
      if (pace.intervalMs === 0 || (!this.#roundOpen && now >= this.#nextRoundAt)) this.#roundOpen = true;
      const maxRecords = Math.min(this.sizer.size, pace.maxBatchRecords ?? Number.MAX_SAFE_INTEGER);
      const maxBytes = this.sizer.maxBytes;
      const maxPriority = this.#roundOpen ? pace.maxPriority : URGENT_PRIORITY;
      let records: SequencedRecord[];
      try {
        const request = { fromSeq: this.#nextSeq, maxRecords, maxBytes, ...(maxPriority === null ? {} : { maxPriority }) };
        records = await this.writer.outbox({ op: 'nextBatch', request });
      } catch (err) {
        return this.#end({ next: 'backoff', reason: `store: ${(err as Error).message}` });
      }
      if (this.#ended) return;
      if (records.length === 0) {
        if (pace.intervalMs > 0 && this.#roundOpen) {
          this.#roundOpen = false;
          this.#nextRoundAt = now + pace.intervalMs;
        }
        const untilRound = this.#roundOpen ? IDLE_POLL_MS : Math.max(1, this.#nextRoundAt - now);
        await this.#wait(Math.min(IDLE_POLL_MS, untilRound));
        continue;
      }
      const last = records[records.length - 1]!;
      let bytes = 0;
      for (const r of records) bytes += r.payload.length;
      const writable = call.write({ batch: { records: records.map(toProto) } });
      // Full relative to the adaptive size, not to a power cap: a capped batch says nothing about the hub.
      const full = records.length >= this.sizer.size || bytes >= maxBytes / 2;
      this.#inFlight.push({ lastSeq: last.seq, records: records.length, bytes, full, sentAt: performance.now() });
      this.#nextSeq = last.seq + 1;
      this.events.batchSent(records.length, bytes);
      if (!writable && !(await this.#waitForDrain(call)) && !this.#ended) {
        return this.#end({ next: 'backoff', reason: `stream did not drain within ${this.options.ackTimeoutMs} ms` });
      }
    }
  }
}

/** Map a gRPC status (with the wire code at the start of its details) to what to do next. */
export function classifyStatus(err: grpc.ServiceError): SessionEnd {
  const details = err.details ?? err.message;
  const code = /^(E_[A-Z_]+)/.exec(details)?.[1];
  const reason = `${grpc.status[err.code] ?? err.code}: ${details}`;
  if (code === 'E_SYNC_UNAUTHENTICATED' || code === 'E_SYNC_REVOKED' || err.code === grpc.status.UNAUTHENTICATED) return { next: 'slow', code: code ?? 'E_SYNC_UNAUTHENTICATED', reason };
  if (code === 'E_SYNC_PROTOCOL_VERSION') return { next: 'stop', code, reason };
  if (code === 'E_SYNC_SEQUENCE' || code === 'E_SYNC_BATCH_TOO_LARGE' || err.code === grpc.status.RESOURCE_EXHAUSTED) return { next: 'now', reason };
  if (err.code === grpc.status.PERMISSION_DENIED) return { next: 'slow', code: code ?? 'E_SYNC_REVOKED', reason };
  return { next: 'backoff', reason };
}
