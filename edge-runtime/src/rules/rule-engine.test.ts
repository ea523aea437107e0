import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateRules } from './load-rules.js';
import { RuleEngine, type RuleHit } from './rule-engine.js';

let nextId = 1;
const rulesOf = (...rules: unknown[]) => validateRules({ version: 1, rules });

/** Feed (ts, metrics) readings of one device; returns the ts of every hit. */
function feed(engine: RuleEngine, readings: [number, Record<string, number>][], deviceId = 'dev-1'): RuleHit[] {
  return readings.flatMap(([ts, metrics]) => engine.evaluate({ id: nextId++, deviceId, ts, metrics }));
}

describe('rule engine', () => {
  test('threshold: fires once per episode, again after the condition cleared', () => {
    const engine = new RuleEngine(rulesOf({ id: 'hot', kind: 'threshold', metric: 't', op: '>', value: 80 }));
    const hits = feed(engine, [
      [1000, { t: 70 }],
      [2000, { t: 81 }],
      [3000, { t: 90 }],
      [4000, { t: 50 }],
      [5000, { t: 85 }],
    ]);
    assert.deepEqual(
      hits.map((h) => [h.ts, h.metric, h.observed, h.threshold]),
      [
        [2000, 't', 81, 80],
        [5000, 't', 85, 80],
      ],
    );
  });

  test('every comparison operator', () => {
    const ops = ['>', '>=', '<', '<=', '==', '!='] as const;
    const expected = { '>': [6], '>=': [5, 6], '<': [4], '<=': [4, 5], '==': [5], '!=': [4, 6] };
    for (const op of ops) {
      const fresh = new RuleEngine(rulesOf({ id: 'r', kind: 'threshold', metric: 'x', op, value: 5 }));
      const fired = [4, 5, 6].filter((x, i) => fresh.evaluate({ id: nextId++, deviceId: `d-${x}`, ts: i, metrics: { x } }).length > 0);
      assert.deepEqual(fired, expected[op], op);
    }
  });

  test('forAtLeastMs counts reading time, not wall time, and resets when the condition breaks', () => {
    const engine = new RuleEngine(rulesOf({ id: 'low', kind: 'threshold', metric: 'p', op: '<', value: 1, forAtLeastMs: 30_000 }));
    // These readings arrive within microseconds of wall time; only their timestamps matter.
    const hits = feed(engine, [
      [0, { p: 0.5 }],
      [20_000, { p: 0.5 }],
      [25_000, { p: 2 }], // breaks the episode
      [30_000, { p: 0.5 }],
      [50_000, { p: 0.5 }],
      [60_000, { p: 0.5 }], // 30 s since 30_000: fires
      [70_000, { p: 0.5 }], // same episode: no second alert
    ]);
    assert.deepEqual(hits.map((h) => h.ts), [60_000]);
  });

  test('a clock stepping back is held at the latest time, so forAtLeastMs does not fire early', () => {
    const engine = new RuleEngine(rulesOf({ id: 'low', kind: 'threshold', metric: 'p', op: '<', value: 1, forAtLeastMs: 10_000 }));
    const hits = feed(engine, [
      [100_000, { p: 0 }],
      [5_000, { p: 0 }], // stepped back: counts as 100_000
      [105_000, { p: 0 }],
      [110_000, { p: 0 }],
    ]);
    assert.deepEqual(hits.map((h) => h.ts), [110_000]);
  });

  test('sliding window: aggregates readings in (now − ms, now] at every reading', () => {
    const engine = new RuleEngine(rulesOf({ id: 'avg', kind: 'window', metric: 'v', aggregate: 'avg', window: { type: 'sliding', ms: 10_000 }, op: '>=', value: 5 }));
    const hits = feed(engine, [
      [0, { v: 0 }],
      [4_000, { v: 9 }], // avg 4.5
      [8_000, { v: 6 }], // avg 5: fires
      [12_000, { v: 0 }], // window (2000, 12000]: 9, 6, 0 → 5: still true, same episode
      [15_000, { v: 0 }], // (5000, 15000]: 6, 0, 0 → 2: clears
      [19_000, { v: 20 }], // (9000, 19000]: 0, 0, 20 → 6.67: fires again
    ]);
    assert.deepEqual(hits.map((h) => [h.ts, Number(h.observed.toFixed(2))]), [
      [8_000, 5],
      [19_000, 6.67],
    ]);
  });

  test('sliding min/max/sum/count follow values leaving the window', () => {
    const values: [number, number][] = [
      [0, 5],
      [1000, 1],
      [2000, 7],
      [3000, 3],
      [4000, 2],
    ];
    for (const [aggregate, op, value, firesAt] of [
      ['max', '>=', 7, [2000]],
      ['min', '>=', 2, [0, 4000]], // 5; then 1 stays in until 3500; at 4000 the window (1500, 4000] holds 7, 3, 2
      ['sum', '<', 10, [0]],
      ['count', '>=', 3, [2000]],
    ] as const) {
      const engine = new RuleEngine(rulesOf({ id: 'w', kind: 'window', metric: 'v', aggregate, window: { type: 'sliding', ms: 2500 }, op, value }));
      const hits = feed(engine, values.map(([ts, v]) => [ts, { v }]));
      assert.deepEqual(hits.map((h) => h.ts), firesAt, aggregate);
    }
  });

  test('tumbling window: compares the last completed window, including an empty one', () => {
    const engine = new RuleEngine(rulesOf({ id: 'sparse', kind: 'window', metric: 'v', aggregate: 'count', window: { type: 'tumbling', ms: 60_000 }, op: '<', value: 3 }));
    const hits = feed(engine, [
      [0, { v: 1 }],
      [10_000, { v: 1 }],
      [20_000, { v: 1 }],
      [60_000, { v: 1 }], // closes [0, 60000) with 3 readings: no alert
      [130_000, { other: 1 }], // closes [60000,120000) with 1 reading: fires (on a reading without the metric)
      [190_000, { v: 1 }], // closes [120000, 180000) empty: count 0, still true: same episode
    ]);
    assert.deepEqual(hits.map((h) => [h.ts, h.observed]), [[130_000, 1]]);

    const avg = new RuleEngine(rulesOf({ id: 'avg', kind: 'window', metric: 'v', aggregate: 'avg', window: { type: 'tumbling', ms: 1000 }, op: '>', value: 10 }));
    const avgHits = feed(avg, [
      [0, { v: 30 }],
      [500, { v: 0 }], // [0,1000) avg 15, not closed yet
      [1500, { v: 0 }], // closes it: fires
    ]);
    assert.deepEqual(avgHits.map((h) => [h.ts, h.observed]), [[1500, 15]]);
  });

  test('count window: the last N values of the metric, nothing before N arrived', () => {
    const engine = new RuleEngine(rulesOf({ id: 'flow', kind: 'window', metric: 'f', aggregate: 'avg', window: { type: 'count', readings: 3 }, op: '<', value: 2 }));
    const hits = feed(engine, [
      [1, { f: 1 }],
      [2, { f: 1 }], // only 2 values: undefined
      [3, { other: 9 }], // no f: window unchanged
      [4, { f: 1 }], // 1,1,1: fires
      [5, { f: 10 }], // 1,1,10: clears
      [6, { f: 0 }], // 1,10,0 → 3.67
      [7, { f: 0 }], // 10,0,0 → 3.33
      [8, { f: 0 }], // 0,0,0: fires
    ]);
    assert.deepEqual(hits.map((h) => h.ts), [4, 8]);
  });

  test('any / all composites, nested, report the first leaf that held', () => {
    const engine = new RuleEngine(
      rulesOf({
        id: 'dry',
        kind: 'all',
        conditions: [
          { kind: 'threshold', metric: 'running', op: '==', value: 1 },
          { kind: 'any', conditions: [{ kind: 'threshold', metric: 'pressure', op: '<', value: 1 }, { kind: 'window', metric: 'flow', aggregate: 'max', window: { type: 'count', readings: 2 }, op: '<', value: 2 }] },
        ],
      }),
    );
    const hits = feed(engine, [
      [1, { running: 0, pressure: 0.5, flow: 1 }], // running false
      [2, { running: 1, pressure: 3, flow: 1 }], // flow max(1,1)=1 < 2: any holds via flow
      [3, { running: 1, pressure: 3, flow: 5 }], // clears
      [4, { running: 1, pressure: 0.2, flow: 5 }], // pressure holds
    ]);
    assert.deepEqual(
      hits.map((h) => [h.ts, h.metric, h.observed]),
      [
        [2, 'running', 1],
        [4, 'running', 1],
      ],
    );
    const any = new RuleEngine(rulesOf({ id: 'either', kind: 'any', conditions: [{ kind: 'threshold', metric: 'a', op: '>', value: 1 }, { kind: 'threshold', metric: 'b', op: '>', value: 1 }] }));
    const anyHits = feed(any, [
      [1, { a: 0, b: 0 }],
      [2, { a: 0, b: 5 }],
    ]);
    assert.deepEqual(anyHits.map((h) => [h.metric, h.observed]), [['b', 5]]);
  });

  test('devices: exact ids and prefix globs; other devices keep no state', () => {
    const engine = new RuleEngine(rulesOf({ id: 'hot', kind: 'threshold', metric: 't', op: '>', value: 1, devices: ['pump-*', 'fan-7'] }));
    const fired = ['pump-1', 'pumpkin', 'fan-7', 'fan-70', 'pump-'].filter((d) => engine.evaluate({ id: nextId++, deviceId: d, ts: 1, metrics: { t: 5 } }).length > 0);
    assert.deepEqual(fired, ['pump-1', 'fan-7', 'pump-']);
  });

  test('state is bounded: the least recently seen device is forgotten past maxDevices', () => {
    const engine = new RuleEngine(rulesOf({ id: 'n', kind: 'window', metric: 'v', aggregate: 'count', window: { type: 'count', readings: 2 }, op: '>=', value: 2 }), 2);
    engine.evaluate({ id: 1, deviceId: 'a', ts: 1, metrics: { v: 1 } });
    engine.evaluate({ id: 2, deviceId: 'b', ts: 1, metrics: { v: 1 } });
    engine.evaluate({ id: 3, deviceId: 'c', ts: 1, metrics: { v: 1 } }); // evicts a
    assert.equal(engine.evictedDevices, 1);
    // a starts over: one value is not a full count window
    assert.equal(engine.evaluate({ id: 4, deviceId: 'a', ts: 2, metrics: { v: 1 } }).length, 0);
    // c kept its first value
    assert.equal(engine.evaluate({ id: 5, deviceId: 'c', ts: 2, metrics: { v: 1 } }).length, 1);
  });
});
