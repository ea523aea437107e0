import type { ApplyJob, BatchOutcome, SyncStore } from '../store/hub-store.js';

export type ApplyDone = (outcome: BatchOutcome | Error) => void;

/**
 * Group commit of sync batches across every stream. A batch is queued and the queue is applied on the
 * next turn of the event loop in one transaction: one fsync for everything that arrived meanwhile, instead
 * of one per batch, so the event loop is blocked far less often and new streams' handshakes are not stuck
 * behind a queue of commits. `done` runs after the commit, in arrival order: acks stay in order per stream
 * and still mean durable.
 *
 * Queue `sync-apply`: bounded by the streams themselves (each pauses reading past MAX_PENDING_PER_STREAM
 * batches of its own waiting here), so it holds at most streams × that many batches.
 */
export class GroupCommitter {
  #queue: { job: ApplyJob; done: ApplyDone }[] = [];
  #scheduled = false;

  constructor(private readonly sync: SyncStore) {}

  apply(job: ApplyJob, done: ApplyDone): void {
    this.#queue.push({ job, done });
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const queued = this.#queue;
    this.#queue = [];
    let outcomes: (BatchOutcome | Error)[];
    try {
      outcomes = this.sync.applyBatches(queued.map((q) => q.job));
    } catch (err) {
      // The commit itself failed (disk full, I/O error): nothing of this group is durable.
      outcomes = queued.map(() => err as Error);
    }
    queued.forEach((q, i) => q.done(outcomes[i]!));
  }
}

/** Batches of one stream waiting for the group commit before that stream stops being read. */
export const MAX_PENDING_PER_STREAM = 8;
