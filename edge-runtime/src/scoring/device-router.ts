import { type FeaturizerState, WindowFeaturizer } from '@outpost/models/anomaly';
import { featurizerSpec, type LoadedModel } from '../models/loaded-model.js';
import type { ModelSlot } from '../models/model-manager.js';
import type { WindowItem } from './window-queue.js';

export interface RouterReading {
  id: number;
  deviceId: string;
  ts: number;
  metrics: Readonly<Record<string, number>>;
}

/** What the router needs of the model manager. */
export interface SlotSource {
  activeSlots(): ModelSlot[];
  slot(name: string): ModelSlot | undefined;
  readonly generation: number;
}

type Held = { model: LoadedModel; featurizer: WindowFeaturizer; warm: boolean };
type Device = { slot: string | null; generation: number; held: Map<string, Held>; ring: { ts: number; metrics: Readonly<Record<string, number>> }[] };

/** Saved featurizer states: fingerprint → device id → state. */
export type SavedFeaturizers = Record<string, Record<string, FeaturizerState>>;

export interface DeviceRouterOptions {
  maxDevices: number;
  /** Raw readings kept per device to warm up a new model's featurizer after a swap (bound of the per-device ring). */
  replayReadings: number;
  onStateRejected?: (deviceId: string, err: unknown) => void;
}

/**
 * Turns each device's readings into feature windows for the model that serves it. A device is served by
 * the model name whose metrics its readings all carry, the one with the most metrics; the choice is
 * remembered and only ever upgraded to a model with more metrics.
 *
 * Per device it holds one featurizer per model it currently needs. After a swap the new model's featurizer
 * starts from the old one's state when the features are the same (same fingerprint), else it replays the
 * device's recent raw readings (`replayReadings`); until it is warm, the old model's featurizer keeps
 * producing the device's windows, so no reading goes unscored across a swap. While a model is on probation
 * its predecessor's featurizer runs too, giving every window a fallback for a rollback. Each reading yields
 * at most one window. Bounded: `maxDevices` devices (least recently seen forgotten), `replayReadings` raw readings each.
 */
export class DeviceRouter {
  private readonly devices = new Map<string, Device>();
  private saved: SavedFeaturizers;
  evictedDevices = 0;

  constructor(
    private readonly slots: SlotSource,
    private readonly options: DeviceRouterOptions,
    saved: SavedFeaturizers = {},
  ) {
    this.saved = saved;
  }

  route(reading: RouterReading): WindowItem | null {
    const device = this.device(reading.deviceId);
    const slot = this.choose(device, reading.metrics);
    let item: WindowItem | null = null;
    if (slot) {
      const target = this.hold(device, slot.active, reading.deviceId);
      const previous = slot.previous ? this.hold(device, slot.previous, reading.deviceId) : null;
      const vectors = new Map<Held, Float32Array | null>();
      for (const held of device.held.values()) {
        const v = held.featurizer.push(reading.ts, reading.metrics);
        if (v) held.warm = true;
        vectors.set(held, v);
      }
      const targetVector = vectors.get(target)!;
      if (targetVector) {
        const fallbackVector = previous ? vectors.get(previous) : null;
        item = { ...this.where(reading), model: target.model, vector: targetVector, fallback: previous && fallbackVector ? { model: previous.model, vector: fallbackVector } : null };
      } else {
        // Not warm yet on the new model: a model that served this device before stands in.
        const standIn = [...vectors].find(([held, v]) => v && held !== target && !held.model.failed);
        if (standIn) item = { ...this.where(reading), model: standIn[0].model, vector: standIn[1]!, fallback: null };
      }
      // Stand-ins are no longer needed once the target is warm and not on probation.
      for (const [key, held] of device.held) {
        if (held === target || held === previous) continue;
        if (held.model.failed || (target.warm && !previous)) device.held.delete(key);
      }
    }
    device.ring.push({ ts: reading.ts, metrics: reading.metrics });
    if (device.ring.length > this.options.replayReadings) device.ring.shift();
    return item;
  }

  private where(r: RouterReading) {
    return { deviceId: r.deviceId, readingId: r.id, ts: r.ts };
  }

