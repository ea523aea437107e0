import {
  AdaptiveReceiver,
  AdaptiveSender,
  type Encoding,
  PREDICTOR_KINDS,
  type PredictorKind,
  type ReportingPolicy,
  adaptivePolicyOf,
  encodeMessage,
} from '@outpost/protocols';
import { type AnomalyLabel, METRICS, type MetricSpec, PROFILE_NAMES, type ProfileName, SignalGenerator } from '@outpost/models/signals';
import { DEFAULT_ENERGY_MODEL, type EnergyModel, batteryLifeDays } from '../power/energy-model.js';

export interface AdaptiveBenchOptions {
  devices: number;
  samples: number;
  intervalMs: number;
  /** Tolerance of each metric as a fraction of its sensor range (METRICS min..max). */
  toleranceFraction: number;
  /** Heartbeat: a transmission at least every this many samples. */
  maxSilenceSamples: number;
  anomalyRate: number;
  seed: string;
  profiles?: readonly ProfileName[];
  predictors?: readonly PredictorKind[];
  lmsOrder?: number;
  lmsStep?: number;
  encoding?: Encoding;
  energy?: EnergyModel;
}

export interface MetricResult {
  metric: string;
  rangeUnits: number;
  tolerance: number;
  /** Root mean square error of the gateway's stream against what the device measured, % of the range. */
  rmseRealPct: number;
  /** … against the clean signal (no anomalies; sensor noise included, as the generator defines it), % of the range. */
  rmseCleanPct: number;
  /** Largest |gateway − measured| over the largest allowed: at most 1 by construction. */
  maxErrorOverTolerance: number;
}

export interface ProfileResult {
  profile: ProfileName;
  predictor: PredictorKind;
  samples: number;
  transmissions: number;
  savedPct: number;
  metrics: MetricResult[];
  /** Samples where the gateway's stream differs from the device's own reconstruction: must be 0. */
  mismatches: number;
  /** Receiver outcomes other than epoch-start and in-sync: must be 0 with in-order delivery. */
  desyncs: number;
  spikes: { labels: number; beyondTolerance: number; firstSampleSent: number; samples: number; samplesSent: number };
  bytesPerTransmission: number;
  battery: { periodicDays: number; adaptiveDays: number; gain: number };
}

const T0 = Date.UTC(2026, 0, 1);
const SPEC_BY_NAME = new Map<string, MetricSpec>(Object.values(METRICS).map((m) => [m.name, m]));

interface Trace {
  samples: { metrics: Record<string, number> | null; clean: Record<string, number> }[];
  labels: AnomalyLabel[];
}

function trace(profile: ProfileName, device: number, o: AdaptiveBenchOptions): Trace {
  const gen = new SignalGenerator({ seed: o.seed, deviceId: `adaptive-${profile}-${device}`, profile, anomalyRate: o.anomalyRate, anomalyTypes: ['spike', 'drift', 'stuck-at', 'noise-burst', 'dropout'] });
  const samples: Trace['samples'] = [];
  const labels: AnomalyLabel[] = [];
  for (let i = 0; i < o.samples; i++) {
    const s = gen.next(T0 + i * o.intervalMs);
    samples.push({ metrics: s.metrics, clean: s.clean });
    labels.push(...s.labels);
  }
  labels.push(...gen.finish());
  return { samples, labels };
}

interface Accumulator {
  samples: number;
  transmissions: number;
  bytes: number;
  periodicBytes: number;
  periodicMessages: number;
  mismatches: number;
  desyncs: number;
  err: Map<string, { n: number; sumSqReal: number; sumSqClean: number; maxOverTol: number }>;
  spikes: ProfileResult['spikes'];
}

