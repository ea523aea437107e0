// Language-neutral vectors of the adaptive-reporting predictors and of the sender/receiver rules.
// Written by scripts/generate-vectors.ts into test-vectors/power/. Pure and deterministic.
import {
  AdaptiveReceiver,
  AdaptiveSender,
  type PredictorKind,
  type PredictorOptions,
  type ReportingPolicy,
  adaptivePolicyOf,
  createPredictor,
} from '../../src/index.js';

export interface PredictorVector {
  name: string;
  predictor: PredictorKind;
  options: PredictorOptions;
  /** Reconstructed values fed to `update`, in order. */
  inputs: number[];
  /** `predict()` before each update (null: no prediction yet), then one more after the last update. */
  predictions: (number | null)[];
}

export interface StreamVector {
  name: string;
  reporting: ReportingPolicy;
  /** One sample per entry: the device's real values, or null when every sensor failed. */
  samples: (Record<string, number> | null)[];
  /** The sender's decision per sample (null: not a sample, no index). */
  sender: ({ seq: number; transmit: boolean; reconstructed: Record<string, number> } | null)[];
  /** What the receiver does with each transmission, in order. */
  receiver: { seq: number; metrics: Record<string, number>; outcome: string; filled: { seq: number; metrics: Record<string, number> }[] }[];
}

export interface ReceiverVector {
  name: string;
  reporting: ReportingPolicy;
  transmissions: { seq: number; metrics: Record<string, number> }[];
  expected: { outcome: string; filled: { seq: number; metrics: Record<string, number> }[] }[];
}

