import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nabDatasetDir } from './corpus.js';
import { formatNabReport, NAB_BASELINES, runNabEvaluation } from './evaluate.js';

const datasetDir = nabDatasetDir();
const skip = existsSync(join(datasetDir, 'labels', 'combined_windows.json')) ? false : `NAB dataset not found at ${datasetDir}`;

describe('NAB evaluation runner', { skip }, () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'outpost-nab-'));
  after(() => rmSync(resultsDir, { recursive: true, force: true }));
  const files = ['realTraffic/speed_7578.csv', 'realAdExchange/exchange-2_cpc_results.csv'];
  // A trivial online detector: the absolute step from the previous value, squashed into [0, 1).
  const report = runNabEvaluation({
    datasetDir,
    resultsDir,
    filter: (name) => files.includes(name),
    detector: {
      name: 'step',
      run(series) {
        const out = new Float64Array(series.values.length);
        for (let i = 1; i < out.length; i++) {
          const d = Math.abs((series.values[i] as number) - (series.values[i - 1] as number));
          out[i] = d / (d + 1);
        }
        return out;
      },
    },
  });

  it('writes NAB-format results for every series', () => {
    const text = readFileSync(join(resultsDir, 'step', 'realTraffic', 'step_speed_7578.csv'), 'utf8').trim().split('\n');
    assert.equal(text[0], 'timestamp,value,anomaly_score');
    assert.equal(text.length, 1 + 1127);
    assert.match(text[1] ?? '', /^2015-09-08 11:39:00,73,0$/);
  });

  it('scores the detector and the four baselines on every profile, with ratios to HTM and ARTime', () => {
    assert.equal(report.files, 2);
    assert.equal(report.windows, 5);
    for (const { rows, nullRaw, perfectRaw } of Object.values(report.profiles)) {
      assert.deepEqual(rows.map((r) => r.detector).sort(), ['step', ...NAB_BASELINES].sort());
      assert.equal(perfectRaw, 5);
      assert.ok(nullRaw < 0);
      assert.equal(rows.find((r) => r.detector === 'numenta')?.ratioToNumenta, 1);
      assert.equal(rows.find((r) => r.detector === 'ARTime')?.ratioToARTime, 1);
      for (const r of rows) assert.ok(r.score <= 100 && Number.isFinite(r.score), `${r.detector} ${r.score}`);
    }
    assert.equal(report.standardPerFile.length, 2);
    assert.match(formatNabReport(report), /profile standard/);
  });
});