/** Device and gateway over one trace, with the same shared code on both sides and lossless in-order delivery. */
function simulate(t: Trace, policy: NonNullable<ReturnType<typeof adaptivePolicyOf>>, encoding: Encoding, acc: Accumulator): void {
  const sender = new AdaptiveSender(policy);
  const receiver = new AdaptiveReceiver(policy);
  const device: (Record<string, number> | undefined)[] = [];
  const gateway: (Record<string, number> | undefined)[] = [];
  const indexOfSample: (number | null)[] = [];
  const sentAt = new Set<number>();
  let lastSent = -1;
  for (const [i, s] of t.samples.entries()) {
    const ts = T0 + i * policy.intervalMs;
    if (s.metrics) {
      acc.periodicBytes += encodeMessage('telemetry', { v: 1, ts, seq: i, metrics: s.metrics }, encoding).byteLength;
      acc.periodicMessages++;
    }
    const d = sender.sample(s.metrics);
    indexOfSample.push(d?.seq ?? null);
    if (!d) continue;
    device[d.seq] = d.reconstructed;
    if (!d.transmit) continue;
    sentAt.add(i);
    lastSent = d.seq;
    acc.transmissions++;
    acc.bytes += encodeMessage('telemetry', { v: 1, ts, seq: d.seq, metrics: s.metrics! }, encoding).byteLength;
    const r = receiver.receive(d.seq, s.metrics!);
    if (r.outcome !== 'epoch-start' && r.outcome !== 'in-sync') acc.desyncs++;
    for (const f of r.filled) gateway[f.seq] = f.metrics;
    gateway[d.seq] = s.metrics!;
  }
  // Samples after the last transmission are filled only when the next one arrives: left out here.
  for (const [i, s] of t.samples.entries()) {
    const seq = indexOfSample[i];
    if (seq === null || seq === undefined || seq > lastSent || !s.metrics) continue;
    acc.samples++;
    const g = gateway[seq];
    const dev = device[seq];
    for (const [metric, real] of Object.entries(s.metrics)) {
      const spec = SPEC_BY_NAME.get(metric);
      const value = g?.[metric];
      if (!spec || value === undefined) continue;
      if (!sentAt.has(i) && dev?.[metric] !== value) acc.mismatches++;
      const e = acc.err.get(metric) ?? { n: 0, sumSqReal: 0, sumSqClean: 0, maxOverTol: 0 };
      const tol = policy.tolerance[metric] ?? 0;
      const errReal = value - real;
      const errClean = value - (s.clean[metric] ?? real);
      e.n++;
      e.sumSqReal += errReal * errReal;
      e.sumSqClean += errClean * errClean;
      e.maxOverTol = Math.max(e.maxOverTol, tol > 0 ? Math.abs(errReal) / tol : Math.abs(errReal) > 0 ? Infinity : 0);
      acc.err.set(metric, e);
    }
  }
  for (const label of t.labels) {
    if (label.type !== 'spike') continue;
    acc.spikes.labels++;
    const tol = policy.tolerance[label.metric] ?? 0;
    if (Math.abs(label.magnitude) <= tol) continue;
    acc.spikes.beyondTolerance++;
    const first = Math.round((label.startTs - T0) / policy.intervalMs);
    const last = Math.round((label.endTs - T0) / policy.intervalMs);
    if (sentAt.has(first)) acc.spikes.firstSampleSent++;
    for (let i = first; i <= last; i++) {
      acc.spikes.samples++;
      if (sentAt.has(i)) acc.spikes.samplesSent++;
    }
  }
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Adaptive reporting on the simulator's signal profiles: for each profile and predictor, `devices`
 * devices × `samples` samples, the device side and the gateway side in-process with the shared code of
 * `@outpost/protocols`. No broker: the numbers are the protocol's, not a transport's.
 */
export function runAdaptiveBench(o: AdaptiveBenchOptions): ProfileResult[] {
  const energy = o.energy ?? DEFAULT_ENERGY_MODEL;
  const encoding = o.encoding ?? 'cbor';
  const results: ProfileResult[] = [];
  for (const profile of o.profiles ?? PROFILE_NAMES) {
    const traces = Array.from({ length: o.devices }, (_, d) => trace(profile, d, o));
    const metricNames = Object.keys(traces[0]?.samples.find((s) => s.metrics)?.clean ?? {});
    const tolerance = Object.fromEntries(metricNames.map((m) => [m, round(((SPEC_BY_NAME.get(m)!.max - SPEC_BY_NAME.get(m)!.min) * o.toleranceFraction), 6)]));
    for (const predictor of o.predictors ?? PREDICTOR_KINDS) {
      const reporting: ReportingPolicy = {
        intervalMs: o.intervalMs,
        mode: 'adaptive',
        predictor,
        tolerance,
        maxSilenceMs: o.intervalMs * o.maxSilenceSamples,
        ...(predictor === 'lms' ? { lmsOrder: o.lmsOrder ?? 4, lmsStep: o.lmsStep ?? 0.5 } : {}),
      };
      const policy = adaptivePolicyOf(reporting)!;
      const acc: Accumulator = { samples: 0, transmissions: 0, bytes: 0, periodicBytes: 0, periodicMessages: 0, mismatches: 0, desyncs: 0, err: new Map(), spikes: { labels: 0, beyondTolerance: 0, firstSampleSent: 0, samples: 0, samplesSent: 0 } };
      for (const t of traces) simulate(t, policy, encoding, acc);
      const samplesPerDay = 86_400_000 / o.intervalMs;
      const sentFraction = acc.transmissions / Math.max(1, acc.periodicMessages);
      const bytesPerTransmission = acc.bytes / Math.max(1, acc.transmissions);
      const periodicDays = batteryLifeDays(energy, { samplesPerDay, transmissionsPerDay: samplesPerDay * (acc.periodicMessages / (o.devices * o.samples)), bytesPerTransmission: acc.periodicBytes / Math.max(1, acc.periodicMessages) });
      const adaptiveDays = batteryLifeDays(energy, { samplesPerDay, transmissionsPerDay: samplesPerDay * (acc.periodicMessages / (o.devices * o.samples)) * sentFraction, bytesPerTransmission });
      results.push({
        profile,
        predictor,
        samples: acc.periodicMessages,
        transmissions: acc.transmissions,
        savedPct: round((1 - sentFraction) * 100, 2),
        metrics: [...acc.err].map(([metric, e]) => {
          const range = SPEC_BY_NAME.get(metric)!.max - SPEC_BY_NAME.get(metric)!.min;
          return {
            metric,
            rangeUnits: range,
            tolerance: tolerance[metric]!,
            rmseRealPct: round((Math.sqrt(e.sumSqReal / e.n) / range) * 100, 4),
            rmseCleanPct: round((Math.sqrt(e.sumSqClean / e.n) / range) * 100, 4),
            maxErrorOverTolerance: round(e.maxOverTol, 4),
          };
        }),
        mismatches: acc.mismatches,
        desyncs: acc.desyncs,
        spikes: acc.spikes,
        bytesPerTransmission: round(bytesPerTransmission, 1),
        battery: { periodicDays: round(periodicDays, 0), adaptiveDays: round(adaptiveDays, 0), gain: round(adaptiveDays / periodicDays, 2) },
      });
    }
  }
  return results;
}

/** The table printed by `outpost-sim bench adaptive` and pasted into docs/benchmarks.md. */
export function formatAdaptiveTable(results: readonly ProfileResult[]): string[] {
  const lines = [
    '| profile | predictor | samples | sent | saved | RMSE vs measured, % range (worst metric) | RMSE vs clean, % range | max error / tolerance | spikes > tol: sent / all | battery life periodic → adaptive | gain |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const worst = (f: (m: MetricResult) => number) => Math.max(...r.metrics.map(f));
    const years = (d: number) => `${(d / 365).toFixed(1)} y`;
    lines.push(
      `| ${r.profile} | ${r.predictor} | ${r.samples} | ${r.transmissions} | ${r.savedPct.toFixed(1)} % | ${worst((m) => m.rmseRealPct).toFixed(3)} | ${worst((m) => m.rmseCleanPct).toFixed(3)} | ${worst((m) => m.maxErrorOverTolerance).toFixed(3)} | ${r.spikes.firstSampleSent} / ${r.spikes.beyondTolerance} | ${years(r.battery.periodicDays)} → ${years(r.battery.adaptiveDays)} | ×${r.battery.gain.toFixed(2)} |`,
    );
  }
  return lines;
}
