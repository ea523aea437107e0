// `npm run eval:nab`: the gateway's online detector over every NAB series, scored beside the four
// published baselines with our NAB scorer, per profile. It lives in edge-runtime because it wires
// edge-runtime's detector into @outpost/models' evaluation (models imports nothing of ours but protocols).
// Dataset: OUTPOST_NAB_DIR, else ../shared/datasets/nab. Output: .cache/nab/ (results and report.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNabReport, nabDatasetDir, nabProbationLength, runNabEvaluation } from '@outpost/models/nab';
import { DetectorBank } from '../src/detector/index.js';
import { renderDetectorCard } from './detector-card.js';
import { evaluateOnGenerated } from './detector-generated-eval.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(repoRoot, '.cache', 'nab');

/** NAB timestamps are `YYYY-MM-DD HH:MM:SS` without a zone; read them as UTC. */
const timestampMs = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);

const report = runNabEvaluation({
  datasetDir: nabDatasetDir(),
  resultsDir: join(outDir, 'results'),
  detector: {
    name: 'outpost',
    run(series) {
      // The gateway's path: a bank keyed by device and metric. NAB tells every detector the length of the
      // probation, so the warm-up is that; on a gateway it is the configured warmupPoints.
      const bank = new DetectorBank({ warmupPoints: nabProbationLength(series.values.length) });
      const scores = new Float64Array(series.values.length);
      for (let i = 0; i < scores.length; i++) scores[i] = bank.score(series.name, 'value', series.values[i] as number, timestampMs(series.timestamps[i] as string));
      return scores;
    },
  },
  log: (line) => process.stdout.write(`${line}\n`),
});
mkdirSync(outDir, { recursive: true });
const reportPath = join(outDir, 'report.json');
writeFileSync(reportPath, `${JSON.stringify({ generatedAt: new Date().toISOString(), ...report }, null, 2)}\n`);
process.stdout.write(`\n${formatNabReport(report)}\n\ndetector cost: ${(report.detectorMsPerPoint * 1000).toFixed(3)} µs per point (whole series, one thread)\nreport: ${reportPath}\n`);

// The same detector on the simulator's labelled series, then the card with both.
process.stdout.write('\nonline detector on generated series (5 profiles, labelled anomalies)…\n');
const generated = evaluateOnGenerated();
const cardPath = join(repoRoot, 'edge-runtime', 'models', 'online-detector.md');
mkdirSync(dirname(cardPath), { recursive: true });
writeFileSync(cardPath, renderDetectorCard(report, generated));
process.stdout.write(`card: ${cardPath}\n`);
