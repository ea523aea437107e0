import { DATA_CLASS_NAMES, type DataClass, dataClassFromProto, HybridLogicalClock } from '@outpost/protocols';
import { type BatchPlan, lastSeqOf, type RecordGenerator } from './record-generator.js';

export interface UnackedBatch {
  plan: BatchPlan;
  /** performance.now() of the last send; null until sent on the current stream. */
  sentAt: number | null;
}

const zeroCounts = () => Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, 0])) as Record<DataClass, number>;

function addClasses(into: Record<DataClass, number>, classes: Uint8Array, upTo = classes.length): void {
  for (let i = 0; i < upTo; i++) {
    const name = dataClassFromProto(classes[i]!);
    if (name) into[name]++;
  }
}

/** What the outbox makes and when: the rate (0 = a full batch whenever the window allows), the batch size, the flush interval. */
export interface OutboxPolicy {
  ratePerGateway: number;
  batchRecords: number;
  flushIntervalMs: number;
  maxBacklogRecords: number;
}

/**
 * The outbox of one simulated gateway: seqs are assigned when a batch is made, contiguous, never reused; a
 * batch stays (as a plan) until an ack covers it and is resent unchanged after a reconnect. Bounded: new
 * batches are made only while fewer than `maxInFlight` exist unacked, and at most `maxBacklogRecords` are owed.
 */
export class OutboxWindow {
  /** Highest seq the hub acked (Ack or Welcome); the first Welcome sets it. */
  ackedSeq = 0;
  /** Seq of the first Welcome: records up to it belong to earlier runs. */
  baseSeq = 0;
  nextSeq = 1;
  started = false;
  /** Rate mode: records due but not made yet (they get a seq when they go into a batch). */
  owed = 0;
  readonly unacked: UnackedBatch[] = [];
  /** Records acked in this run, by class. */
  readonly ackedByClass = zeroCounts();
  batchRecords: number;
  #producing = true;
  #lastFlushAt = 0;
  readonly #clock = new HybridLogicalClock();

  constructor(
    private readonly generator: RecordGenerator,
    private readonly policy: OutboxPolicy,
  ) {
    this.batchRecords = policy.batchRecords;
  }

  /** Start owing records; flush phases are spread over the interval so gateways started together do not send together. */
  start(now: number): void {
    this.#lastFlushAt = now - Math.random() * this.policy.flushIntervalMs;
  }