  private device(deviceId: string): Device {
    let device = this.devices.get(deviceId);
    if (device) {
      this.devices.delete(deviceId); // re-insert: Map order is least recently seen first
    } else {
      device = { slot: null, generation: -1, held: new Map(), ring: [] };
      if (this.devices.size >= this.options.maxDevices) {
        this.devices.delete(this.devices.keys().next().value!);
        this.evictedDevices++;
      }
    }
    this.devices.set(deviceId, device);
    return device;
  }

  /** The slot serving the device: kept while it exists, upgraded to one with more metrics that this reading carries. */
  private choose(device: Device, metrics: Readonly<Record<string, number>>): ModelSlot | null {
    const current = device.slot === null ? undefined : this.slots.slot(device.slot);
    if (current && device.generation === this.slots.generation) return current;
    let best = current ?? null;
    for (const slot of this.slots.activeSlots()) {
      const wanted = slot.active.manifest.metrics;
      if (best && wanted.length <= best.active.manifest.metrics.length) continue;
      if (wanted.every((m) => typeof metrics[m] === 'number')) best = slot;
    }
    device.slot = best?.name ?? null;
    // Settled once no serving model has more metrics than the chosen one; until then every reading may upgrade it.
    const most = Math.max(0, ...this.slots.activeSlots().map((s) => s.active.manifest.metrics.length));
    device.generation = best && best.active.manifest.metrics.length >= most ? this.slots.generation : -1;
    return best;
  }

  /** The device's featurizer for a model, created from a compatible one it holds, a saved state, or its recent readings. */
  private hold(device: Device, model: LoadedModel, deviceId: string): Held {
    const existing = device.held.get(model.key);
    if (existing) return existing;
    const spec = featurizerSpec(model.manifest);
    let held: Held | null = null;
    const same = [...device.held.values()].find((h) => h.model.fingerprint === model.fingerprint);
    if (same) held = { model, featurizer: new WindowFeaturizer(spec, same.featurizer.toJSON()), warm: same.warm };
    const saved = this.saved[model.fingerprint]?.[deviceId];
    if (!held && saved) {
      delete this.saved[model.fingerprint]![deviceId];
      try {
        const featurizer = new WindowFeaturizer(spec, saved);
        held = { model, featurizer, warm: featurizer.accepted >= (model.manifest.preprocessing as { warmup: number }).warmup };
      } catch (err) {
        this.options.onStateRejected?.(deviceId, err);
      }
    }
    if (!held) {
      const featurizer = new WindowFeaturizer(spec);
      let warm = false;
      for (const r of device.ring) warm = featurizer.push(r.ts, r.metrics) !== null || warm; // already scored: outputs dropped
      held = { model, featurizer, warm };
    }
    device.held.set(model.key, held);
    return held;
  }

  /** True while some device holds a featurizer of the model. */
  usesModel(key: string): boolean {
    for (const device of this.devices.values()) if (device.held.has(key)) return true;
    return false;
  }

  /** Drop every featurizer of a model that is gone. */
  forgetModel(key: string): void {
    for (const device of this.devices.values()) device.held.delete(key);
  }

  get size(): number {
    return this.devices.size;
  }

  /** Featurizer states to persist: per device, the state of the model that serves it, plus saved states not yet claimed. */
  snapshot(): SavedFeaturizers {
    const out: SavedFeaturizers = {};
    let count = 0;
    for (const [deviceId, device] of this.devices) {
      const slot = device.slot === null ? undefined : this.slots.slot(device.slot);
      const held = slot ? device.held.get(slot.active.key) : undefined;
      if (!held) continue;
      (out[held.model.fingerprint] ??= {})[deviceId] = held.featurizer.toJSON();
      count++;
    }
    for (const [fingerprint, devices] of Object.entries(this.saved)) {
      for (const [deviceId, state] of Object.entries(devices)) {
        if (count >= this.options.maxDevices) break;
        if (this.devices.has(deviceId) || out[fingerprint]?.[deviceId]) continue;
        (out[fingerprint] ??= {})[deviceId] = state;
        count++;
      }
    }
    return out;
  }
}
