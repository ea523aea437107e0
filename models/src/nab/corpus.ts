import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { NabWindow } from './sweep.js';

/** One NAB series: `category/file.csv`, its rows and its anomaly windows as row indices. */
export interface NabSeries {
  /** `category/file.csv`, the key of the label files. */
  name: string;
  category: string;
  file: string;
  timestamps: string[];
  values: Float64Array;
  windows: NabWindow[];
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The dataset folder: `OUTPOST_NAB_DIR`, else `../shared/datasets/nab` beside the repository. */
export function nabDatasetDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.OUTPOST_NAB_DIR ?? join(packageRoot, '..', '..', 'shared', 'datasets', 'nab'));
}

/** NAB writes timestamps as `YYYY-MM-DD HH:MM:SS`; the label files add microseconds. */
function timestampKey(text: string): string {
  return text.trim().slice(0, 19);
}

function readCsv(path: string): string[][] {
  const rows = parse(readFileSync(path, 'utf8'), { skip_empty_lines: true }) as string[][];
  return rows.slice(1);
}

/** Reads every series under `data/` with its windows from `labels/combined_windows.json`, in name order. */
export function loadNabCorpus(datasetDir: string, filter?: (name: string) => boolean): NabSeries[] {
  const labels = JSON.parse(readFileSync(join(datasetDir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const series: NabSeries[] = [];
  for (const category of readdirSync(join(datasetDir, 'data')).sort()) {
    for (const file of readdirSync(join(datasetDir, 'data', category)).sort()) {
      if (!file.endsWith('.csv')) continue;
      const name = `${category}/${file}`;
      if (filter && !filter(name)) continue;
      series.push(readSeries(datasetDir, name, labels[name]));
    }
  }
  return series;
}

/** One series by its `category/file.csv` name. */
export function readSeries(datasetDir: string, name: string, limits: [string, string][] | undefined): NabSeries {
  if (!limits) throw new Error(`${name}: no entry in labels/combined_windows.json`);
  const rows = readCsv(join(datasetDir, 'data', name));
  const timestamps = rows.map((r) => timestampKey(r[0] ?? ''));
  const values = Float64Array.from(rows, (r) => Number(r[1]));
  const index = new Map(timestamps.map((t, i) => [t, i]));
  const windows = limits.map(([from, to]) => {
    const start = index.get(timestampKey(from));
    const end = index.get(timestampKey(to));
    if (start === undefined || end === undefined) throw new Error(`${name}: window [${from}, ${to}] does not start and end on rows of the series`);
    return { start, end };
  });
  const [category = '', file = ''] = name.split('/');
  return { name, category, file, timestamps, values, windows };
}

/** `baselines/<detector>/<category>/<detector>_<file>` or a results folder laid out the same way. */
export function resultsPath(resultsDir: string, detector: string, series: Pick<NabSeries, 'category' | 'file'>): string {
  return join(resultsDir, detector, series.category, `${detector}_${series.file}`);
}

/** The anomaly_score column of a NAB results file, checked row by row against the series' timestamps. */
export function readAnomalyScores(path: string, series: NabSeries): Float64Array {
  const rows = parse(readFileSync(path, 'utf8'), { skip_empty_lines: true, columns: true }) as Record<string, string>[];
  if (rows.length !== series.timestamps.length) throw new Error(`${path}: ${rows.length} rows, the series has ${series.timestamps.length}`);
  return Float64Array.from(rows, (row, i) => {
    if (timestampKey(row.timestamp ?? '') !== series.timestamps[i]) throw new Error(`${path}: row ${i + 2} is ${row.timestamp}, the series has ${series.timestamps[i]}`);
    const score = Number(row.anomaly_score);
    if (!Number.isFinite(score)) throw new Error(`${path}: row ${i + 2} has anomaly_score ${row.anomaly_score}`);
    return score;
  });
}