  /** Rate mode: owe the records of `dtMs` (at most `maxBacklogRecords`); returns how many were skipped for the bound. */
  accrue(dtMs: number): number {
    if (!this.#producing || this.policy.ratePerGateway === 0) return 0;
    this.owed += (this.policy.ratePerGateway * dtMs) / 1000;
    const over = Math.floor(this.owed - this.policy.maxBacklogRecords);
    if (over <= 0) return 0;
    this.owed -= over;
    return over;
  }

  /** The run is over: no new records; what is unacked is still delivered. */
  stopProducing(): void {
    this.#producing = false;
    this.owed = 0;
  }

  /** Records for a new batch: a full batch when one is owed (always, at rate 0), else what is owed once per flush interval. */
  #due(now: number): number {
    if (!this.#producing) return 0;
    if (this.policy.ratePerGateway === 0 || this.owed >= this.batchRecords) return this.batchRecords;
    return now - this.#lastFlushAt >= this.policy.flushIntervalMs ? Math.floor(this.owed) : 0;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get unackedRecords(): number {
    return this.unacked.reduce((n, b) => n + b.plan.classes.length, 0);
  }

  /**
   * Take the hub's resume point. The first one sets where this run starts; later ones drop what the hub
   * applied while the ack was lost. 'behind': the hub lost records it had acked; 'ahead': it holds seqs this
   * gateway never sent (the credentials are used elsewhere too).
   */
  welcome(ackedSeq: number, hubWallMs: number): { outcome: 'ok' | 'behind' | 'ahead'; ackedRecords: number } {
    this.#clock.receive({ wallMs: hubWallMs, logical: 0 });
    if (!this.started) {
      this.started = true;
      this.ackedSeq = this.baseSeq = ackedSeq;
      this.nextSeq = ackedSeq + 1;
      return { outcome: 'ok', ackedRecords: 0 };
    }
    if (ackedSeq < this.ackedSeq) return { outcome: 'behind', ackedRecords: 0 };
    if (ackedSeq > this.lastSeq) return { outcome: 'ahead', ackedRecords: 0 };
    const acked = this.ack(ackedSeq, null);
    for (const batch of this.unacked) batch.sentAt = null;
    return { outcome: 'ok', ackedRecords: acked.reduce((n, a) => n + a.records, 0) };
  }

  /** Drop the batches `ackedSeq` covers; returns their sizes and send→ack times (null for a Welcome). */
  ack(ackedSeq: number, now: number | null): { records: number; latencyMs: number | null }[] {
    const acked: { records: number; latencyMs: number | null }[] = [];
    while (this.unacked.length > 0 && lastSeqOf(this.unacked[0]!.plan) <= ackedSeq) {
      const batch = this.unacked.shift()!;
      addClasses(this.ackedByClass, batch.plan.classes);
      acked.push({ records: batch.plan.classes.length, latencyMs: now !== null && batch.sentAt !== null ? now - batch.sentAt : null });
    }
    this.ackedSeq = Math.max(this.ackedSeq, ackedSeq);
    return acked;
  }

  /**
   * The next batch to send with at most `maxInFlight` sent and unacked: a batch not sent on this stream yet
   * (a resend), else a new one when records are due and the window has room.
   */
  nextToSend(maxInFlight: number, now: number): { batch: UnackedBatch; resend: boolean } | null {
    let sent = 0;
    let unsent: UnackedBatch | undefined;
    for (const b of this.unacked) {
      if (b.sentAt !== null) sent++;
      else unsent ??= b;
    }
    if (sent >= maxInFlight) return null;
    if (unsent) return { batch: unsent, resend: true };
    const due = this.#due(now);
    if (due < 1 || this.unacked.length >= maxInFlight) return null;
    this.owed = Math.max(0, this.owed - due);
    this.#lastFlushAt = now;
    return { batch: this.#newBatch(due), resend: false };
  }

  #newBatch(count: number): UnackedBatch {
    const hlc = this.#clock.now();
    const plan = this.generator.plan(this.nextSeq, count, hlc);
    // Record i is stamped (wall, logical + i): move the clock past the last of them.
    this.#clock.receive({ wallMs: hlc.wallMs, logical: hlc.logical + count - 1 });
    this.nextSeq += count;
    const batch = { plan, sentAt: null };
    this.unacked.push(batch);
    return batch;
  }

  hlcNow() {
    return this.#clock.now();
  }

  /** The hub refused a batch as too large: halve the batch size (below the biggest unacked batch) and cut every batch to it. */
  halve(): void {
    const biggest = this.unacked.reduce((n, b) => Math.max(n, b.plan.classes.length), this.batchRecords);
    const maxRecords = Math.max(1, Math.floor(biggest / 2));
    this.batchRecords = maxRecords;
    const pieces: UnackedBatch[] = [];
    for (const { plan } of this.unacked) {
      for (let i = 0; i < plan.classes.length; i += maxRecords) {
        const classes = plan.classes.slice(i, i + maxRecords);
        pieces.push({ plan: { firstSeq: plan.firstSeq + i, hlcWallMs: plan.hlcWallMs, hlcLogical: plan.hlcLogical + i, classes }, sentAt: null });
      }
    }
    this.unacked.splice(0, this.unacked.length, ...pieces);
  }

  /** Records of this run by class up to `seq` (acked ones, then unacked ones the hub may have applied). */
  classCountsUpTo(seq: number): Record<DataClass, number> {
    const counts = { ...this.ackedByClass };
    for (const { plan } of this.unacked) {
      if (plan.firstSeq > seq) break;
      addClasses(counts, plan.classes, Math.min(plan.classes.length, seq - plan.firstSeq + 1));
    }
    return counts;
  }

  records(batch: UnackedBatch) {
    return this.generator.records(batch.plan);
  }
}
