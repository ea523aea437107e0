/** A hybrid logical clock timestamp: wall milliseconds plus a counter for ties and backward jumps. */
export interface HlcTimestamp {
  wallMs: number;
  logical: number;
}

export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  return a.wallMs - b.wallMs || a.logical - b.logical;
}

/**
 * Hybrid logical clock (Kulkarni et al., 2014). Timestamps never go backwards even when the wall
 * clock does, and stay close to wall time when it is sane, so records order by (hlc, seq) on the hub
 * whatever the gateway's clock did at boot.
 */
export class HybridLogicalClock {
  #last: HlcTimestamp;

  constructor(
    private readonly wallClock: () => number = Date.now,
    start: HlcTimestamp = { wallMs: 0, logical: 0 },
  ) {
    this.#last = { ...start };
  }

  get last(): HlcTimestamp {
    return { ...this.#last };
  }

  /** A timestamp for a local event. */
  now(): HlcTimestamp {
    const physical = this.wallClock();
    this.#last = physical > this.#last.wallMs ? { wallMs: physical, logical: 0 } : { wallMs: this.#last.wallMs, logical: this.#last.logical + 1 };
    return { ...this.#last };
  }

  /** Merge a timestamp received from elsewhere (e.g. the hub's welcome) so later local ones sort after it. */
  receive(remote: HlcTimestamp): HlcTimestamp {
    const physical = this.wallClock();
    const wallMs = Math.max(physical, this.#last.wallMs, remote.wallMs);
    let logical = 0;
    if (wallMs === this.#last.wallMs && wallMs === remote.wallMs) logical = Math.max(this.#last.logical, remote.logical) + 1;
    else if (wallMs === this.#last.wallMs) logical = this.#last.logical + 1;
    else if (wallMs === remote.wallMs) logical = remote.logical + 1;
    this.#last = { wallMs, logical };
    return { ...this.#last };
  }
}
