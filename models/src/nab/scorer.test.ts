import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadNabCorpus, readAnomalyScores, resultsPath } from './corpus.js';
import { nabDatasetDir } from './corpus.js';
import { NAB_PROFILES, probationLength, type NabProfile } from './profiles.js';
import { MAX_TP_SIGMOID, scaledSigmoid } from './scaled-sigmoid.js';
import { normaliseScore, optimiseThreshold, perfectRawScore, scoreFile, sortCorpus, sweepThresholds } from './scorer.js';
import { sweepFile } from './sweep.js';

const [standard, lowFp, lowFn] = NAB_PROFILES as [NabProfile, NabProfile, NabProfile];
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

describe('NAB scaled sigmoid and probation', () => {
  it('matches the published curve', () => {
    close(scaledSigmoid(-1), 0.9866142981514305, 'left edge'); // 2/(1+e^-5) − 1
    close(scaledSigmoid(-0.5), 0.8482836399575131, 'middle');
    assert.equal(scaledSigmoid(0), 0);
    close(scaledSigmoid(1), -0.9866142981514305, 'one window past');
    assert.equal(scaledSigmoid(3), -1);
  });

  it('is 15% of the series, capped at 750 points', () => {
    assert.equal(probationLength(1624), 243); // floor(243.6)
    assert.equal(probationLength(4032), 604); // floor(604.8)
    assert.equal(probationLength(15902), 750);
  });
});

describe('NAB scorer on a series built by hand', () => {
  // 40 rows: probation floor(0.15 × 40) = 6 rows (0…5). Windows [10, 14] (width 5) and [30, 34].
  const windows = [
    { start: 10, end: 14 },
    { start: 30, end: 34 },
  ];
  const scores = new Array<number>(40).fill(0);
  scores[2] = 0.9; // in the probation: never scored
  scores[7] = 0.8; // before any window: −1 × fpWeight
  scores[10] = 0.9; // first row of window 1: sigmoid(−5/5)/maxTP × tpWeight = exactly 1
  scores[12] = 0.95; // later in window 1: ignored, only the earliest detection counts
  scores[16] = 0.7; // 2 rows past window 1: scaledSigmoid(2/(5 − 1)) × fpWeight
  // window 2 is never detected: −fnWeight
  const file = sweepFile('hand.csv', scores, windows);

  it('weights each point as NAB does', () => {
    assert.equal(file.probation, 6);
    assert.equal(file.windowCount, 2);
    assert.equal(file.credit[10 - 6], 1);
    close(file.credit[14 - 6] ?? 0, scaledSigmoid(-1 / 5) / MAX_TP_SIGMOID, 'last row of a window');
    assert.equal(file.credit[7 - 6], -1);
    close(file.credit[16 - 6] ?? 0, scaledSigmoid(0.5), 'two rows past a 5-row window');
  });

  it('scores a threshold: earliest TP, weighted FPs, missed window', () => {
    // At 0.7: detections 7 (FP, −0.11), 10 (TP, +1), 12 (ignored), 16 (FP, 0.11 × scaledSigmoid(0.5) = 0.11 × −0.8482836…), window 2 missed (−1).
    const r = scoreFile(file, 0.7, standard);
    close(r.score, -0.11 + 1 + 0.11 * -0.8482836399575131 - 1, 'standard');
    assert.deepEqual([r.tp, r.fp, r.detectedWindows], [2, 2, 1]);
    close(scoreFile(file, 0.7, lowFn).score, -0.11 + 1 + 0.11 * -0.8482836399575131 - 2, 'reward_low_FN_rate');
    // At 0.9: detections 10 and 12 only; window 1 still credited from its earliest detection (row 10).
    close(scoreFile(file, 0.9, standard).score, 1 - 1, 'threshold 0.9');
    // At 0.95: only row 12: −(14 − 12 + 1)/5 = −0.6 → scaledSigmoid(−0.6)/maxTP.
    close(scoreFile(file, 0.95, standard).score, scaledSigmoid(-0.6) / MAX_TP_SIGMOID - 1, 'threshold 0.95');
  });

  it('sweeps every distinct score and keeps the highest threshold on a tie', () => {
    const corpus = sortCorpus([file]);
    const rows = sweepThresholds(corpus, standard);
    assert.deepEqual(rows.map((r) => r.threshold), [1.1, 0.95, 0.9, 0.8, 0.7, 0]);
    for (const row of rows.slice(0, -1)) close(row.score, scoreFile(file, row.threshold, standard).score, `sweep at ${row.threshold}`);
    const best = optimiseThreshold(corpus, standard);
    assert.equal(best.threshold, 0.9); // 0 at 0.9 beats −0.11 at 0.8; 0.95 scores less
    close(best.score, 0, 'best');
  });
});

const datasetDir = nabDatasetDir();
const skip = existsSync(join(datasetDir, 'labels', 'combined_windows.json')) ? false : `NAB dataset not found at ${datasetDir}`;

