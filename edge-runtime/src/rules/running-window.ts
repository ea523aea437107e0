import type { Aggregate } from './rule-schema.js';

/** A queue with O(1) push, pop at both ends and peeks; compacts its backing array now and then. */
class Deque<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  first(): T | undefined {
    return this.items[this.head];
  }
  last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  pop(): T | undefined {
    return this.length > 0 ? this.items.pop() : undefined;
  }
}

type Point = { pos: number; value: number };

/**
 * Values keyed by a non-decreasing position (a reading's timestamp for sliding windows, a reading count
 * for count windows), with running count and sum and monotonic deques for min and max: every operation is
 * amortised O(1). At most `maxPoints` are kept; past that the oldest leave early and `overflowed` counts them.
 */
export class RunningWindow {
  private readonly points = new Deque<Point>();
  private readonly mins = new Deque<Point>();
  private readonly maxs = new Deque<Point>();
  private sum = 0;
  overflowed = 0;

  constructor(private readonly maxPoints: number) {}

  add(pos: number, value: number): void {
    const p = { pos, value };
    this.points.push(p);
    this.sum += value;
    while ((this.mins.last()?.value ?? -Infinity) > value) this.mins.pop();
    this.mins.push(p);
    while ((this.maxs.last()?.value ?? Infinity) < value) this.maxs.pop();
    this.maxs.push(p);
    if (this.points.length > this.maxPoints) {
      this.overflowed++;
      this.removeOldest();
    }
  }

  /** Drop every point at or before `pos`. */
  evictThrough(pos: number): void {
    while ((this.points.first()?.pos ?? Infinity) <= pos) this.removeOldest();
  }

  private removeOldest(): void {
    const p = this.points.shift()!;
    this.sum -= p.value;
    if (this.mins.first() === p) this.mins.shift();
    if (this.maxs.first() === p) this.maxs.shift();
    if (this.points.length === 0) this.sum = 0; // no floating-point residue once empty
  }

  get count(): number {
    return this.points.length;
  }

  aggregate(kind: Aggregate): number | null {
    const n = this.points.length;
    switch (kind) {
      case 'count':
        return n;
      case 'sum':
        return this.sum;
      case 'avg':
        return n === 0 ? null : this.sum / n;
      case 'min':
        return this.mins.first()?.value ?? null;
      case 'max':
        return this.maxs.first()?.value ?? null;
    }
  }
}
