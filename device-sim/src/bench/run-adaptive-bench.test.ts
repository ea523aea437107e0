import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAdaptiveBench } from './run-adaptive-bench.js';

describe('adaptive reporting bench (small run)', () => {
  it('keeps every invariant on every profile and predictor: within tolerance, device = gateway, spikes sent', () => {
    const results = runAdaptiveBench({ devices: 2, samples: 400, intervalMs: 60_000, toleranceFraction: 0.01, maxSilenceSamples: 60, anomalyRate: 0.02, seed: 'test' });
    assert.equal(results.length, 15, '5 profiles × 3 predictors');
    for (const r of results) {
      const label = `${r.profile}/${r.predictor}`;
      assert.equal(r.mismatches, 0, label);
      assert.equal(r.desyncs, 0, label);
      for (const m of r.metrics) assert.ok(m.maxErrorOverTolerance <= 1, `${label} ${m.metric}: ${m.maxErrorOverTolerance}`);
      // last-value sends every change beyond the tolerance; a trend predictor may anticipate one (still within the tolerance).
      if (r.predictor === 'last-value') assert.equal(r.spikes.firstSampleSent, r.spikes.beyondTolerance, `${label}: a spike was not sent`);
      assert.ok(r.transmissions > 0 && r.transmissions <= r.samples, label);
      assert.ok(r.battery.gain >= 1, label);
    }
    assert.ok(results.some((r) => r.spikes.beyondTolerance > 0), 'the run had spikes to check');
    const lastValue = results.filter((r) => r.predictor === 'last-value');
    assert.ok(lastValue.every((r) => r.savedPct > 50), lastValue.map((r) => `${r.profile} ${r.savedPct} %`).join(', '));
  });
});
