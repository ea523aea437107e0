import type { LocalModelOffer } from '@outpost/protocols';
import { isRuntimeError, RuntimeError, type RuntimeErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { RuntimeEvents } from '../observability/runtime-events.js';
import type { ScoringBackend } from '../scoring/scoring-backend.js';
import type { RuntimeHealth } from '../status/runtime-health.js';
import { loadModel } from './load-model.js';
import type { LoadedModel } from './loaded-model.js';

/** One model name's serving state: the active model, and while it is on probation the one it replaced. */
export interface ModelSlot {
  readonly name: string;
  active: LoadedModel;
  /** Kept until `active` has scored once; the rollback target. */
  previous: LoadedModel | null;
}

/** Pending model offers; past it the oldest pending offer is refused with RT_ERR_MODEL_BUSY. */
export const MAX_PENDING_OFFERS = 8;
/** A retired model still used as a stand-in by devices that never warmed up on its successor is released after this. */
export const RETIRED_MAX_MS = 10 * 60_000;

/**
 * Which models serve, per model name, and how they change. Loads are serialised. A new model replaces the
 * active one of its name only after loadModel accepted it (sha256, schema, session, shapes, smoke run),
 * and only between two batches (JS runs a batch to its end; windows already queued still name the model
 * that featurised them). The replaced model stays loaded as `previous` until the new one scores once:
 * if that run throws, the new one is marked failed and the previous one is active again (rollback).
 */
export class ModelManager {
  private readonly slots = new Map<string, ModelSlot>();
  private readonly retired: LoadedModel[] = [];
  private readonly offers: LocalModelOffer[] = [];
  private loading: Promise<void> = Promise.resolve();
  private seq = 0;
  /** Changes whenever the set of active models changes, so the router re-chooses per device. */
  generation = 0;

  constructor(
    private readonly backend: ScoringBackend,
    private readonly events: RuntimeEvents,
    private readonly health: RuntimeHealth,
    private readonly log: Logger,
    /** Releases every device featurizer of a model that is gone (called before its session is released). */
    private readonly forget: (key: string) => void = () => {},
  ) {}

  activeSlots(): ModelSlot[] {
    return [...this.slots.values()];
  }

  slot(name: string): ModelSlot | undefined {
    return this.slots.get(name);
  }

  /** Load one manifest and make it serve. Throws RuntimeError (RT_ERR_MODEL_*) after logging and reporting it. */
  load(manifestPath: string, source: 'config' | 'offer', expectedSha256?: string, offerId?: string): Promise<LoadedModel> {
    return this.serial(() => this.loadNow(manifestPath, source, expectedSha256, offerId));
  }

  /** Queue an offer from the gateway; the outcome shows in the runtime status. */
  offer(offer: LocalModelOffer): void {
    if (this.offers.length >= MAX_PENDING_OFFERS) {
      const dropped = this.offers.shift()!;
      this.refused('RT_ERR_MODEL_BUSY', dropped.manifestPath, new RuntimeError('RT_ERR_MODEL_BUSY', `offer ${dropped.offerId} dropped: ${MAX_PENDING_OFFERS} offers pending`), dropped.offerId);
    }
    this.offers.push(offer);
    void this.serial(async () => {
      const next = this.offers.shift(); // the oldest pending one; a dropped offer leaves its turn to the next
      if (next) await this.loadNow(next.manifestPath, 'offer', next.sha256, next.offerId);
    }).catch(() => {}); // refusals are logged and reported by loadNow
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.loading.then(fn);
    this.loading = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  private async loadNow(manifestPath: string, source: 'config' | 'offer', expectedSha256?: string, offerId?: string): Promise<LoadedModel> {
    // The gateway may offer the serving model again (after a reconnect): that is not a swap.
    const serving = [...this.slots.values()].find((s) => s.active.manifest.onnx.sha256 === expectedSha256 && s.active.manifestPath === manifestPath);
    if (serving) {
      this.log.info({ offerId, model: serving.active.modelVersion }, 'offered model already serving');
      return serving.active;
    }
    let model: LoadedModel;
    try {
      model = await loadModel(this.backend, manifestPath, `model-${++this.seq}`, expectedSha256);
    } catch (err) {
      const code: RuntimeErrorCode = isRuntimeError(err) ? err.code : 'RT_ERR_MODEL_LOAD';
      this.refused(code, manifestPath, err, offerId);
      throw isRuntimeError(err) ? err : new RuntimeError('RT_ERR_MODEL_LOAD', (err as Error).message, { cause: err });
    }
    this.events.modelLoaded(model.modelVersion, manifestPath, source);
    this.install(model);
    if (source === 'offer') this.health.clear('models-at-start'); // the gateway replaced what failed at start
    return model;
  }

  private refused(code: RuntimeErrorCode, manifestPath: string, err: unknown, offerId?: string): void {
    this.events.modelRefused(code, manifestPath, err, offerId);
    const what = offerId ? `offer ${offerId}` : `model ${manifestPath}`;
    // A refused model never degrades a runtime that serves: the old model keeps serving. Shown in the detail.
    this.health.set('model-refused', { degraded: false, detail: `${what} refused: ${code}: ${(err as Error).message}` });
  }

  private install(model: LoadedModel): void {
    const slot = this.slots.get(model.name);
    if (!slot) {
      this.slots.set(model.name, { name: model.name, active: model, previous: null });
    } else {
      // The rollback target is the last model that proved itself: the old active one, unless it is itself still on probation.
      const keep = slot.previous ?? slot.active;
      const drop = slot.previous ? slot.active : null;
      if (drop) this.retire(drop);
      slot.previous = keep;
      slot.active = model;
      this.events.modelSwapped(model.name, keep.modelVersion, model.modelVersion, keep.fingerprint === model.fingerprint ? 'kept' : 'rebuilt');
    }
    this.health.clear('model-refused');
    this.generation++;
    this.publishModels();
  }

  /** A run of `model` succeeded: its probation ends and the model it replaced is retired. */
  runSucceeded(model: LoadedModel): void {
    const slot = this.slots.get(model.name);
    if (!slot || slot.active !== model || !slot.previous) return;
    this.retire(slot.previous);
    slot.previous = null;
    // A rolled-back name stays degraded until a successor has proven itself.
    this.health.clear(`model-failing:${model.name}`);
    this.health.clear(`rollback:${model.name}`);
    this.generation++;
  }

  /**
   * A run of `model` threw. On probation: roll back (the previous model is active again) and return it, so
   * the caller rescores with it. Otherwise report the model as failing and return null.
   */
  runFailed(model: LoadedModel, err: unknown): LoadedModel | null {
    const slot = this.slots.get(model.name);
    if (slot && slot.active === model && slot.previous) {
      const back = slot.previous;
      model.failed = true;
      slot.active = back;
      slot.previous = null;
      this.retire(model);
      this.events.modelRolledBack(model.modelVersion, back.modelVersion, err);
      this.health.set(`rollback:${model.name}`, { degraded: true, detail: `RT_ERR_MODEL_RUN: ${model.modelVersion} failed to score (${(err as Error).message}); rolled back to ${back.modelVersion}` });
      this.generation++;
      this.publishModels();
      return back;
    }
    this.events.modelRunFailed(model.modelVersion, 0, err);
    this.health.set(`model-failing:${model.name}`, { degraded: true, detail: `RT_ERR_MODEL_RUN: ${model.modelVersion} failed to score (${(err as Error).message})` });
    return null;
  }

  /** A run that had failed before succeeded again. */
  runRecovered(model: LoadedModel): void {
    this.health.clear(`model-failing:${model.name}`);
  }

  private retire(model: LoadedModel): void {
    model.retiredAt = Date.now();
    this.retired.push(model);
  }

  /** Release the sessions of retired models nothing refers to any more (`inUse` asks the queue and the router). */
  async sweep(inUse: (key: string) => boolean): Promise<void> {
    for (const model of [...this.retired]) {
      // Devices that never warmed up on the successor stop using an overdue model as their stand-in.
      if (Date.now() - model.retiredAt! > RETIRED_MAX_MS) this.forget(model.key);
      if (inUse(model.key)) continue;
      this.retired.splice(this.retired.indexOf(model), 1);
      this.forget(model.key);
      await this.backend.unload(model.key).catch((err: unknown) => this.log.warn({ err, model: model.modelVersion }, 'releasing a retired session failed'));
      this.log.info({ model: model.modelVersion }, 'retired model released');
    }
  }

  get retiredCount(): number {
    return this.retired.length;
  }

  /** Wait for every load and offer in progress. */
  idle(): Promise<void> {
    return this.loading;
  }

  private publishModels(): void {
    this.health.setModels([...this.slots.values()].map((s) => s.active.modelVersion));
  }
}
