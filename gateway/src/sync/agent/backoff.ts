/**
 * Reconnect delays with full jitter (a uniform random delay between 0 and an exponentially growing,
 * capped bound), so a fleet that lost the hub together does not come back together.
 */
export class Backoff {
  #attempt = 0;

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  get attempt(): number {
    return this.#attempt;
  }

  /** The bound of the next delay: min(maxMs, baseMs · 2^attempt). */
  bound(): number {
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.#attempt, 30));
  }

  /** The next delay; each call widens the bound for the one after. */
  next(): number {
    const delay = Math.floor(this.random() * this.bound());
    this.#attempt++;
    return delay;
  }

  /** A session got through (Welcome received): start again from the base. */
  reset(): void {
    this.#attempt = 0;
  }
}
