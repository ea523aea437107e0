import { type FlPhase, type FlPhaseReply, type FlReplyMessage, type FlTaskMessage as SyncFlTask, flPhaseReplySchemas, isFlReplyErrorCode } from '@outpost/protocols';

export type { FlReplyMessage } from '@outpost/protocols';

/** One FlTask as the hub sends it on a gateway's stream: its phase is one this hub runs. */
export interface FlTaskMessage extends SyncFlTask {
  phase: FlPhase;
}

export type PhaseResult<P extends FlPhase> = { ok: true; body: FlPhaseReply<P> } | { ok: false; code: string };

/**
 * One phase of one round: the tasks went to `targets`; replies are taken until every target answered or the
 * deadline passed, whichever is first. A reply from a gateway that was not a target, a second reply, or a
 * malformed one is counted as invalid and ignored. Memory is bounded by the number of targets.
 */
export class PhaseCall<P extends FlPhase> {
  readonly results = new Map<string, PhaseResult<P>>();
  invalid = 0;
  bytesUp = 0;
  #resolve!: () => void;
  readonly #done: Promise<void>;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(
    readonly phase: P,
    readonly roundId: string,
    private readonly targets: ReadonlySet<string>,
    timeoutMs: number,
  ) {
    this.#done = new Promise((resolve) => (this.#resolve = resolve));
    this.#timer = setTimeout(() => this.close(), timeoutMs);
    if (targets.size === 0) this.close();
  }

  /** Take a reply; false when it does not belong to this phase (the caller counts it as late). */
  offer(gatewayId: string, reply: FlReplyMessage): boolean {
    if (this.#closed || reply.roundId !== this.roundId || reply.phase !== this.phase) return false;
    if (!this.targets.has(gatewayId) || this.results.has(gatewayId)) {
      this.invalid++;
      return true;
    }
    this.bytesUp += reply.body.length;
    if (reply.errorCode) {
      this.results.set(gatewayId, { ok: false, code: isFlReplyErrorCode(reply.errorCode) ? reply.errorCode : 'E_FL_FAILED' });
    } else {
      let body: unknown;
      try {
        body = flPhaseReplySchemas[this.phase].parse(JSON.parse(reply.body.toString('utf8')));
      } catch {
        this.invalid++;
        this.results.set(gatewayId, { ok: false, code: 'E_FL_BAD_REPLY' });
        this.#maybeDone();
        return true;
      }
      this.results.set(gatewayId, { ok: true, body: body as FlPhaseReply<P> });
    }
    this.#maybeDone();
    return true;
  }

  /** A target can no longer answer (its task could not be sent, or it disconnected). */
  unreachable(gatewayId: string): void {
    if (this.#closed || !this.targets.has(gatewayId) || this.results.has(gatewayId)) return;
    this.results.set(gatewayId, { ok: false, code: 'E_FL_UNREACHABLE' });
    this.#maybeDone();
  }

  #maybeDone(): void {
    if (this.results.size >= this.targets.size) this.close();
  }

  /** End the phase now (deadline, or the federation stopped). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#resolve();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves with the successful replies once the phase is over; the rest are counted from `results`. */
  async done(): Promise<Map<string, FlPhaseReply<P>>> {
    await this.#done;
    const ok = new Map<string, FlPhaseReply<P>>();
    for (const [id, r] of this.results) if (r.ok) ok.set(id, r.body);
    return ok;
  }

  /** Error codes of the targets that answered with one (or could not be reached), counted. */
  refusals(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.results.values()) if (!r.ok) counts[r.code] = (counts[r.code] ?? 0) + 1;
    return counts;
  }
}
