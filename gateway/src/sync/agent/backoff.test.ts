import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff } from './backoff.js';
import { BatchSizer } from './batch-sizer.js';

describe('reconnect backoff (full jitter)', () => {
  test('every delay lies in [0, min(cap, base·2^attempt)) and the bound doubles up to the cap', () => {
    const b = new Backoff(500, 30_000);
    const bounds: number[] = [];
    for (let i = 0; i < 12; i++) {
      const bound = b.bound();
      bounds.push(bound);
      for (let j = 0; j < 50; j++) {
        const probe = new Backoff(500, 30_000);
        for (let k = 0; k < i; k++) probe.next();
        const d = probe.next();
        assert.ok(d >= 0 && d < bound, `attempt ${i}: ${d} in [0, ${bound})`);
      }
      b.next();
    }
    assert.deepEqual(bounds.slice(0, 7), [500, 1000, 2000, 4000, 8000, 16000, 30000]);
    assert.ok(bounds.slice(6).every((x) => x === 30_000));
  });

  test('the extremes of the random source stay inside the bounds, and reset starts over', () => {
    const low = new Backoff(100, 1000, () => 0);
    const high = new Backoff(100, 1000, () => 0.999999);
    for (let i = 0; i < 20; i++) {
      assert.equal(low.next(), 0);
      assert.ok(high.next() < 1000);
    }
    high.reset();
    assert.equal(high.bound(), 100);
  });
});

describe('adaptive batch size', () => {
  test('grows while full batches are acked fast, halves on slow acks, stays within bounds', () => {
    const s = new BatchSizer({ minRecords: 100, maxRecords: 1000, maxBytes: 1 << 20, targetAckMs: 200 });
    for (let i = 0; i < 10; i++) s.acked(10, true);
    assert.equal(s.size, 1000);
    s.acked(10, false);
    assert.equal(s.size, 1000, 'a partial batch says nothing');
    s.acked(500, true);
    assert.equal(s.size, 500);
    for (let i = 0; i < 10; i++) s.acked(500, true);
    assert.equal(s.size, 100);
  });

  test('a batch refused as too large sets the target below it, in records and bytes', () => {
    const s = new BatchSizer({ minRecords: 100, maxRecords: 5000, maxBytes: 4 << 20, targetAckMs: 200 });
    for (let i = 0; i < 10; i++) s.acked(10, true);
    s.tooLarge(5000, 4 << 20);
    assert.equal(s.size, 2500);
    assert.equal(s.maxBytes, 2 << 20);
    for (let i = 0; i < 10; i++) s.acked(10, true);
    assert.equal(s.size, 2500, 'half of the refused batch is a ceiling from now on');
    assert.equal(s.maxBytes, 2 << 20);
  });
});
