import { BatteryModel } from './battery-model.js';
import type { Prng } from './prng.js';

/** A metric's physical range and its typical variation; anomaly magnitudes are multiples of `scale`. */
export interface MetricSpec {
  name: string;
  unit: string;
  min: number;
  max: number;
  scale: number;
}

/** One metric's clean signal. `signalTimeMs` is the device's time (possibly sped up); `dtMs` the step since the last sample. */
export interface MetricModel {
  spec: MetricSpec;
  value(signalTimeMs: number, dtMs: number): number;
}

export interface ProfileInstance {
  metrics: MetricModel[];
  /** The device's battery, when its profile has one (the battery-drain phase acts on it). */
  battery?: BatteryModel;
}

export const PROFILE_NAMES = ['temperature', 'humidity', 'vibration', 'power', 'battery'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** `mixed` gives device i the profile PROFILE_NAMES[i % 5]. */
export type ProfileChoice = ProfileName | 'mixed';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export const METRICS = {
  temperature: { name: 'temperature', unit: '°C', min: -40, max: 85, scale: 1 },
  humidity: { name: 'humidity', unit: '%RH', min: 0, max: 100, scale: 3 },
  vibration: { name: 'vibration_rms', unit: 'mm/s', min: 0, max: 50, scale: 0.5 },
  power: { name: 'power_w', unit: 'W', min: 0, max: 20_000, scale: 150 },
  battery: { name: 'battery_v', unit: 'V', min: 3.0, max: 4.2, scale: 0.03 },
} as const satisfies Record<string, MetricSpec>;

export const clamp = (v: number, spec: MetricSpec) => Math.min(spec.max, Math.max(spec.min, v));

/** First-order autoregressive noise: smooth like real sensor noise, not white. */
function arNoise(rng: Prng, sigma: number, keep = 0.9): () => number {
  let state = 0;
  const innovation = sigma * Math.sqrt(1 - keep * keep);
  return () => (state = keep * state + innovation * rng.normal());
}

/** Daily cycle in [-1, 1], peaking at `peakHourUtc`. */
const daily = (t: number, peakHourUtc: number) => Math.cos((2 * Math.PI * (t - peakHourUtc * 3_600_000)) / DAY_MS);

function temperature(rng: Prng): MetricModel {
  const base = rng.uniform(12, 24);
  const amplitude = rng.uniform(2, 6);
  const peak = rng.uniform(13, 16);
  const noise = arNoise(rng, 0.15);
  return { spec: METRICS.temperature, value: (t) => clamp(base + amplitude * daily(t, peak) + noise(), METRICS.temperature) };
}

function humidity(rng: Prng): MetricModel[] {
  const base = rng.uniform(45, 70);
  const amplitude = rng.uniform(5, 15);
  const peak = rng.uniform(13, 16);
  const noise = arNoise(rng, 1);
  const temp = temperature(rng);
  // Relative humidity falls as the day warms: the same cycle, inverted.
  const rh: MetricModel = { spec: METRICS.humidity, value: (t) => clamp(base - amplitude * daily(t, peak) + noise(), METRICS.humidity) };
  return [rh, temp];
}

/** A machine that runs for tens of minutes and rests for a few: RMS velocity on, a noise floor off. */
function vibration(rng: Prng): MetricModel {
  const level = rng.uniform(2, 7);
  const floor = rng.uniform(0.05, 0.2);
  const meanOnMs = rng.uniform(20, 60) * MINUTE_MS;
  const meanOffMs = rng.uniform(5, 30) * MINUTE_MS;
  const noise = arNoise(rng, 0.12, 0.5);
  let on = rng.next() < meanOnMs / (meanOnMs + meanOffMs);
  let switchAt: number | undefined;
  return {
    spec: METRICS.vibration,
    value: (t) => {
      switchAt ??= t + rng.exponential(on ? meanOnMs : meanOffMs);
      while (t >= switchAt) {
        on = !on;
        switchAt += rng.exponential(on ? meanOnMs : meanOffMs);
      }
      const v = on ? level * (1 + noise()) : floor * (1 + 0.3 * Math.abs(noise()));
      return clamp(v, METRICS.vibration);
    },
  };
}

/** A meter behind a few loads that switch on and off: a base load plus steps. */
function power(rng: Prng): MetricModel {
  const baseW = rng.uniform(150, 600);
  const loads = Array.from({ length: rng.int(2, 4) }, () => ({ watts: rng.uniform(300, 2500), on: rng.next() < 0.5, switchAt: undefined as number | undefined, meanDwellMs: rng.uniform(3, 30) * MINUTE_MS }));
  const noise = arNoise(rng, 0.01, 0.5);
  return {
    spec: METRICS.power,
    value: (t) => {
      let total = baseW;
      for (const load of loads) {
        load.switchAt ??= t + rng.exponential(load.meanDwellMs);
        while (t >= load.switchAt) {
          load.on = !load.on;
          load.switchAt += rng.exponential(load.meanDwellMs);
        }
        if (load.on) total += load.watts;
      }
      return clamp(total * (1 + noise()), METRICS.power);
    },
  };
}

function battery(rng: Prng): { metric: MetricModel; model: BatteryModel } {
  const solar = rng.next() < 0.5;
  const model = new BatteryModel({
    capacityMah: rng.uniform(1500, 3000),
    soc: rng.uniform(0.6, 1),
    loadMa: rng.uniform(2, 8),
    chargeMa: solar ? rng.uniform(30, 80) : 0,
    chargeHoursUtc: solar ? [9, 16] : undefined,
  });
  const noise = arNoise(rng, 0.004, 0.3);
  const metric: MetricModel = {
    spec: METRICS.battery,
    value: (t, dt) => {
      model.step(t, dt);
      return clamp(model.volts(t) + noise(), METRICS.battery);
    },
  };
  return { metric, model };
}

/** The clean signal models of one device, drawn from its own PRNG stream. */
export function instantiateProfile(profile: ProfileName, rng: Prng): ProfileInstance {
  switch (profile) {
    case 'temperature':
      return { metrics: [temperature(rng)] };
    case 'humidity':
      return { metrics: humidity(rng) };
    case 'vibration':
      return { metrics: [vibration(rng)] };
    case 'power':
      return { metrics: [power(rng)] };
    case 'battery': {
      const b = battery(rng);
      return { metrics: [b.metric], battery: b.model };
    }
  }
}

export function profileForDevice(choice: ProfileChoice, deviceIndex: number): ProfileName {
  return choice === 'mixed' ? PROFILE_NAMES[deviceIndex % PROFILE_NAMES.length]! : choice;
}
