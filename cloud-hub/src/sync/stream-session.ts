import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import { type FlReplyMessage, type FlTaskMessage, type HelloMessage, type HubMessage, POWER_MODES, type PowerMode, type PowerStatusMessage, type RecordMessage, SYNC_PROTOCOL_VERSION, type WireErrorCode } from '@outpost/protocols';
import type { HubConfig } from '../config/config-schema.js';
import type { HubEvents } from '../observability/hub-events.js';
import type { Logger } from '../observability/logger.js';
import type { BatchOutcome, HubStore, IncomingRecord, PowerInfo } from '../store/hub-store.js';
import { type GroupCommitter, MAX_PENDING_PER_STREAM } from './group-commit.js';
import { DownlinkPump } from './downlink-pump.js';
import { wireStatus } from './grpc-status.js';
import { StreamWriter } from './stream-writer.js';
import type { SizedGatewayMessage } from './sync-proto.js';

export interface SessionDeps {
  store: HubStore;
  events: HubEvents;
  logger: Logger;
  config: HubConfig['sync'];
  now: () => number;
  committer: Pick<GroupCommitter, 'apply'>;
  /** Awaited before the Welcome (the ingest role waits for workers to apply the gateway's logged batches). */
  beforeWelcome?: (gatewayId: string) => Promise<void>;
  /** Where federated-learning replies go (the coordinator); dropped without one. */
  onFlReply?: (gatewayId: string, reply: FlReplyMessage) => void;
}

type State = 'awaiting-hello' | 'streaming' | 'closed';

const toIncoming = (r: RecordMessage): IncomingRecord => ({ seq: r.seq, dataClass: r.dataClass, hlcWallMs: r.hlc?.wallMs ?? 0, hlcLogical: r.hlc?.logical ?? 0, payload: r.payload });

/**
 * One authenticated sync stream of one gateway. States: awaiting-hello → streaming → closed.
 * Batches go to the group committer in arrival order (one savepoint each, one commit per turn of the event
 * loop for every stream), and their acks go out after that commit, in order.
 */
export class StreamSession {
  #state: State = 'awaiting-hello';
  #pendingApplies = 0;
  #clockTrusted = true;
  readonly #writer: StreamWriter;
  readonly #pump: DownlinkPump;
  readonly #closedHandlers: (() => void)[] = [];

