// Seeded sensor profiles with labelled anomalies: the simulator's devices publish them, and models train
// and evaluate on them.
export { Prng, hashSeed } from './prng.js';
export { METRICS, type MetricSpec, PROFILE_NAMES, type ProfileChoice, type ProfileName, profileForDevice, clamp } from './profiles.js';
export { ANOMALY_SAMPLES, ANOMALY_TYPES, type AnomalyLabel, type AnomalyType } from './anomalies.js';
export { BatteryModel, type BatteryOptions, openCircuitVolts } from './battery-model.js';
export { SignalGenerator, type SignalGeneratorOptions, type SignalSample } from './signal-generator.js';
export { generateSeries, type SeriesOptions, type SeriesReading } from './generate-series.js';
