import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PredictorVector, type ReceiverVector, type StreamVector, buildPowerVectorFiles } from '../scripts/vectors/predictor-cases.js';
import { AdaptiveReceiver, AdaptiveSender, adaptivePolicyOf, createPredictor } from '../src/index.js';

const powerDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-vectors', 'power');
// Read as plain JSON on purpose: this is what a harness in any other language sees.
const read = <T>(file: string): T[] => (JSON.parse(readFileSync(join(powerDir, file), 'utf8')) as { vectors: T[] }).vectors;

/**
 * The predictors written again, straight from the arithmetic in test-vectors/README.md, with plain arrays:
 * the vectors must agree with this as well as with src/power/predictors.ts.
 */
function referencePredictions(v: PredictorVector): (number | null)[] {
  const p = v.predictor === 'lms' ? (v.options.lmsOrder ?? 4) : v.predictor === 'linear' ? 2 : 1;
  const mu = v.options.lmsStep ?? 0.05;
  const eps = v.options.lmsEpsilon ?? 1e-9;
  const h: number[] = [];
  let w = [1, ...new Array<number>(p - 1).fill(0)];
  const predict = (): number | null => {
    if (h.length === 0) return null;
    let y: number;
    if (v.predictor === 'last-value') y = h[0]!;
    else if (v.predictor === 'linear') y = h.length < 2 ? h[0]! : h[0]! + (h[0]! - h[1]!);
    else if (h.length < p) y = h[0]!;
    else {
      y = 0;
      for (let i = 0; i < p; i++) y = y + w[i]! * h[i]!;
    }
    return Number.isFinite(y) ? y : h[0]!;
  };
  const out: (number | null)[] = [];
  for (const x of v.inputs) {
    const y = predict();
    out.push(y);
    if (v.predictor === 'lms' && h.length >= p) {
      const e = x - y!;
      let s = 0;
      for (let i = 0; i < p; i++) s = s + h[i]! * h[i]!;
      s = s + eps;
      const g = (mu * e) / s;
      w = w.map((wi, i) => wi + g * h[i]!);
      if (w.some((wi) => !Number.isFinite(wi))) w = [1, ...new Array<number>(p - 1).fill(0)];
    }
    h.unshift(x);
    if (h.length > p) h.pop();
  }
  out.push(predict());
  return out;
}

describe('predictor test vectors', () => {
  it('are what the generator writes (run `npm run vectors -w @outpost/protocols` if not)', () => {
    for (const file of buildPowerVectorFiles()) {
      assert.ok(readFileSync(join(powerDir, file.fileName), 'utf8') === file.text, `test-vectors/power/${file.fileName} is out of date`);
    }
  });

  it('predictors.json: every predictor, on every sequence, predicts exactly the listed values', () => {
    const vectors = read<PredictorVector>('predictors.json');
    assert.ok(vectors.length >= 20);
    for (const v of vectors) {
      assert.deepEqual(referencePredictions(v), v.predictions, `${v.name}: the reference arithmetic disagrees`);
      const p = createPredictor(v.predictor, v.options);
      const got: (number | null)[] = [];
      for (const x of v.inputs) {
        got.push(p.predict());
        p.update(x);
      }
      got.push(p.predict());
      assert.deepEqual(got, v.predictions, v.name);
    }
  });

  it('dual-prediction.json: the sender decides and the receiver fills exactly as listed', () => {
    for (const v of read<StreamVector>('dual-prediction.json')) {
      const policy = adaptivePolicyOf(v.reporting)!;
      const sender = new AdaptiveSender(policy);
      const receiver = new AdaptiveReceiver(policy);
      const received: StreamVector['receiver'] = [];
      v.samples.forEach((real, i) => {
        const d = sender.sample(real);
        assert.deepEqual(d, v.sender[i], `${v.name}: sample ${i}`);
        if (!d?.transmit || !real) return;
        const r = receiver.receive(d.seq, real);
        received.push({ seq: d.seq, metrics: real, outcome: r.outcome, filled: r.filled.map(({ seq, metrics }) => ({ seq, metrics })) });
      });
      assert.deepEqual(received, v.receiver, v.name);
      // The point of it all: the receiver's stream is the sender's, index by index.
      const rebuilt = new Map<number, Record<string, number>>();
      for (const t of v.receiver) {
        for (const f of t.filled) rebuilt.set(f.seq, f.metrics);
        rebuilt.set(t.seq, t.metrics);
      }
      // Samples after the last transmission are filled only when the next one arrives.
      const lastSent = Math.max(...v.receiver.map((t) => t.seq));
      for (const d of v.sender) if (d && !d.transmit && d.seq < lastSent) assert.deepEqual(rebuilt.get(d.seq), d.reconstructed, `${v.name}: seq ${d.seq}`);
    }
  });

  it('receiver.json: unsynced, desync, duplicate and epoch-start outcomes', () => {
    for (const v of read<ReceiverVector>('receiver.json')) {
      const receiver = new AdaptiveReceiver(adaptivePolicyOf(v.reporting)!);
      const got = v.transmissions.map(({ seq, metrics }) => {
        const r = receiver.receive(seq, metrics);
        return { outcome: r.outcome, filled: r.filled.map((f) => ({ seq: f.seq, metrics: f.metrics })) };
      });
      assert.deepEqual(got, v.expected, v.name);
    }
  });
});
