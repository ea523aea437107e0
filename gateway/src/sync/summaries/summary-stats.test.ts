import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addValue, mergeStats, startStats, stddevOf, type SummaryStats } from './summary-stats.js';
import { WindowSummaries } from './window-summaries.js';

function naive(values: number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { count: values.length, min: Math.min(...values), max: Math.max(...values), mean, stddev: Math.sqrt(variance), last: values[values.length - 1]! };
}

function welford(values: number[]): SummaryStats {
  const s = startStats(values[0]!);
  for (const v of values.slice(1)) addValue(s, v);
  return s;
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 200 });

describe('summary statistics', () => {
  test('Welford matches a naive two-pass computation', () => {
    fc.assert(
      fc.property(values, (vs) => {
        const w = welford(vs);
        const n = naive(vs);
        assert.equal(w.count, n.count);
        assert.equal(w.min, n.min);
        assert.equal(w.max, n.max);
        assert.equal(w.last, n.last);
        close(w.mean, n.mean, 'mean');
        close(stddevOf(w), n.stddev, 'stddev');
      }),
    );
  });

  test('Welford stays exact for large values close together, where the sum-of-squares formula fails', () => {
    const vs = Array.from({ length: 10_000 }, (_, i) => 1e9 + (i % 10));
    const w = welford(vs);
    close(stddevOf(w), naive(vs).stddev, 'stddev');
    const sum = vs.reduce((a, b) => a + b, 0);
    const sumSq = vs.reduce((a, b) => a + b * b, 0);
    const textbook = Math.sqrt(Math.max(0, sumSq / vs.length - (sum / vs.length) ** 2));
    assert.ok(Math.abs(textbook - naive(vs).stddev) > 1e-3 || Number.isNaN(textbook), 'the naive one-pass formula really is worse here');
  });

  test('merging windows (parallel variance) equals computing over all their values', () => {
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 15 }), (parts) => {
        const merged = mergeStats(parts.map(welford));
        const all = naive(parts.flat());
        assert.equal(merged.count, all.count);
        assert.equal(merged.min, all.min);
        assert.equal(merged.max, all.max);
        assert.equal(merged.last, all.last);
        close(merged.mean, all.mean, 'mean');
        close(stddevOf(merged), all.stddev, 'stddev');
      }),
    );
  });
});

describe('1-minute windows', () => {
  const base = Date.UTC(2026, 0, 1, 12, 0, 0);

  test('windows are keyed by receive time per device and metric, and close after the minute plus grace', () => {
    const w = new WindowSummaries({ graceMs: 2000, maxOpenWindows: 100 });
    let mono = 1000;
    w.add('d1', base + 1_000, { t: 1, h: 10 }, [], mono);
    w.add('d1', base + 30_000, { t: 3 }, [], mono + 29_000);
    w.add('d2', base + 59_999, { t: 5 }, [], mono + 58_999);
    assert.equal(w.openWindows, 3);
    mono += 59_000 + 1_500; // the minute is over, the grace is not
    assert.deepEqual(w.closeDue(mono), []);
    const closed = w.closeDue(mono + 600);
    assert.equal(closed.length, 3);
    const t1 = closed.find((c) => c.payload.deviceId === 'd1' && c.payload.metric === 't')!.payload;
    assert.deepEqual({ count: t1.count, min: t1.min, max: t1.max, mean: t1.mean, last: t1.last, stddev: t1.stddev, windowStartMs: t1.windowStartMs, windowMs: t1.windowMs }, { count: 2, min: 1, max: 3, mean: 2, last: 3, stddev: 1, windowStartMs: base, windowMs: 60_000 });
    assert.equal(w.openWindows, 0);
  });

  test('a reading in the next minute closes the previous window of its key at once', () => {
    const w = new WindowSummaries({ graceMs: 2000, maxOpenWindows: 100 });
    w.add('d1', base + 10, { t: 1 }, [], 0);
    const closed = w.add('d1', base + 60_010, { t: 2 }, [], 60_000);
    assert.equal(closed.length, 1);
    assert.equal(closed[0]!.payload.windowStartMs, base);
    assert.equal(w.openWindows, 1);
  });

  test('a device timestamp cannot open windows: the device clock is not used at all', () => {
    const w = new WindowSummaries({ graceMs: 2000, maxOpenWindows: 100 });
    for (let i = 0; i < 1000; i++) w.add('d1', base + i, { t: i }, [], i);
    assert.equal(w.openWindows, 1);
  });

  test('memory is bounded: when full, the oldest-opened window closes early', () => {
    const w = new WindowSummaries({ graceMs: 2000, maxOpenWindows: 3 });
    const closed: ReturnType<WindowSummaries['closeAll']> = [];
    for (let d = 0; d < 5; d++) w.add(`d${d}`, base, { t: d }, closed, 0);
    assert.equal(w.openWindows, 3);
    assert.deepEqual(
      closed.map((c) => c.payload.deviceId),
      ['d0', 'd1'],
    );
    assert.equal(w.closedEarly, 2);
  });

  test('a restored partial window keeps accumulating and closes with the whole minute', () => {
    const w = new WindowSummaries({ graceMs: 0, maxOpenWindows: 10 });
    w.restore('d1', 't', base, welford([1, 2, 3]), base + 30_000, 0);
    w.add('d1', base + 40_000, { t: 4 }, [], 10_000);
    const [closed] = w.closeDue(30_001);
    assert.equal(closed!.payload.count, 4);
    assert.equal(closed!.payload.mean, 2.5);
    assert.equal(closed!.payload.last, 4);
  });
});
