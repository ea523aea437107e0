/** Serialisable state of one {@link SurpriseTail}. */
export interface SurpriseTailState {
  bins: number[];
  total: number;
  increment: number;
}

const RENORMALISE_ABOVE = 1e200;

/**
 * How rare is a value of a non-negative surprise signal, judged by the signal's own history: −log10 of
 * its tail probability. The body comes from an exponentially forgetting histogram, so a stream with a
 * spike every day learns that spikes are normal. Above the (1 − tailShare) quantile the tail is modelled
 * as exponential with the mean excess of past values there (peaks over threshold), so a value beyond
 * anything in memory keeps a graded, finite surprise and one old outlier does not blind the detector.
 * O(bins) per point, no allocation; forgetting grows the weight of new points instead of touching old bins.
 */
export class SurpriseTail {
  private bins: Float64Array;
  private total = 0;
  private increment = 1;
  /** Highest bin that ever received mass: scans start there (bins above it are exactly 0). */
  private top = 0;
  private readonly factor: number;

  constructor(
    private readonly binCount: number,
    private readonly binWidth: number,
    forgetAlpha: number,
    private readonly tailShare: number,
  ) {
    this.bins = new Float64Array(binCount);
    this.factor = 1 / (1 - forgetAlpha);
  }

  /** −log10 of the estimated tail probability of `x`; then learns `x` when `learn` is set. */
  update(x: number, learn: boolean): number {
    const bins = this.bins;
    const bin = Math.min(this.binCount - 1, Math.max(0, Math.floor(x / this.binWidth)));
    let above = 0;
    for (let b = this.top; b > bin; b--) above += bins[b] as number;
    const own = bins[bin] as number;
    let surprise = -Math.log10((above + 0.5 * own + this.increment) / (this.total + this.increment));
    if (this.total > 0) {
      let mass = 0;
      let excess = 0;
      let b = this.top;
      for (; b > 0; b--) {
        const m = bins[b] as number;
        if (mass + m > this.tailShare * this.total) break;
        mass += m;
        excess += m * (b + 0.5);
      }
      const threshold = (b + 1) * this.binWidth;
      if (x > threshold && mass > 0) {
        const meanExcess = Math.max((excess / mass) * this.binWidth - threshold, this.binWidth);
        surprise = Math.max(surprise, -Math.log10(mass / this.total) + (x - threshold) / meanExcess / Math.LN10);
      }
    }
    if (learn) {
      bins[bin] = own + this.increment;
      if (bin > this.top) this.top = bin;
      this.total += this.increment;
      this.increment *= this.factor;
      if (this.increment > RENORMALISE_ABOVE) this.renormalise();
    }
    return surprise;
  }

  private renormalise(): void {
    const k = 1 / this.increment;
    for (let b = 0; b < this.binCount; b++) this.bins[b] = (this.bins[b] as number) * k;
    this.total *= k;
    this.increment = 1;
  }

  toJSON(): SurpriseTailState {
    return { bins: Array.from(this.bins), total: this.total, increment: this.increment };
  }

  restore(state: SurpriseTailState): void {
    if (state.bins.length !== this.binCount) throw new Error(`detector state has ${state.bins.length} tail bins, the configuration ${this.binCount}`);
    this.bins = Float64Array.from(state.bins);
    this.total = state.total;
    this.increment = state.increment;
    this.top = 0;
    for (let b = 0; b < this.binCount; b++) if ((this.bins[b] as number) > 0) this.top = b;
  }
}