describe('NAB scorer on published baselines, checked by hand', { skip }, () => {
  const corpus = loadNabCorpus(datasetDir, (name) => ['realAdExchange/exchange-2_cpc_results.csv', 'realTraffic/speed_7578.csv', 'realAdExchange/exchange-3_cpm_results.csv', 'realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv'].includes(name));
  const byName = (name: string) => {
    const series = corpus.find((s) => s.name === name);
    assert.ok(series, name);
    return series;
  };
  const sweep = (detector: string, name: string) => {
    const series = byName(name);
    return sweepFile(name, readAnomalyScores(resultsPath(join(datasetDir, 'baselines'), detector, series), series), series.windows);
  };

  it('numenta, exchange-2_cpc_results, threshold 0.5431', () => {
    // 1624 rows, probation 243. One window, rows 244…406 (width 163).
    // Scores ≥ 0.5431 after the probation: rows 325 (0.54445), 1037 (0.70839), 1042 (0.70839), 1483 (0.76869).
    // Row 325: position −(406 − 325 + 1)/163 = −82/163; scaledSigmoid = 0.8504201205047173; / maxTP 0.9866142981514305
    //   = 0.8619580337504804.
    // Rows 1037, 1042, 1483: (i − 406)/(163 − 1) ≥ 3.89 → −1 each, × fpWeight.
    const f = sweep('numenta', 'realAdExchange/exchange-2_cpc_results.csv');
    const std = scoreFile(f, 0.5431, standard);
    close(std.score, 0.8619580337504804 - 3 * 0.11, 'standard');
    assert.deepEqual([std.fp, std.detectedWindows], [3, 1]);
    close(scoreFile(f, 0.5431, lowFp).score, 0.8619580337504804 - 3 * 0.22, 'reward_low_FP_rate');
    close(scoreFile(f, 0.5431, lowFn).score, 0.8619580337504804 - 3 * 0.11, 'reward_low_FN_rate');
  });

  it('numenta, speed_7578, threshold 0.5431', () => {
    // 1127 rows, probation 169. Windows (width 29 each): 303…331, 740…768, 909…937, 945…973.
    // Detections: 276 (before any window: −1), 317 (window 1: −15/29 → 0.8599371722969402/maxTP),
    // 673 ((673 − 331)/28 > 3: −1), 752 (window 2: −17/29 → 0.8987188641829231/maxTP; row 753 later, ignored),
    // 923 (window 3: −15/29), 959 (window 4: −15/29), 1124 ((1124 − 973)/28 > 3: −1).
    // Note row 752 scores exactly 0.5431: a score equal to the threshold is a detection.
    const f = sweep('numenta', 'realTraffic/speed_7578.csv');
    const r = scoreFile(f, 0.5431, standard);
    close(r.score, (3 * 0.8599371722969402 + 0.8987188641829231) / MAX_TP_SIGMOID - 3 * 0.11, 'standard');
    close(r.score, 3.1957246804463413, 'standard, as computed independently');
    assert.deepEqual([r.fp, r.detectedWindows], [3, 4]);
  });

  it('ARTime, speed_7578, threshold 0.29052', () => {
    // Detections: 276 (−1), 317 (window 1, −15/29), 362 ((362 − 331)/28 = 1.107: scaledSigmoid = −0.9921441966596182),
    // 628 and 631 (−1 each), 753 (window 2, −16/29 → 0.8807967432493282/maxTP), 921 (window 3, −17/29; 923, 924 and
    // 931 ignored), 959 (window 4, −15/29).
    const f = sweep('ARTime', 'realTraffic/speed_7578.csv');
    const r = scoreFile(f, 0.29052, standard);
    close(r.score, 3.1077313980278407, 'standard');
    close(r.score, (0.8599371722969402 * 2 + 0.8807967432493282 + 0.8987188641829231) / MAX_TP_SIGMOID + 0.11 * (-3 - 0.9921441966596182), 'by parts');
    assert.deepEqual([r.fp, r.tp, r.detectedWindows], [4, 7, 4]);
  });

  it('randomCutForest, exchange-3_cpm_results, threshold 0.48067; numenta misses both windows of iio NetworkIn', () => {
    // One window 1045…1197 (width 153); the only detection is row 1121: −77/153 → 0.8505587926977931/maxTP.
    close(scoreFile(sweep('randomCutForest', 'realAdExchange/exchange-3_cpm_results.csv'), 0.48067, standard).score, 0.862098587352162, 'rcf');
    // No numenta score reaches 0.5431 after the probation: both windows are missed.
    const iio = scoreFile(sweep('numenta', 'realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv'), 0.5431, lowFn);
    assert.deepEqual([iio.score, iio.fp, iio.detectedWindows], [-4, 0, 0]);
  });
});

describe('NAB normalisation over the corpus', { skip }, () => {
  const corpus = loadNabCorpus(datasetDir);
  for (const profile of NAB_PROFILES) {
    it(`null detector 0, perfect detector 100 (${profile.name})`, () => {
      const nullCorpus = sortCorpus(corpus.map((s) => sweepFile(s.name, new Float64Array(s.values.length), s.windows)));
      const perfect = sortCorpus(
        corpus.map((s) => {
          const scores = new Float64Array(s.values.length);
          for (const w of s.windows) scores[w.start] = 1;
          return sweepFile(s.name, scores, s.windows);
        }),
      );
      const windows = corpus.reduce((n, s) => n + s.windows.length, 0);
      const nullRaw = optimiseThreshold(nullCorpus, profile).score;
      assert.equal(nullRaw, -profile.fnWeight * windows);
      const perfectRaw = perfectRawScore(windows, profile);
      assert.equal(normaliseScore(nullRaw, nullRaw, perfectRaw), 0);
      const best = optimiseThreshold(perfect, profile);
      assert.equal(best.threshold, 1);
      close(normaliseScore(best.score, nullRaw, perfectRaw), 100, 'perfect');
    });
  }
});
