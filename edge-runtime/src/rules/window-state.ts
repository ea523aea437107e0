import { type Aggregate, RULE_LIMITS, type WindowSpec } from './rule-schema.js';
import { RunningWindow } from './running-window.js';

/** The state of one window condition for one device. `value()` is the aggregate the condition compares, null when undefined. */
export interface WindowState {
  /** A reading carrying the metric. `ts` never goes backwards (the engine clamps it). */
  add(ts: number, value: number): void;
  /** Time moves on (any reading of the device), even without the metric. */
  advance(ts: number): void;
  value(): number | null;
  /** Points that left a sliding window early because it was full. */
  readonly overflowed: number;
}

/** Sliding: the readings with ts in (now − ms, now], evaluated at every reading. */
class SlidingState implements WindowState {
  private readonly window = new RunningWindow(RULE_LIMITS.maxSlidingPoints);
  constructor(
    private readonly ms: number,
    private readonly kind: Aggregate,
  ) {}
  get overflowed() {
    return this.window.overflowed;
  }
  add(ts: number, value: number): void {
    this.window.add(ts, value);
    this.advance(ts);
  }
  advance(ts: number): void {
    this.window.evictThrough(ts - this.ms);
  }
  value(): number | null {
    return this.window.aggregate(this.kind);
  }
}

/** Count: the last `readings` values of the metric; undefined until that many have arrived. */
class CountState implements WindowState {
  private readonly window: RunningWindow;
  private seq = 0;
  readonly overflowed = 0;
  constructor(
    private readonly readings: number,
    private readonly kind: Aggregate,
  ) {
    this.window = new RunningWindow(readings);
  }
  add(_ts: number, value: number): void {
    this.window.add(++this.seq, value);
  }
  advance(): void {}
  value(): number | null {
    return this.window.count < this.readings ? null : this.window.aggregate(this.kind);
  }
}

/** Running count, sum, min and max: all a tumbling window needs, in constant memory. */
class Accumulator {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  add(value: number): void {
    this.n++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
  aggregate(kind: Aggregate): number | null {
    if (kind === 'count') return this.n;
    if (kind === 'sum') return this.sum;
    if (this.n === 0) return null;
    return kind === 'avg' ? this.sum / this.n : kind === 'min' ? this.min : this.max;
  }
}

/**
 * Tumbling: windows [k·ms, (k+1)·ms) aligned to the epoch. The condition sees the aggregate of the last
 * completed window (a window completes when a reading of the device arrives past its end); a window
 * in which no reading of the metric arrived aggregates to count 0, sum 0, and no avg/min/max.
 */
class TumblingState implements WindowState {
  private start: number | null = null;
  private current = new Accumulator();
  private closed: number | null = null;
  readonly overflowed = 0;
  constructor(
    private readonly ms: number,
    private readonly kind: Aggregate,
  ) {}
  add(ts: number, value: number): void {
    this.advance(ts);
    this.current.add(value);
  }
  advance(ts: number): void {
    const start = Math.floor(ts / this.ms) * this.ms;
    if (this.start === null) {
      this.start = start;
      return;
    }
    if (start <= this.start) return;
    // The last completed window is the one just before `start`: the current one if adjacent, else an empty one.
    this.closed = (start === this.start + this.ms ? this.current : new Accumulator()).aggregate(this.kind);
    this.current = new Accumulator();
    this.start = start;
  }
  value(): number | null {
    return this.closed;
  }
}

export function createWindowState(spec: WindowSpec, aggregate: Aggregate): WindowState {
  switch (spec.type) {
    case 'sliding':
      return new SlidingState(spec.ms, aggregate);
    case 'count':
      return new CountState(spec.readings, aggregate);
    case 'tumbling':
      return new TumblingState(spec.ms, aggregate);
  }
}
