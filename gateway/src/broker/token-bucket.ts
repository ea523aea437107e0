/** A token bucket: `ratePerSec` tokens refill continuously up to `burst`. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    now = performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.ratePerSec);
    this.#last = now;
  }

  /** Take one token if there is one. */
  tryTake(now = performance.now()): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Take one token, going into debt if needed, and return how many milliseconds the caller must wait
   * before acting (0 when a token was there). Debt makes back-to-back callers queue up fairly.
   */
  take(now = performance.now()): number {
    this.#refill(now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.ratePerSec) * 1000;
  }
}
