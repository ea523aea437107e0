import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PREDICTOR_KINDS, type ReportingPolicy, deviceConfigSchema } from '../messages/device-downlink.js';
import { AdaptiveReceiver, AdaptiveSender, type AdaptivePolicy, adaptivePolicyOf } from './dual-prediction.js';
import { createPredictor, shouldTransmit } from './predictors.js';

// Fixed seed and bounded runs: the same inputs every time, well under a second or two.
const SEED = Number(process.env.FUZZ_SEED ?? 0x5a17e);
const RUNS = 300 * Number(process.env.FUZZ_SCALE ?? 1);

const value = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -50, max: 50 }),
  fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true }),
);
const sample = fc.option(fc.record({ a: value, b: value, c: value }, { requiredKeys: [] }), { nil: null, freq: 10 });
// Smooth-ish signals too: a random walk, where prediction pays off and most samples are skipped.
const walk = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 200 }).map((steps) => {
  let x = 20;
  return steps.map((s) => ({ a: (x += s), b: Math.round(x) }));
});

const reporting: fc.Arbitrary<ReportingPolicy> = fc
  .record({
    predictor: fc.constantFrom(...PREDICTOR_KINDS),
    tolerance: fc.record({ a: fc.double({ min: 0, max: 5, noNaN: true }), b: fc.double({ min: 0, max: 5, noNaN: true }) }, { requiredKeys: [] }),
    silence: fc.integer({ min: 1, max: 20 }),
    lmsOrder: fc.integer({ min: 1, max: 6 }),
    lmsStep: fc.double({ min: 0.01, max: 1.99, noNaN: true }),
  })
  .map(({ predictor, tolerance, silence, lmsOrder, lmsStep }) => ({
    intervalMs: 1000,
    mode: 'adaptive' as const,
    predictor,
    tolerance,
    maxSilenceMs: silence * 1000,
    ...(predictor === 'lms' ? { lmsOrder, lmsStep } : {}),
  }));

const toleranceOf = (policy: AdaptivePolicy, metric: string) => policy.tolerance[metric] ?? 0;

/** Run one device and one gateway over `samples`, delivering every transmission in order. */
function run(policy: AdaptivePolicy, samples: readonly (Record<string, number> | null)[]) {
  const sender = new AdaptiveSender(policy);
  const receiver = new AdaptiveReceiver(policy);
  const device = new Map<number, Record<string, number>>();
  const gateway = new Map<number, Record<string, number>>();
  const sent: number[] = [];
  const outcomes = new Set<string>();
  samples.forEach((real) => {
    const d = sender.sample(real);
    if (!d) return;
    device.set(d.seq, d.reconstructed);
    for (const [metric, v] of Object.entries(real ?? {})) {
      assert.ok(Math.abs(d.reconstructed[metric]! - v) <= toleranceOf(policy, metric), `seq ${d.seq} ${metric}: ${d.reconstructed[metric]} vs real ${v}`);
    }
    if (!d.transmit) return;
    sent.push(d.seq);
    const r = receiver.receive(d.seq, real!);
    outcomes.add(r.outcome);
    for (const f of r.filled) gateway.set(f.seq, f.metrics);
    gateway.set(d.seq, real!);
  });
  return { device, gateway, sent, outcomes };
}

