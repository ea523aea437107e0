/** Most messages, and bytes, one produce request carries for one partition (one record batch). */
const MAX_MESSAGES_PER_SEND = 500;
export const MAX_BYTES_PER_SEND = 768 * 1024;

/**
 * One produce request in flight per partition; appends that arrive meanwhile go out together in the next
 * one. Why: an idempotent producer numbers each partition's batches, and both Node clients lose messages
 * silently when several requests to one partition are in flight at once (every send resolves, one lands).
 * This also keeps one gateway's batches in append order and batches them under load like a group commit.
 * The queue per partition is bounded by the AppendGate in front of it.
 */
export class PartitionSender<M> {
  readonly #queues = new Map<number, { message: M; resolve: () => void; reject: (err: Error) => void }[]>();
  readonly #busy = new Set<number>();

  constructor(
    private readonly send: (partition: number, messages: M[]) => Promise<unknown>,
    /** A message's size: a record batch above the topic's max.message.bytes is refused whole. */
    private readonly sizeOf: (message: M) => number,
  ) {}

  enqueue(partition: number, message: M): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(partition) ?? [];
      queue.push({ message, resolve, reject });
      this.#queues.set(partition, queue);
      if (!this.#busy.has(partition)) void this.#pump(partition);
    });
  }

  async #pump(partition: number): Promise<void> {
    this.#busy.add(partition);
    try {
      for (;;) {
        const queue = this.#queues.get(partition);
        if (!queue || queue.length === 0) break;
        let count = 0;
        let bytes = 0;
        // At least one message, however large; the topic is created to take the largest sync batch.
        while (count < queue.length && count < MAX_MESSAGES_PER_SEND && (count === 0 || bytes + this.sizeOf(queue[count]!.message) <= MAX_BYTES_PER_SEND)) {
          bytes += this.sizeOf(queue[count]!.message);
          count++;
        }
        const taken = queue.splice(0, count);
        try {
          await this.send(
            partition,
            taken.map((t) => t.message),
          );
          for (const t of taken) t.resolve();
        } catch (err) {
          // What queued behind a failed send fails too, so no later batch of a gateway lands after a lost one.
          for (const t of [...taken, ...queue.splice(0)]) t.reject(err as Error);
        }
      }
    } finally {
      this.#queues.delete(partition);
      this.#busy.delete(partition);
    }
  }
}
