import { Prng } from '@outpost/models/signals';
/** One featurised window kept for training: the device and reading time it came from, for labels. */
interface Kept {
  deviceId: string;
  ts: number;
  vector: Float32Array;
}

interface ProfileReservoir {
  inputSize: number;
  items: Kept[];
  seen: number;
  /** Windows added since the last training that used this profile: what the hub's offer asks about. */
  fresh: number;
  /** Windows the model flagged (score past its threshold): held out until a technician labels them normal. */
  flagged: Kept[];
}

/** Flagged windows kept per profile waiting for a label; the oldest is forgotten beyond it. */
const MAX_FLAGGED = 256;

/**
 * The trainer's data: per profile, a uniform sample (reservoir sampling, Vitter's algorithm R) of the normal
 * windows edge-runtime featurised, bounded by `capacity` windows per profile and `maxProfiles` profiles
 * (windows of further profiles are not kept). Windows the model flagged are kept apart and only join when a
 * technician labels them normal; a window labelled anomalous is removed. Nothing here leaves the process.
 */
export class WindowReservoir {
  readonly #profiles = new Map<string, ProfileReservoir>();
  readonly #rng: Prng;

  constructor(
    readonly capacity: number,
    readonly maxProfiles: number,
    seed: number | string = 'window-reservoir',
  ) {
    this.#rng = new Prng(seed, 'window-reservoir');
  }

  #profile(profile: string, inputSize: number): ProfileReservoir | null {
    let r = this.#profiles.get(profile);
    if (r && r.inputSize !== inputSize) {
      // A model of another input layout took over the profile: the old windows no longer fit it.
      this.#profiles.delete(profile);
      r = undefined;
    }
    if (!r) {
      if (this.#profiles.size >= this.maxProfiles) return null;
      r = { inputSize, items: [], seen: 0, fresh: 0, flagged: [] };
      this.#profiles.set(profile, r);
    }
    return r;
  }

  /** A window the model scored; `flagged`: its score was past the model's alert threshold. */
  add(profile: string, deviceId: string, ts: number, vector: Float32Array, flagged: boolean): void {
    const r = this.#profile(profile, vector.length);
    if (!r) return;
    // The scoring loop's vector is reused: copy it, but only when it is kept (once full, most windows are not).
    const copy = () => ({ deviceId, ts, vector: Float32Array.from(vector) });
    if (flagged) {
      r.flagged.push(copy());
      if (r.flagged.length > MAX_FLAGGED) r.flagged.shift();
      return;
    }
    this.#keep(r, copy);
  }

  #keep(r: ProfileReservoir, item: () => Kept): void {
    r.seen++;
    r.fresh = Math.min(r.fresh + 1, this.capacity);
    if (r.items.length < this.capacity) return void r.items.push(item());
    const j = Math.floor(this.#rng.next() * r.seen);
    if (j < this.capacity) r.items[j] = item();
  }

  /**
   * A technician's label for a device's alert at `ts`: windows of that device ending within `spanMs` of it
   * are removed ('anomaly') or, if they were flagged, kept for training after all ('normal').
   */
  label(deviceId: string, ts: number, label: 'anomaly' | 'normal', spanMs: number): number {
    let changed = 0;
    const near = (k: Kept) => k.deviceId === deviceId && Math.abs(k.ts - ts) <= spanMs;
    for (const r of this.#profiles.values()) {
      if (label === 'anomaly') {
        const before = r.items.length + r.flagged.length;
        r.items = r.items.filter((k) => !near(k));
        r.flagged = r.flagged.filter((k) => !near(k));
        changed += before - r.items.length - r.flagged.length;
      } else {
        const promote = r.flagged.filter(near);
        r.flagged = r.flagged.filter((k) => !near(k));
        for (const k of promote) this.#keep(r, () => k);
        changed += promote.length;
      }
    }
    return changed;
  }

  /** New windows of the profile and layout since its last training (0 when it has none). */
  fresh(profile: string, inputSize: number): number {
    const r = this.#profiles.get(profile);
    return r && r.inputSize === inputSize ? Math.min(r.fresh, r.items.length) : 0;
  }

  /** The kept windows of the profile (copies of the references; the vectors are not shared with scoring). */
  windows(profile: string, inputSize: number): Float32Array[] {
    const r = this.#profiles.get(profile);
    return r && r.inputSize === inputSize ? r.items.map((k) => k.vector) : [];
  }

  /** A training on this profile's windows finished: count fresh windows from zero again. */
  trained(profile: string): void {
    const r = this.#profiles.get(profile);
    if (r) r.fresh = 0;
  }

  stats(): Record<string, { kept: number; fresh: number; flagged: number; seen: number }> {
    return Object.fromEntries([...this.#profiles].map(([p, r]) => [p, { kept: r.items.length, fresh: r.fresh, flagged: r.flagged.length, seen: r.seen }]));
  }
}
