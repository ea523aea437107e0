import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadNabCorpus, readAnomalyScores, resultsPath, type NabSeries } from './corpus.js';
import { NAB_PROFILES, type NabProfileName } from './profiles.js';
import { normaliseScore, optimiseThreshold, perfectRawScore, scoreFile, sortCorpus, type SortedCorpus } from './scorer.js';
import { sweepFile } from './sweep.js';

/** The four detectors whose published per-point scores ship with the dataset. */
export const NAB_BASELINES = ['ARTime', 'numenta', 'randomCutForest', 'windowedGaussian'] as const;

/** A detector under evaluation: one anomaly score in [0, 1] per row of a series, computed online. */
export interface NabDetectorUnderTest {
  name: string;
  run(series: NabSeries): Float64Array;
}

export interface NabEvaluationOptions {
  datasetDir: string;
  /** Our per-series results go to `<resultsDir>/<name>/<category>/<name>_<file>`. */
  resultsDir: string;
  detector: NabDetectorUnderTest;
  baselines?: readonly string[];
  filter?: (name: string) => boolean;
  log?: (line: string) => void;
}

export interface NabProfileRow {
  detector: string;
  score: number;
  raw: number;
  threshold: number;
  ratioToNumenta: number;
  ratioToARTime: number;
  detectedWindows: number;
  falsePositives: number;
}

export interface NabFileRow {
  file: string;
  windows: number;
  detectedWindows: number;
  falsePositives: number;
  raw: number;
}

export interface NabReport {
  datasetDir: string;
  files: number;
  windows: number;
  points: number;
  profiles: Record<NabProfileName, { nullRaw: number; perfectRaw: number; rows: NabProfileRow[] }>;
  /** Per-file results of the detector under test at its standard-profile threshold. */
  standardPerFile: NabFileRow[];
  detectorMsPerPoint: number;
}

function writeResults(path: string, series: NabSeries, scores: Float64Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const lines = ['timestamp,value,anomaly_score'];
  for (let i = 0; i < scores.length; i++) lines.push(`${series.timestamps[i]},${series.values[i]},${scores[i]}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Runs the detector over every series, scores it and the published baselines with our scorer, per profile. */
export function runNabEvaluation(options: NabEvaluationOptions): NabReport {
  const log = options.log ?? (() => {});
  const baselines = options.baselines ?? NAB_BASELINES;
  const corpus = loadNabCorpus(options.datasetDir, options.filter);
  log(`[nab] ${corpus.length} series from ${options.datasetDir}`);
  const perDetector = new Map<string, SortedCorpus>();
  let runMs = 0;
  let points = 0;
  const ours = corpus.map((series, k) => {
    const started = process.hrtime.bigint();
    const scores = options.detector.run(series);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    runMs += ms;
    points += series.values.length;
    writeResults(resultsPath(options.resultsDir, options.detector.name, series), series, scores);
    log(`[nab] ${String(k + 1).padStart(2)}/${corpus.length} ${series.name} (${series.values.length} points, ${ms.toFixed(0)} ms)`);
    return sweepFile(series.name, scores, series.windows);
  });
  perDetector.set(options.detector.name, sortCorpus(ours));
  for (const baseline of baselines) {
    const files = corpus.map((series) => sweepFile(series.name, readAnomalyScores(resultsPath(join(options.datasetDir, 'baselines'), baseline, series), series), series.windows));
    perDetector.set(baseline, sortCorpus(files));
  }
  const nullCorpus = sortCorpus(corpus.map((series) => sweepFile(series.name, new Float64Array(series.values.length), series.windows)));
  const windows = nullCorpus.windowCount;
  const profiles = {} as NabReport['profiles'];
  let standardPerFile: NabFileRow[] = [];
  for (const profile of NAB_PROFILES) {
    const nullRaw = optimiseThreshold(nullCorpus, profile).score;
    const perfectRaw = perfectRawScore(windows, profile);
    const rows: NabProfileRow[] = [];
    for (const [detector, sorted] of perDetector) {
      const best = optimiseThreshold(sorted, profile);
      const perFile = sorted.files.map((f) => ({ file: f.name, windows: f.windowCount, ...scoreFile(f, best.threshold, profile) }));
      if (profile.name === 'standard' && detector === options.detector.name) {
        standardPerFile = perFile.map((r) => ({ file: r.file, windows: r.windows, detectedWindows: r.detectedWindows, falsePositives: r.fp, raw: r.score }));
      }
      rows.push({
        detector,
        raw: best.score,
        score: normaliseScore(best.score, nullRaw, perfectRaw),
        threshold: best.threshold,
        ratioToNumenta: Number.NaN,
        ratioToARTime: Number.NaN,
        detectedWindows: perFile.reduce((n, r) => n + r.detectedWindows, 0),
        falsePositives: best.fp,
      });
    }
    const byName = (name: string) => rows.find((r) => r.detector === name)?.score ?? Number.NaN;
    for (const row of rows) {
      row.ratioToNumenta = row.score / byName('numenta');
      row.ratioToARTime = row.score / byName('ARTime');
    }
    profiles[profile.name] = { nullRaw, perfectRaw, rows };
  }
  return { datasetDir: options.datasetDir, files: corpus.length, windows, points, profiles, standardPerFile, detectorMsPerPoint: runMs / points };
}

/** The report as a fixed-width table per profile. */
export function formatNabReport(report: NabReport): string {
  const out: string[] = [`NAB: ${report.files} series, ${report.windows} windows, ${report.points} points`];
  for (const [name, { rows, nullRaw, perfectRaw }] of Object.entries(report.profiles)) {
    out.push('', `profile ${name} (raw null ${nullRaw.toFixed(2)}, perfect ${perfectRaw.toFixed(2)})`);
    out.push(`${'detector'.padEnd(18)}${'score'.padStart(8)}${'÷HTM'.padStart(8)}${'÷ARTime'.padStart(9)}${'threshold'.padStart(12)}${'windows'.padStart(9)}${'FP pts'.padStart(8)}`);
    for (const r of [...rows].sort((a, b) => b.score - a.score)) {
      out.push(
        `${r.detector.padEnd(18)}${r.score.toFixed(1).padStart(8)}${r.ratioToNumenta.toFixed(3).padStart(8)}${r.ratioToARTime.toFixed(3).padStart(9)}${r.threshold.toPrecision(6).padStart(12)}${`${r.detectedWindows}/${report.windows}`.padStart(9)}${String(r.falsePositives).padStart(8)}`,
      );
    }
  }
  return out.join('\n');
}