  constructor(
    readonly gatewayId: string,
    private readonly call: ServerDuplexStream<SizedGatewayMessage, HubMessage>,
    private readonly deps: SessionDeps,
  ) {
    this.#writer = new StreamWriter(call, deps.config.writeDrainTimeoutMs, () => {
      deps.events.streamRefused('SLOW_CONSUMER', { gatewayId });
      this.close(status.UNAVAILABLE, null, 'slow consumer: the stream was not read for too long');
    });
    this.#pump = new DownlinkPump({
      gatewayId,
      shadows: deps.store.shadows,
      commands: deps.store.commands,
      writer: this.#writer,
      pageSize: deps.config.downlinkPageSize,
      onSent: (kind, n) => deps.events.downlinkSent(kind, n),
      now: deps.now,
    });
    call.on('data', (message: SizedGatewayMessage) => this.#onMessage(message));
    call.on('end', () => this.close(status.OK, null, 'gateway ended the stream'));
    call.on('cancelled', () => this.#finish('cancelled by the gateway'));
    call.on('error', () => this.#finish('stream error'));
    call.on('close', () => this.#finish('stream closed'));
  }

  get state(): State {
    return this.#state;
  }

  onClosed(handler: () => void): void {
    this.#closedHandlers.push(handler);
  }

  /** New commands or desired states may be waiting. */
  kick(): void {
    if (this.#state === 'streaming') this.#pump.kick();
  }

  /**
   * Send a federated-learning task now. Tasks are not durable and not queued: false (nothing sent) when the
   * stream is not streaming or is backed up, and the coordinator counts the gateway as unreachable.
   */
  sendFlTask(task: FlTaskMessage): boolean {
    if (this.#state !== 'streaming' || this.#writer.blocked) return false;
    this.#writer.write({ flTask: task });
    return true;
  }

  /** End the stream with a status (OK ends it normally). */
  close(code: status, wireCode: WireErrorCode | null, detail: string): void {
    if (this.#state === 'closed') return;
    this.#finish(detail);
    if (code === status.OK) this.call.end();
    else this.call.emit('error', wireStatus(code, wireCode, detail));
  }

  #finish(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#pump.stop();
    this.#writer.dispose();
    this.deps.events.streamClosed(this.gatewayId, reason);
    for (const handler of this.#closedHandlers) handler();
  }

  #onMessage(message: SizedGatewayMessage): void {
    if (this.#state === 'closed') return;
    try {
      if (this.#state === 'awaiting-hello') {
        if (message.body !== 'hello') {
          this.deps.events.streamRefused('INVALID_ARGUMENT', { gatewayId: this.gatewayId, detail: 'first message was not Hello' });
          return this.close(status.INVALID_ARGUMENT, null, 'the first message of a stream must be Hello');
        }
        if (this.deps.beforeWelcome) return this.#helloAfter(this.deps.beforeWelcome, message.hello);
        return this.#onHello(message.hello);
      }
      if (message.body === 'batch') return this.#onBatch(message.batch.records, message.wireBytes ?? 0);
      if (message.body === 'commandResult') {
        const { commandId, status: reported, body } = message.commandResult;
        let result: unknown = null;
        if (body.length > 0) {
          try {
            result = JSON.parse(body.toString('utf8'));
          } catch {
            result = { raw: body.toString('utf8', 0, 1024) };
          }
        }
        this.deps.store.commands.report(this.gatewayId, commandId, reported, result, this.deps.now());
      }
      if (message.body === 'flReply') this.deps.onFlReply?.(this.gatewayId, message.flReply);
      if (message.body === 'power') {
        const power = this.#powerInfo(message.power);
        if (power) {
          this.deps.store.fleet.recordPower(this.gatewayId, power, this.deps.now());
          this.deps.events.powerReported(this.gatewayId, power, 'update');
        }
      }
      // A second Hello or an empty message is ignored: it changes nothing.
    } catch (err) {
      this.deps.logger.error({ err, gatewayId: this.gatewayId }, 'sync stream failed');
      this.close(status.UNAVAILABLE, null, 'the hub could not process the message; retry');
    }
  }

  #welcoming = false;

  #helloAfter(wait: (gatewayId: string) => Promise<void>, hello: HelloMessage): void {
    if (this.#welcoming) return;
    this.#welcoming = true;
    wait(this.gatewayId).then(
      () => {
        if (this.#state !== 'closed') this.#onHello(hello);
      },
      (err: unknown) => {
        this.deps.logger.warn({ err, gatewayId: this.gatewayId }, 'stream refused before Welcome');
        this.close(status.UNAVAILABLE, null, 'the hub is catching up with its ingest log; retry');
      },
    );
  }

  #onHello(hello: HelloMessage): void {
    const { store, config, events, now } = this.deps;
    if (hello.protocolVersion !== SYNC_PROTOCOL_VERSION) {
      const detail = `protocol version ${hello.protocolVersion} is not supported; this hub speaks ${SYNC_PROTOCOL_VERSION}`;
      this.#writer.write({ error: { code: 'E_SYNC_PROTOCOL_VERSION', message: detail, retryable: false } });
      events.streamRefused('E_SYNC_PROTOCOL_VERSION', { gatewayId: this.gatewayId, detail });
      return this.close(status.FAILED_PRECONDITION, 'E_SYNC_PROTOCOL_VERSION', detail);
    }
    const hubNow = now();
    this.#clockTrusted = Math.abs(hello.wallMs - hubNow) <= config.clockToleranceMs;
    const power = hello.power ? this.#powerInfo(hello.power) : null;
    store.fleet.recordHello(
      this.gatewayId,
      {
        protocolVersion: hello.protocolVersion,
        softwareVersion: hello.softwareVersion,
        backlogRecords: hello.backlogRecords,
        backlogOldestMs: hello.backlogOldestMs,
        clockTrusted: this.#clockTrusted,
        power,
      },
      hubNow,
    );
    if (power) events.powerReported(this.gatewayId, power, 'hello');
    const ackedSeq = store.sync.ackedSeq(this.gatewayId);
    this.#state = 'streaming';
    this.#writer.write({ welcome: { hubId: store.hubId, ackedSeq, hubWallMs: hubNow, clockTrusted: this.#clockTrusted } });
    events.streamOpened(this.gatewayId, {
      ackedSeq,
      clockTrusted: this.#clockTrusted,
      softwareVersion: hello.softwareVersion,
      backlogRecords: hello.backlogRecords,
      peer: this.call.getPeer(),
    });
    this.#pump.kick();
    this.#pauseWhileBlocked();
  }

  #onBatch(records: RecordMessage[], wireBytes: number): void {
    const { config, events, now } = this.deps;
    if (wireBytes > config.maxBatchBytes) {
      const detail = `batch of ${wireBytes} bytes is above the limit of ${config.maxBatchBytes}; send smaller batches`;
      this.#writer.write({ error: { code: 'E_SYNC_BATCH_TOO_LARGE', message: detail, retryable: true } });
      events.batchRefused(this.gatewayId, 'E_SYNC_BATCH_TOO_LARGE', detail);
      return this.close(status.RESOURCE_EXHAUSTED, 'E_SYNC_BATCH_TOO_LARGE', detail);
    }
    const started = performance.now();
    const context = { sessionClockTrusted: this.#clockTrusted, clockToleranceMs: config.clockToleranceMs, nowMs: now() };
    this.#pendingApplies++;
    if (this.#pendingApplies >= MAX_PENDING_PER_STREAM && !this.call.isPaused()) this.call.pause();
    this.deps.committer.apply({ gatewayId: this.gatewayId, records: records.map(toIncoming), context }, (outcome) => {
      this.#pendingApplies--;
      if (this.#state === 'closed') return;
      if (outcome instanceof Error) {
        this.deps.logger.error({ err: outcome, gatewayId: this.gatewayId }, 'sync batch not applied');
        return this.close(status.UNAVAILABLE, null, 'the hub could not store the batch; retry');
      }
      this.#afterApply(outcome, started);
      if (this.#pendingApplies < MAX_PENDING_PER_STREAM && this.call.isPaused() && !this.#writer.blocked) this.call.resume();
    });
  }

  #afterApply(outcome: BatchOutcome, started: number): void {
    const { events } = this.deps;
    if (outcome.kind === 'sequence') {
      const detail = `expected seq ${outcome.expectedSeq}, got ${outcome.gotSeq}; resume after ${outcome.ackedSeq}`;
      this.#writer.write({ error: { code: 'E_SYNC_SEQUENCE', message: detail, retryable: true } });
      events.batchRefused(this.gatewayId, 'E_SYNC_SEQUENCE', detail);
      return this.close(status.ABORTED, 'E_SYNC_SEQUENCE', detail);
    }
    events.batchApplied(this.gatewayId, outcome.applied, outcome.duplicates, outcome.quarantined.length, performance.now() - started);
    if (outcome.quarantined.length > 0) {
      const list = outcome.quarantined.slice(0, 10).map((q) => `seq ${q.seq} (${q.detail})`);
      const more = outcome.quarantined.length > 10 ? ` and ${outcome.quarantined.length - 10} more` : '';
      this.#writer.write({ error: { code: 'E_SYNC_PAYLOAD', message: `quarantined ${list.join('; ')}${more}`.slice(0, 2048), retryable: false } });
    }
    this.#writer.write({ ack: { ackedSeq: outcome.ackedSeq } });
    this.#pauseWhileBlocked();
  }

  /** A power mode from the wire, or null (logged) when it names no mode this hub knows. */
  #powerInfo(wire: PowerStatusMessage): PowerInfo | null {
    if (!(POWER_MODES as readonly string[]).includes(wire.mode)) {
      this.deps.events.powerInvalid(this.gatewayId, wire.mode.slice(0, 64));
      return null;
    }
    return { mode: wire.mode as PowerMode, simulated: wire.simulated, sinceMs: wire.sinceMs };
  }

  /** Backpressure: while the gateway does not read our messages, stop reading its batches. */
  #pauseWhileBlocked(): void {
    if (!this.#writer.blocked || this.call.isPaused()) return;
    this.call.pause();
    void this.#writer.whenWritable().then(() => {
      if (this.#state !== 'closed') this.call.resume();
    });
  }
}