describe('dual prediction', () => {
  it('the reconstructed stream never leaves the tolerance, and the gateway rebuilds exactly the device’s stream', () => {
    fc.assert(
      fc.property(reporting, fc.oneof(fc.array(sample, { minLength: 1, maxLength: 150 }), walk), (policyIn, samples) => {
        const policy = adaptivePolicyOf(policyIn)!;
        const { device, gateway, sent, outcomes } = run(policy, samples);
        assert.deepEqual([...outcomes].filter((o) => o !== 'epoch-start' && o !== 'in-sync'), []);
        for (let i = 1; i < sent.length; i++) assert.ok(sent[i]! - sent[i - 1]! <= policy.maxSilenceSamples, 'heartbeat missed');
        const last = sent.at(-1) ?? -1;
        for (const [seq, reconstructed] of device) {
          if (seq > last) continue;
          const filled = gateway.get(seq);
          // A sample sent is stored as sent (only the metrics the device had); a skipped one as predicted.
          if (sent.includes(seq)) continue;
          assert.ok(filled, `seq ${seq} not filled`);
          for (const [metric, v] of Object.entries(reconstructed)) assert.ok(Object.is(filled[metric], v), `seq ${seq} ${metric}: gateway ${filled[metric]}, device ${v}`);
          assert.equal(Object.keys(filled).length, Object.keys(reconstructed).length);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a spike beyond the tolerance is always sent', () => {
    fc.assert(
      fc.property(reporting, walk, fc.nat(), fc.double({ min: 1.001, max: 100, noNaN: true }), (policyIn, samples, at, factor) => {
        const policy = adaptivePolicyOf(policyIn)!;
        const sender = new AdaptiveSender(policy);
        const index = at % samples.length;
        samples.forEach((real, i) => {
          const predicted = sender.stream.predict().a ?? 0;
          const spiked = i === index ? { ...real, a: predicted + (toleranceOf(policy, 'a') + 0.01) * factor } : real;
          const d = sender.sample(spiked)!;
          if (i === index) assert.equal(d.transmit, true, `spike at ${i} was predicted away`);
        });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('predictions stay finite for any finite input', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PREDICTOR_KINDS), fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 60 }), (kind, inputs) => {
        const p = createPredictor(kind, { lmsOrder: 3, lmsStep: 1.9 });
        for (const x of inputs) {
          const y = p.predict();
          assert.ok(y === null || Number.isFinite(y), `${kind} predicted ${y}`);
          p.update(x);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('examples worked by hand', () => {
    const linear = createPredictor('linear');
    assert.equal(linear.predict(), null);
    linear.update(1);
    assert.equal(linear.predict(), 1);
    linear.update(3);
    assert.equal(linear.predict(), 5);
    // NLMS p = 1, μ = 1, ε = 1e-9: w = 1 + (1 · (4 − 2) / (2² + 1e-9)) · 2, so the next prediction is 4·w.
    const lms = createPredictor('lms', { lmsOrder: 1, lmsStep: 1 });
    lms.update(2);
    assert.equal(lms.predict(), 2);
    lms.update(4);
    const w = 1 + ((1 * (4 - 2)) / (2 * 2 + 1e-9)) * 2;
    assert.equal(lms.predict(), w * 4);
    assert.equal(shouldTransmit(1, null, 5), true);
    assert.equal(shouldTransmit(1.5, 1, 0.5), false);
    assert.equal(shouldTransmit(1.5000001, 1, 0.5), true);
  });

  it('defaults: last-value, tolerance 0, heartbeat 1 h within [interval, 3600 intervals]; periodic policies are not adaptive', () => {
    assert.equal(adaptivePolicyOf({ intervalMs: 1000, mode: 'periodic' }), null);
    assert.equal(adaptivePolicyOf(undefined), null);
    assert.deepEqual(adaptivePolicyOf({ intervalMs: 7000, mode: 'adaptive' }), { intervalMs: 7000, predictor: 'last-value', tolerance: {}, maxSilenceMs: 3_600_000, maxSilenceSamples: 514 });
    assert.equal(adaptivePolicyOf({ intervalMs: 86_400_000, mode: 'adaptive' })!.maxSilenceSamples, 1);
    assert.equal(adaptivePolicyOf({ intervalMs: 100, mode: 'adaptive' })!.maxSilenceMs, 360_000);
  });

  it('the schema refuses adaptive fields on periodic policies and a heartbeat shorter than the interval, with messages that say so', () => {
    const errorOf = (reporting: unknown) => deviceConfigSchema.safeParse({ v: 1, configVersion: 1, reporting }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.deepEqual(errorOf({ intervalMs: 1000, tolerance: { t: 1 } }), ["reporting.tolerance: tolerance applies to mode 'adaptive' only"]);
    assert.deepEqual(errorOf({ intervalMs: 1000, mode: 'adaptive', maxSilenceMs: 500 }), ['reporting.maxSilenceMs: must be at least intervalMs (1000)']);
    assert.deepEqual(errorOf({ intervalMs: 1000, mode: 'adaptive', lmsStep: 0.3 }), ["reporting.lmsStep: lmsStep applies to predictor 'lms' only"]);
    assert.equal(errorOf({ intervalMs: 1000, mode: 'adaptive', predictor: 'lms', lmsOrder: 8, lmsStep: 0.3, tolerance: { t: 1 }, maxSilenceMs: 1000 }), undefined);
  });
});
