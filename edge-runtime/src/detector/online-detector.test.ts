import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetectorBank, DetectorBankFullError } from './detector-bank.js';
import { OnlineAnomalyDetector } from './online-detector.js';

const FIVE_MINUTES_MS = 300_000;
const START_MS = Date.UTC(2024, 0, 1);

/** A daily cycle with deterministic noise, a spike at 1500 and a level shift from 2200. */
function series(length: number): number[] {
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  return Array.from({ length }, (_, i) => {
    let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + 2 * noise();
    if (i === 1500) v += 40;
    if (i >= 2200) v += 25;
    return v;
  });
}

describe('online anomaly detector', () => {
  const values = series(2600);

  it('scores every point in [0, 1], nothing during the warm-up, and ranks the injected anomalies first', () => {
    const detector = new OnlineAnomalyDetector({ warmupPoints: 390 });
    const scores = values.map((v, i) => detector.update(v, START_MS + i * FIVE_MINUTES_MS));
    for (const s of scores) assert.ok(s >= 0 && s <= 1, `score ${s}`);
    assert.ok(scores.slice(0, 390).every((s) => s === 0));
    const quiet = Math.max(...scores.slice(390, 1500), ...scores.slice(1510, 2200));
    assert.ok((scores[1500] as number) > quiet, `spike ${scores[1500]} vs ${quiet}`);
    assert.ok(Math.max(...scores.slice(2200, 2220)) > quiet, `shift vs ${quiet}`);
  });

  it('resumes from its JSON state exactly: a restart does not re-learn', () => {
    const straight = new OnlineAnomalyDetector({ warmupPoints: 390 });
    const expected = values.map((v, i) => straight.update(v, START_MS + i * FIVE_MINUTES_MS));
    for (const cut of [100, 1200, 2210]) {
      let detector = new OnlineAnomalyDetector({ warmupPoints: 390 });
      const actual: number[] = [];
      for (const [i, v] of values.entries()) {
        if (i === cut) detector = OnlineAnomalyDetector.fromJSON(JSON.parse(JSON.stringify(detector.toJSON())));
        actual.push(detector.update(v, START_MS + i * FIVE_MINUTES_MS));
      }
      assert.deepEqual(actual, expected, `restart at ${cut}`);
    }
  });

  it('refuses a configuration that would break it, naming the value', () => {
    assert.throws(() => new OnlineAnomalyDetector({ fastAlpha: 0 }), /fastAlpha: got 0/);
    assert.throws(() => new OnlineAnomalyDetector({ seasonBuckets: 2.5 }), /seasonBuckets: got 2.5, expected an integer/);
    assert.throws(() => new OnlineAnomalyDetector({ warmupPoints: Number.NaN }), /warmupPoints/);
  });

  it('ignores readings that are not finite numbers', () => {
    const a = new OnlineAnomalyDetector({ warmupPoints: 10 });
    const b = new OnlineAnomalyDetector({ warmupPoints: 10 });
    for (const [i, v] of values.slice(0, 300).entries()) {
      if (i === 150) assert.equal(a.update(Number.NaN, START_MS), 0);
      assert.equal(a.update(v, START_MS + i * FIVE_MINUTES_MS), b.update(v, START_MS + i * FIVE_MINUTES_MS));
    }
  });
});

describe('detector bank', () => {
  it('keeps one detector per device and metric, survives a JSON round trip, and is bounded', () => {
    const bank = new DetectorBank({ warmupPoints: 50 }, 2);
    const again = () => {
      const copy = DetectorBank.fromJSON(JSON.parse(JSON.stringify(bank.toJSON())), {}, 2);
      return [copy.score('d1', 'temp', 21, START_MS), copy.score('d1', 'rpm', 900, START_MS)];
    };
    for (let i = 0; i < 200; i++) {
      bank.score('d1', 'temp', 20 + (i % 3), START_MS + i * 1000);
      bank.score('d1', 'rpm', 1000 + (i % 7), START_MS + i * 1000);
    }
    assert.equal(bank.size, 2);
    assert.throws(() => bank.score('d2', 'temp', 1, START_MS), DetectorBankFullError);
    const restored = again();
    assert.deepEqual([bank.score('d1', 'temp', 21, START_MS), bank.score('d1', 'rpm', 900, START_MS)], restored);
  });
});
