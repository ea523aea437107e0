import { setTimeout as sleep } from 'node:timers/promises';
import { isRuntimeError } from '../errors.js';
import type { LoadedModel } from '../models/loaded-model.js';
import type { ModelManager } from '../models/model-manager.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { RunOutput, ScoringBackend } from './scoring-backend.js';
import type { WindowItem, WindowQueue } from './window-queue.js';

export interface ScoringLoopOptions {
  /** Most windows in one run. */
  batchSize: number;
  /** How long the first queued window waits for more before a run. */
  batchWindowMs: number;
}

/** Called once per successful run, with the windows in the order of `output`'s rows. */
export type OnScored = (model: LoadedModel, items: WindowItem[], output: RunOutput) => void;

/**
 * Takes windows off the queue in batches (up to `batchSize`, after at most `batchWindowMs`), groups them by
 * the model that scores them and runs each group in the backend. Every window is scored once: by its own
 * model, or, when that model failed on probation, by the predecessor its fallback vector was made for.
 * A run that throws on probation rolls the model back and rescores the batch with its predecessor; a run
 * that throws otherwise is tried once more (a worker restart), then its windows are counted unscored.
 */
export class ScoringLoop {
  private running: Promise<void> | null = null;
  private stopped = false;
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private batchWindowMs: number;

  constructor(
    private readonly queue: WindowQueue,
    private readonly backend: ScoringBackend,
    private readonly manager: Pick<ModelManager, 'runSucceeded' | 'runFailed' | 'runRecovered' | 'retiredCount'>,
    private readonly options: ScoringLoopOptions,
    private readonly onScored: OnScored,
    private readonly events: RuntimeEvents,
    /** Releases retired models nothing refers to; run after batches while some are retired. */
    private readonly sweep: () => Promise<void> = async () => {},
  ) {
    this.batchWindowMs = options.batchWindowMs;
  }

  /** Change the batch window from the next batch on (the power mode lengthens it to save energy). */
  setBatchWindowMs(ms: number): void {
    this.batchWindowMs = ms;
  }

  get currentBatchWindowMs(): number {
    return this.batchWindowMs;
  }

  start(): void {
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    for (;;) {
      await this.queue.waitForItem();
      if (this.stopped && this.queue.length === 0) break;
      if (this.queue.length < this.options.batchSize && this.batchWindowMs > 0 && !this.stopped) await sleep(this.batchWindowMs);
      this.busy = true;
      try {
        await this.score(this.queue.take(this.options.batchSize));
        if (this.manager.retiredCount > 0) await this.sweep();
      } finally {
        this.busy = false;
      }
      if (this.queue.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Score a list of windows now (the loop's step; tests call it directly for a deterministic batch). */
  async score(items: WindowItem[]): Promise<void> {
    const groups = new Map<LoadedModel, { items: WindowItem[]; vectors: Float32Array[] }>();
    const add = (model: LoadedModel, item: WindowItem, vector: Float32Array) => {
      let g = groups.get(model);
      if (!g) groups.set(model, (g = { items: [], vectors: [] }));
      g.items.push(item);
      g.vectors.push(vector);
    };
    for (const item of items) {
      if (!item.model.failed) add(item.model, item, item.vector);
      else if (item.fallback && !item.fallback.model.failed) add(item.fallback.model, item, item.fallback.vector);
      else this.events.windowsUnscored(item.model.modelVersion, 1);
    }
    for (const [model, g] of groups) await this.run(model, g.items, g.vectors, 0);
  }

  private async run(model: LoadedModel, items: WindowItem[], vectors: Float32Array[], attempt: number): Promise<void> {
    const inputSize = model.manifest.inputSize;
    const data = new Float32Array(items.length * inputSize);
    vectors.forEach((v, i) => data.set(v, i * inputSize));
    let output: RunOutput;
    try {
      output = await this.backend.run(model.key, data, items.length, inputSize);
    } catch (err) {
      if (isRuntimeError(err, 'RT_ERR_CLOSED')) return this.events.windowsUnscored(model.modelVersion, items.length);
      const back = this.manager.runFailed(model, err);
      if (back) {
        const again = items.filter((i) => i.fallback?.model === back);
        if (again.length < items.length) this.events.windowsUnscored(model.modelVersion, items.length - again.length);
        if (again.length > 0) await this.run(back, again, again.map((i) => i.fallback!.vector), 0);
        return;
      }
      if (attempt === 0 && !this.stopped) return this.run(model, items, vectors, 1);
      return this.events.windowsUnscored(model.modelVersion, items.length);
    }
    this.manager.runSucceeded(model);
    if (attempt > 0) this.manager.runRecovered(model);
    this.events.windowsScored(model.modelVersion, items.length);
    this.onScored(model, items, output);
  }

  /** Resolves when the queue is empty and no run is in progress. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Score what is queued, then stop. */
  async close(): Promise<void> {
    this.stopped = true;
    this.queue.release();
    await this.running;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