/** A small deterministic generator (LCG, 2^32), so the inputs are plain data anyone can check. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

function inputSequences(): { name: string; inputs: number[] }[] {
  const rnd = lcg(7);
  return [
    { name: 'ramp', inputs: Array.from({ length: 12 }, (_, i) => i) },
    { name: 'noisy sine', inputs: Array.from({ length: 48 }, (_, i) => r4(20 + 3 * Math.sin(i / 5) + (rnd() - 0.5) * 0.4)) },
    { name: 'steps with zeros', inputs: [0, 0, 0, 0, 5, 5, 5, 5, 0, 0, 0, 0, 0, -5, -5, 0] },
    { name: 'large values', inputs: Array.from({ length: 24 }, (_, i) => r4(1_500_000 + 2500 * Math.cos(i / 3) + rnd() * 100)) },
    { name: 'tiny values', inputs: Array.from({ length: 24 }, (_, i) => (1 + Math.sin(i)) * 1e-8) },
    { name: 'overflow falls back to the last value', inputs: [1e308, -1e308, 1e308, -1e308, 1e308, 1e308, -1e308, 1, 2, 3] },
  ];
}

const PREDICTORS: { predictor: PredictorKind; options: PredictorOptions; label: string }[] = [
  { predictor: 'last-value', options: {}, label: 'last-value' },
  { predictor: 'linear', options: {}, label: 'linear' },
  { predictor: 'lms', options: { lmsOrder: 4, lmsStep: 0.05 }, label: 'lms p=4 μ=0.05 ε=1e-9' },
  { predictor: 'lms', options: { lmsOrder: 4, lmsStep: 0.5, lmsEpsilon: 4 * (0.25 * 0.25) }, label: 'lms p=4 μ=0.5 ε=4·0.25²' },
  { predictor: 'lms', options: { lmsOrder: 2, lmsStep: 1.5 }, label: 'lms p=2 μ=1.5 ε=1e-9' },
];

export function buildPredictorVectors(): PredictorVector[] {
  const out: PredictorVector[] = [];
  for (const { predictor, options, label } of PREDICTORS) {
    for (const { name, inputs } of inputSequences()) {
      const p = createPredictor(predictor, options);
      const predictions: (number | null)[] = [];
      for (const x of inputs) {
        predictions.push(p.predict());
        p.update(x);
      }
      predictions.push(p.predict());
      out.push({ name: `${label}: ${name}`, predictor, options, inputs, predictions });
    }
  }
  return out;
}

function runStream(name: string, reporting: ReportingPolicy, samples: (Record<string, number> | null)[]): StreamVector {
  const policy = adaptivePolicyOf(reporting)!;
  const sender = new AdaptiveSender(policy);
  const receiver = new AdaptiveReceiver(policy);
  const decisions: StreamVector['sender'] = [];
  const received: StreamVector['receiver'] = [];
  for (const real of samples) {
    const d = sender.sample(real);
    decisions.push(d);
    if (!d?.transmit || !real) continue;
    const r = receiver.receive(d.seq, real);
    received.push({ seq: d.seq, metrics: real, outcome: r.outcome, filled: r.filled.map(({ seq, metrics }) => ({ seq, metrics })) });
  }
  return { name, reporting, samples, sender: decisions, receiver: received };
}

export function buildStreamVectors(): StreamVector[] {
  const rnd = lcg(11);
  const temps = Array.from({ length: 40 }, (_, i) => r4(21 + i * 0.02 + (rnd() - 0.5) * 0.3));
  const twoMetrics = temps.map((t, i) => ({ temperature: t, humidity: r4(55 - i * 0.1 + (rnd() - 0.5) * 2) }));
  // A spike at index 20, a sample where every sensor failed (index 30), humidity missing at 33-35.
  const withFaults: (Record<string, number> | null)[] = twoMetrics.map((m, i) => {
    if (i === 20) return { ...m, temperature: m.temperature + 9 };
    if (i === 30) return null;
    if (i >= 33 && i <= 35) return { temperature: m.temperature };
    return m;
  });
  return [
    runStream('last-value, one metric', { intervalMs: 1000, mode: 'adaptive', predictor: 'last-value', tolerance: { temperature: 0.25 }, maxSilenceMs: 10_000 }, temps.map((t) => ({ temperature: t }))),
    runStream('linear, two metrics, spike, a failed sample, a missing metric', { intervalMs: 1000, mode: 'adaptive', predictor: 'linear', tolerance: { temperature: 0.3, humidity: 1.5 }, maxSilenceMs: 8000 }, withFaults),
    runStream('lms, two metrics, heartbeat every 5 samples', { intervalMs: 500, mode: 'adaptive', predictor: 'lms', lmsOrder: 3, lmsStep: 0.8, tolerance: { temperature: 0.4, humidity: 3 }, maxSilenceMs: 2500 }, twoMetrics),
    runStream('no tolerance: only exact predictions are skipped', { intervalMs: 1000, mode: 'adaptive' }, [1, 1, 1, 2, 2, 3, 3, 3, 3, 3].map((v) => ({ state: v, temperature: temps[v]! }))),
  ];
}

export function buildReceiverVectors(): ReceiverVector[] {
  const reporting: ReportingPolicy = { intervalMs: 1000, mode: 'adaptive', predictor: 'linear', tolerance: { x: 1 }, maxSilenceMs: 4000 };
  const cases: { name: string; transmissions: { seq: number; metrics: Record<string, number> }[] }[] = [
    { name: 'before any seq 0: unsynced, nothing filled', transmissions: [{ seq: 5, metrics: { x: 1 } }, { seq: 7, metrics: { x: 2 } }, { seq: 0, metrics: { x: 3 } }, { seq: 2, metrics: { x: 5 } }] },
    { name: 'a gap longer than the heartbeat is a desync until seq 0', transmissions: [{ seq: 0, metrics: { x: 1 } }, { seq: 1, metrics: { x: 2 } }, { seq: 6, metrics: { x: 9 } }, { seq: 7, metrics: { x: 10 } }, { seq: 0, metrics: { x: 4 } }, { seq: 4, metrics: { x: 8 } }] },
    { name: 'a resend of the last transmission is a duplicate; the same seq with other values is a desync', transmissions: [{ seq: 0, metrics: { x: 1 } }, { seq: 3, metrics: { x: 4 } }, { seq: 3, metrics: { x: 4 } }, { seq: 3, metrics: { x: 5 } }, { seq: 4, metrics: { x: 6 } }] },
    { name: 'seq going back is a desync', transmissions: [{ seq: 0, metrics: { x: 1 } }, { seq: 2, metrics: { x: 2 } }, { seq: 1, metrics: { x: 3 } }] },
  ];
  return cases.map(({ name, transmissions }) => {
    const receiver = new AdaptiveReceiver(adaptivePolicyOf(reporting)!);
    const expected = transmissions.map(({ seq, metrics }) => {
      const r = receiver.receive(seq, metrics);
      return { outcome: r.outcome, filled: r.filled.map((f) => ({ seq: f.seq, metrics: f.metrics })) };
    });
    return { name, reporting, transmissions, expected };
  });
}

export interface PowerVectorFile {
  fileName: string;
  text: string;
}

/** Every file of test-vectors/power/, serialized. */
export function buildPowerVectorFiles(): PowerVectorFile[] {
  const files = {
    'predictors.json': { description: 'predict() before each update, then once after the last; see README.md', vectors: buildPredictorVectors() },
    'dual-prediction.json': { description: 'AdaptiveSender decisions per sample and AdaptiveReceiver results per transmission; see README.md', vectors: buildStreamVectors() },
    'receiver.json': { description: 'AdaptiveReceiver outcomes on transmissions out of the ordinary; see README.md', vectors: buildReceiverVectors() },
  };
  return Object.entries(files).map(([fileName, body]) => ({ fileName, text: `${JSON.stringify(body, null, 2)}\n` }));
}
