import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { GatewayError } from '../errors.js';
import { startWorker } from './start-worker.js';
import type { CheckpointResult, OutboxOp, OutboxResults, RetentionResult, StoreUsage, WriteRow, WriterOptions, WriterRequest, WriterResponse } from './write-rows.js';

export type WriteDone = (err: GatewayError | null) => void;

export interface StoreWriterOptions extends WriterOptions {
  batchMaxRows: number;
  batchMaxDelayMs: number;
  /** Bound of the write queue (rows waiting for commit). Past it, producers wait: policy "pause the producer". */
  maxQueuedRows: number;
  /** Batches handed to the writer thread and not yet committed. */
  maxInFlightBatches?: number;
}

export interface StoreWriterHooks {
  /** `outboxAdded`: sync outbox records the batch added (the sync agent wakes up on them). */
  /** `readingIds`: the row id of each reading row in `rows`, in order. */
  onCommit?: (rows: WriteRow[], commitMs: number, outboxAdded: number, readingIds: readonly number[]) => void;
  onRetention?: (result: RetentionResult) => void;
  onPaused?: () => void;
  onFatal?: (err: Error) => void;
}

interface Batch {
  rows: WriteRow[];
  dones: WriteDone[];
}

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './write-worker.ts' : './write-worker.js', import.meta.url);

/**
 * Group commit in front of the writer thread. Rows accumulate while a commit is in flight and go as the
 * next batch, so batches grow with fsync latency; a batch also leaves when it is full or old enough.
 * `done` runs only after the transaction holding the row is committed: that is what makes a PUBACK durable.
 */
export class StoreWriter {
  readonly #worker: Worker;
  readonly #options: Required<StoreWriterOptions>;
  readonly #hooks: StoreWriterHooks;
  #pending: Batch = { rows: [], dones: [] };
  #pendingSince = 0;
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #timerIsImmediate = false;
  readonly #inFlight = new Map<number, Batch>();
  readonly #paused: { rows: WriteRow[]; done: WriteDone }[] = [];
  readonly #retentionWaiters = new Map<number, { resolve: (r: RetentionResult) => void; reject: (err: Error) => void }>();
  readonly #replyWaiters = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  #queuedRows = 0;
  #nextId = 1;
  #closed = false;
  #usage: StoreUsage;

