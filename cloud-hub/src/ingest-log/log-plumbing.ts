import { setTimeout as delay } from 'node:timers/promises';
import { HubError } from '../errors.js';
import type { BatchHandler, LogBatch, LogPosition } from './ingest-log.js';

/**
 * Queue `ingest-log-append`: appends waiting for the log to say "durable". Bounded by `maxPending`; when
 * full an append is refused at once with HUB_ERR_INGEST_LOG_FULL (retryable: the stream is not acked and
 * the gateway sends again), so a slow broker pauses intake instead of growing memory. Each append also
 * has a deadline: past it the batch is reported not durable (it may still land; the apply is idempotent).
 */
export class AppendGate {
  #pending = 0;
  #closed = false;

  constructor(
    private readonly maxPending: number,
    private readonly timeoutMs: number,
  ) {}

  get pending(): number {
    return this.#pending;
  }

  close(): void {
    this.#closed = true;
  }

  async run(key: string, send: () => Promise<unknown>): Promise<void> {
    if (this.#closed) throw new HubError('HUB_ERR_INGEST_LOG_CLOSED', `append ${key}`);
    if (this.#pending >= this.maxPending) throw new HubError('HUB_ERR_INGEST_LOG_FULL', `${this.#pending} appends pending (limit ${this.maxPending})`);
    this.#pending++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HubError('HUB_ERR_INGEST_LOG_APPEND', `${key} not durable within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      await Promise.race([send(), deadline]);
    } catch (cause) {
      if (cause instanceof HubError) throw cause;
      throw new HubError('HUB_ERR_INGEST_LOG_APPEND', `${key}: ${(cause as Error).message}`, { cause });
    } finally {
      clearTimeout(timer);
      this.#pending--;
    }
  }
}

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * Apply one batch, retrying a failing handler with doubling backoff. The same batch is retried because the
 * next one of its partition may not be applied before it (sequence order); after `attempts` the error goes
 * up and the consumer stops rather than skip data. `stopped` ends the waiting early on close.
 */
export async function applyWithRetry(handler: BatchHandler, batch: LogBatch, position: LogPosition, attempts: number, stopped: () => boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await handler(batch, position);
      return;
    } catch (cause) {
      if (attempt >= attempts || stopped()) {
        throw new HubError('HUB_ERR_INGEST_LOG_APPLY', `${batch.gatewayId} at partition ${position.partition} offset ${position.offset} failed ${attempt} times`, { cause });
      }
      await delay(Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS));
    }
  }
}

/**
 * Commits offsets after apply, coalesced: at most one commit in flight per consumer; offsets applied
 * meanwhile go in the next one. A crash loses at most the uncommitted tail, which is then redelivered and
 * skipped by the idempotent apply.
 */
export class OffsetCommitter {
  #latest = new Map<number, bigint>();
  #inFlight: Promise<void> | null = null;
  #error: Error | null = null;

  constructor(private readonly commit: (offsets: { partition: number; offset: bigint }[]) => Promise<void>) {}

  /** `next` is the offset to resume from: the applied message's offset + 1. */
  applied(partition: number, next: bigint): void {
    const current = this.#latest.get(partition);
    if (current === undefined || next > current) this.#latest.set(partition, next);
    if (!this.#inFlight) this.#inFlight = this.#drain();
  }

  /** The last commit error, if any (a failed commit is retried by the next `applied` or `flush`). */
  get error(): Error | null {
    return this.#error;
  }

  /** Wait until everything applied so far is committed (or the last try failed). */
  async flush(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
    if (this.#latest.size > 0) {
      this.#inFlight = this.#drain();
      await this.#inFlight;
    }
  }

  /** Forget offsets of partitions this member no longer owns (after a rebalance). */
  forget(partitions: Iterable<number>): void {
    for (const p of partitions) this.#latest.delete(p);
  }

  async #drain(): Promise<void> {
    try {
      while (this.#latest.size > 0) {
        const offsets = [...this.#latest].map(([partition, offset]) => ({ partition, offset }));
        this.#latest.clear();
        try {
          await this.commit(offsets);
          this.#error = null;
        } catch (err) {
          this.#error = err as Error;
          // Put back what failed unless something newer came meanwhile.
          for (const { partition, offset } of offsets) if (!this.#latest.has(partition)) this.#latest.set(partition, offset);
          return;
        }
      }
    } finally {
      this.#inFlight = null;
    }
  }
}

const LAG_POLL_MS = 100;

/**
 * Poll `lag()` (how far the group's committed offset is behind the partition's end) until it is 0, for
 * at most `timeoutMs`; then HUB_ERR_INGEST_LOG_LAG.
 */
export async function waitForZeroLag(what: string, timeoutMs: number, lag: () => Promise<bigint>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1n;
  for (let i = 0; i < 100_000; i++) {
    last = await lag();
    if (last <= 0n) return;
    if (Date.now() + LAG_POLL_MS > deadline) break;
    await delay(LAG_POLL_MS);
  }
  throw new HubError('HUB_ERR_INGEST_LOG_LAG', `${what}: ${last} messages not yet applied after ${timeoutMs} ms; are workers running?`);
}
