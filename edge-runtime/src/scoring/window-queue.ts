import type { LoadedModel } from '../models/loaded-model.js';

/** One feature window waiting to be scored: the model that featurised it and, on probation, the rollback's. */
export interface WindowItem {
  deviceId: string;
  readingId: number;
  ts: number;
  model: LoadedModel;
  vector: Float32Array;
  /** The same reading featurised for the model on probation's predecessor: scored instead if `model` fails. */
  fallback: { model: LoadedModel; vector: Float32Array } | null;
}

/**
 * The "scoring" queue: windows between the reading intake and the scoring worker, bound `max`. Policy
 * when full: pause the producer. `hasRoom()` turns false and the reading intake waits in `waitForRoom()`
 * before it acknowledges the batch, so the gateway holds further readings. One batch may overshoot the
 * bound by its own windows (at most MAX_READINGS_PER_BATCH).
 */
export class WindowQueue {
  private items: WindowItem[] = [];
  private head = 0;
  private roomWaiters: (() => void)[] = [];
  private itemWaiters: (() => void)[] = [];
  private released = false;

  constructor(readonly max: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  hasRoom(): boolean {
    return this.released || this.length < this.max;
  }

  waitForRoom(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Resolves when at least one window is queued (at once if one is). */
  waitForItem(): Promise<void> {
    if (this.length > 0 || this.released) return Promise.resolve();
    return new Promise((resolve) => this.itemWaiters.push(resolve));
  }

  push(item: WindowItem): void {
    this.items.push(item);
    for (const wake of this.itemWaiters.splice(0)) wake();
  }

  /** Up to `max` windows, oldest first. */
  take(max: number): WindowItem[] {
    const out = this.items.slice(this.head, this.head + max);
    this.head += out.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.hasRoom()) for (const wake of this.roomWaiters.splice(0)) wake();
    return out;
  }

  /** True while a queued window refers to the model (its session must stay loaded). */
  usesModel(key: string): boolean {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (item.model.key === key || item.fallback?.model.key === key) return true;
    }
    return false;
  }

  /** Closing: wake everything waiting, and stop pausing the producer. */
  release(): void {
    this.released = true;
    for (const wake of [...this.roomWaiters.splice(0), ...this.itemWaiters.splice(0)]) wake();
  }
}