  private constructor(worker: Worker, options: StoreWriterOptions, hooks: StoreWriterHooks) {
    this.#worker = worker;
    this.#options = { maxInFlightBatches: 2, syncRawReadings: false, ...options };
    this.#hooks = hooks;
    this.#usage = { usedBytes: 0, maxBytes: options.maxBytes, full: false };
    worker.on('message', (m: WriterResponse) => this.#onMessage(m));
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`store writer thread exited with code ${code}`));
    });
  }

  static async start(options: StoreWriterOptions, hooks: StoreWriterHooks = {}): Promise<StoreWriter> {
    const { batchMaxRows: _r, batchMaxDelayMs: _d, maxQueuedRows: _q, maxInFlightBatches: _f, ...workerOptions } = options;
    const worker = startWorker(workerUrl, { workerData: workerOptions });
    const [first] = (await once(worker, 'message')) as [WriterResponse];
    if (first.type !== 'ready') throw new GatewayError('GW_ERR_STORE_WRITE', `writer thread sent ${first.type} before ready`);
    return new StoreWriter(worker, options, hooks);
  }

  get queuedRows(): number {
    return this.#queuedRows;
  }

  get pausedProducers(): number {
    return this.#paused.length;
  }

  get usage(): StoreUsage {
    return this.#usage;
  }

  /** Queue a row; `done` runs once it is committed. With the queue full the row waits outside it and its producer with it. */
  write(row: WriteRow, done: WriteDone): void {
    this.writeAll([row], done);
  }

  /**
   * Queue rows that must commit together, in one transaction (a reading and the samples filled in before
   * it); `done` runs once, after that commit. The group may make a batch larger than batchMaxRows.
   */
  writeAll(rows: WriteRow[], done: WriteDone): void {
    if (this.#closed) return done(new GatewayError('GW_ERR_STORE_CLOSED'));
    if (rows.length === 0) return done(null);
    if (this.#queuedRows >= this.#options.maxQueuedRows || this.#paused.length > 0) {
      this.#paused.push({ rows, done });
      this.#hooks.onPaused?.();
      return;
    }
    this.#append(rows, done);
  }

  #append(rows: WriteRow[], done: WriteDone): void {
    const before = this.#pending.rows.length;
    for (const row of rows) this.#pending.rows.push(row);
    this.#pending.dones.push(done);
    this.#queuedRows += rows.length;
    const size = this.#pending.rows.length;
    if (before === 0) this.#pendingSince = performance.now();
    if (before === 0 || size >= this.#options.batchMaxRows) this.#schedule();
  }

  #schedule(): void {
    const size = this.#pending.rows.length;
    if (size === 0 || this.#inFlight.size >= this.#options.maxInFlightBatches) return;
    if (size >= this.#options.batchMaxRows) return this.#sendPending();
    if (this.#timer) return;
    if (this.#inFlight.size === 0) {
      // Idle writer: send once this turn of the event loop has parsed what arrived with it.
      this.#timer = setImmediate(() => this.#sendPending());
      this.#timerIsImmediate = true;
    } else {
      // A commit is under way: rows gather for the next one, but never wait past batchMaxDelayMs.
      const waited = performance.now() - this.#pendingSince;
      this.#timer = setTimeout(() => this.#sendPending(), Math.max(0, this.#options.batchMaxDelayMs - waited));
      this.#timerIsImmediate = false;
    }
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    if (this.#timerIsImmediate) clearImmediate(this.#timer as NodeJS.Immediate);
    else clearTimeout(this.#timer as NodeJS.Timeout);
    this.#timer = null;
  }

  #sendPending(): void {
    this.#clearTimer();
    if (this.#pending.rows.length === 0 || this.#inFlight.size >= this.#options.maxInFlightBatches) return;
    const batch = this.#pending;
    this.#pending = { rows: [], dones: [] };
    const id = this.#nextId++;
    this.#inFlight.set(id, batch);
    this.#post({ type: 'batch', id, rows: batch.rows });
  }

  #post(request: WriterRequest): void {
    this.#worker.postMessage(request);
  }

  #onMessage(message: WriterResponse): void {
    switch (message.type) {
      case 'committed':
      case 'failed': {
        const batch = this.#inFlight.get(message.id);
        if (!batch) return;
        this.#inFlight.delete(message.id);
        this.#queuedRows -= batch.rows.length;
        const err = message.type === 'failed' ? new GatewayError('GW_ERR_STORE_WRITE', message.message) : null;
        if (message.type === 'committed') {
          this.#usage = message.usage;
          this.#hooks.onCommit?.(batch.rows, message.commitMs, message.outboxAdded, message.readingIds);
        }
        for (const done of batch.dones) done(err);
        this.#admitPaused();
        this.#clearTimer();
        this.#schedule();
        return;
      }
      case 'checkpoint':
      case 'outbox': {
        const waiter = this.#replyWaiters.get(message.id);
        this.#replyWaiters.delete(message.id);
        if (message.ok) waiter?.resolve(message.type === 'outbox' ? message.value : message.result);
        else waiter?.reject(new GatewayError('GW_ERR_STORE_WRITE', message.message));
        return;
      }
      case 'retention':
        this.#usage = message.result;
        this.#hooks.onRetention?.(message.result);
        if (message.id !== null) {
          this.#retentionWaiters.get(message.id)?.resolve(message.result);
          this.#retentionWaiters.delete(message.id);
        }
        return;
      default:
        return;
    }
  }

  #admitPaused(): void {
    while (this.#paused.length > 0 && this.#queuedRows < this.#options.maxQueuedRows) {
      const next = this.#paused.shift()!;
      this.#append(next.rows, next.done);
    }
  }

  /** Run retention now (it also runs on its own timer) and return what it did. */
  runRetention(): Promise<RetentionResult> {
    if (this.#closed) return Promise.reject(new GatewayError('GW_ERR_STORE_CLOSED'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#retentionWaiters.set(id, { resolve, reject });
      this.#post({ type: 'retention', id });
    });
  }

  /** Run an outbox operation on the writer thread (between write batches, so it sees committed rows). */
  outbox<K extends OutboxOp['op']>(call: Extract<OutboxOp, { op: K }>): Promise<OutboxResults[K]> {
    if (this.#closed) return Promise.reject(new GatewayError('GW_ERR_STORE_CLOSED'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#replyWaiters.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#post({ type: 'outbox', id, call });
    });
  }

  /**
   * Checkpoint the WAL into the main database file and truncate it (`wal_checkpoint(TRUNCATE)`), between
   * write batches. Call after flush() to make the main file alone hold everything acknowledged so far.
   */
  checkpoint(): Promise<CheckpointResult> {
    if (this.#closed) return Promise.reject(new GatewayError('GW_ERR_STORE_CLOSED'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#replyWaiters.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#post({ type: 'checkpoint', id });
    });
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new GatewayError('GW_ERR_STORE_WRITE', err.message, { cause: err });
    this.#clearTimer();
    const batches = [...this.#inFlight.values(), this.#pending];
    const paused = this.#paused.splice(0);
    // Forget everything before calling back, so nothing is sent to the dead thread or answered twice.
    this.#inFlight.clear();
    this.#pending = { rows: [], dones: [] };
    this.#queuedRows = 0;
    for (const batch of batches) for (const done of batch.dones) done(error);
    for (const p of paused) p.done(error);
    for (const waiter of [...this.#retentionWaiters.values(), ...this.#replyWaiters.values()]) waiter.reject(error);
    this.#retentionWaiters.clear();
    this.#replyWaiters.clear();
    this.#hooks.onFatal?.(err);
  }

  /** Wait until every row written so far is committed (or failed). */
  async flush(): Promise<void> {
    while (!this.#closed && (this.#pending.rows.length > 0 || this.#inFlight.size > 0 || this.#paused.length > 0)) {
      this.#admitPaused();
      this.#sendPending();
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Commit everything queued, then stop the writer thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    if (this.#closed) return; // the writer thread died meanwhile; #fail has answered every write
    this.#closed = true;
    for (const waiter of this.#replyWaiters.values()) waiter.reject(new GatewayError('GW_ERR_STORE_CLOSED'));
    this.#replyWaiters.clear();
    const closed = once(this.#worker, 'exit');
    this.#post({ type: 'close' });
    await closed;
  }
}
