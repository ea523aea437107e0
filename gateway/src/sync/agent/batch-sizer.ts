export interface BatchSizerOptions {
  minRecords: number;
  maxRecords: number;
  /** Upper bound of the byte target (the configured batch size in bytes). */
  maxBytes: number;
  /** Acks faster than this grow the batch; slower ones halve it. */
  targetAckMs: number;
}

const MIN_BYTES = 1024;

/**
 * Adaptive batch size: double while full batches are acked within the target, halve on a slow ack, and
 * go to half of a batch the hub refused as too large. That half also becomes a ceiling growth never
 * passes again (in records and bytes), so the size does not oscillate around the hub's limit with a
 * reconnect each time. Bounded by the configured limits.
 */
export class BatchSizer {
  #size: number;
  #bytes: number;
  #ceilingRecords: number;
  #ceilingBytes: number;

  constructor(private readonly options: BatchSizerOptions) {
    this.#size = options.minRecords;
    this.#bytes = options.maxBytes;
    this.#ceilingRecords = options.maxRecords;
    this.#ceilingBytes = options.maxBytes;
  }

  get size(): number {
    return this.#size;
  }

  get maxBytes(): number {
    return this.#bytes;
  }

  /** A batch was acked `ackMs` after it was sent. Only full batches say the hub could take more. */
  acked(ackMs: number, wasFull: boolean): void {
    if (ackMs > this.options.targetAckMs) return this.shrink();
    if (!wasFull) return;
    this.#size = Math.min(this.#ceilingRecords, this.#size * 2);
    this.#bytes = Math.min(this.#ceilingBytes, this.#bytes * 2);
  }

  shrink(): void {
    this.#size = Math.max(this.options.minRecords, Math.floor(this.#size / 2));
  }

  /** The hub refused a batch of `records` records and `bytes` payload bytes as too large. */
  tooLarge(records: number, bytes: number): void {
    this.#ceilingRecords = Math.max(1, Math.min(this.#ceilingRecords, Math.floor(records / 2)));
    this.#ceilingBytes = Math.max(MIN_BYTES, Math.min(this.#ceilingBytes, Math.floor(bytes / 2)));
    this.#size = Math.min(this.#size, this.#ceilingRecords);
    this.#bytes = Math.min(this.#bytes, this.#ceilingBytes);
  }
}
