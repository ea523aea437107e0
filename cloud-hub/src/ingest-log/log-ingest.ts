import type { Logger } from '../observability/logger.js';
import type { ApplyJob, BatchOutcome, SyncStore } from '../store/hub-store.js';
import type { IngestLog } from './ingest-log.js';

export type ApplyDone = (outcome: BatchOutcome | Error) => void;

export interface LogIngestOptions {
  log: IngestLog;
  /** The applied cursor (what workers have written), read when a gateway's stream starts. */
  sync: Pick<SyncStore, 'ackedSeq'>;
  /** The workers' consumer group, whose progress a new stream waits for. */
  groupId: string;
  /** How long a new stream waits for the workers to catch up before it is refused (the gateway retries). */
  catchUpTimeoutMs: number;
  logger: Logger;
}

/**
 * The ingest role's stand-in for the group committer: a batch is appended to the log and acked once the
 * log says durable; workers apply it later. Per gateway it keeps the logged cursor of the live stream:
 * records at or below it are dropped as duplicates, the rest must continue it (E_SYNC_SEQUENCE otherwise),
 * and outcomes are reported in batch order even when appends complete out of order.
 *
 * Before a stream's Welcome the workers must have applied everything the log holds for the gateway, so
 * the applied cursor the Welcome reports is never behind what an earlier stream acked.
 */
export class LogIngest {
  readonly #cursor = new Map<string, number>();
  readonly #tail = new Map<string, Promise<void>>();

  constructor(private readonly options: LogIngestOptions) {}

  /** Called before a stream's Welcome: forget the old stream's cursor and wait for the workers. */
  async beforeWelcome(gatewayId: string): Promise<void> {
    this.#cursor.delete(gatewayId);
    await this.options.log.caughtUp(gatewayId, this.options.groupId, this.options.catchUpTimeoutMs);
  }

  apply(job: ApplyJob, done: ApplyDone): void {
    const { gatewayId } = job;
    const start = this.#cursor.get(gatewayId) ?? this.options.sync.ackedSeq(gatewayId);
    let expected = start + 1;
    let duplicates = 0;
    let outcome: Promise<BatchOutcome | Error> | undefined;
    for (const record of job.records) {
      if (record.seq <= start) duplicates++;
      else if (record.seq === expected) expected++;
      else {
        outcome = Promise.resolve({ kind: 'sequence', ackedSeq: start, expectedSeq: expected, gotSeq: record.seq });
        break;
      }
    }
    if (!outcome) {
      const fresh = job.records.filter((r) => r.seq > start);
      const ackedSeq = expected - 1;
      this.#cursor.set(gatewayId, ackedSeq);
      const applied: BatchOutcome = { kind: 'applied', ackedSeq, applied: {}, duplicates, quarantined: [] };
      outcome =
        fresh.length === 0
          ? Promise.resolve(applied)
          : this.options.log.append({ gatewayId, records: fresh, context: job.context }).then(
              () => applied,
              (err: Error) => {
                // Not durable: the stream closes and the next one starts from the applied cursor.
                this.#cursor.delete(gatewayId);
                this.options.logger.warn({ err, gatewayId }, 'batch not appended to the ingest log');
                return err;
              },
            );
    }
    // Report after the gateway's previous batch: an ack must never pass a batch that is not durable yet.
    const previous = this.#tail.get(gatewayId) ?? Promise.resolve();
    const tail = previous
      .then(() => outcome)
      .then((result) => {
        try {
          done(result);
        } catch (err) {
          this.options.logger.error({ err, gatewayId }, 'reporting a logged batch failed');
        }
      });
    this.#tail.set(gatewayId, tail);
    void tail.finally(() => {
      if (this.#tail.get(gatewayId) === tail) this.#tail.delete(gatewayId);
    });
  }
}
