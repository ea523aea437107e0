// The online detector on the simulator's labelled series: what it catches per anomaly type and per sensor
// profile, scored per reading like the NAB run scores it per point. Used by `npm run eval:nab`, which puts
// both in the detector's card.
import { confusionAt, rocAuc } from '@outpost/models/anomaly';
import { ANOMALY_TYPES, type AnomalyLabel, type AnomalyType, PROFILE_NAMES, type ProfileName, generateSeries } from '@outpost/models/signals';
import { NAB_STANDARD_ALERT_THRESHOLD } from '../src/detector/alert-threshold.js';
import { DEFAULT_DETECTOR_CONFIG, DetectorBank } from '../src/detector/index.js';

/** Readings after an anomaly ends that belong to neither class: the detector is still recovering. */
const TAIL_READINGS = 30;
/** As on a gateway: the detector's own warm-up, not scored. */
const WARMUP_READINGS = DEFAULT_DETECTOR_CONFIG.warmupPoints;
const INTERVAL_MS = 60_000;

export interface GeneratedRow {
  factor: string;
  positives: number;
  /** Labelled anomalies with at least one reading at or above the threshold, of all labelled anomalies. */
  noticed: number;
  anomalies: number;
  auc: number;
  precision: number;
  recall: number;
}

export interface GeneratedEvaluation {
  seed: string;
  devicesPerProfile: number;
  readingsPerDevice: number;
  anomalyRate: number;
  threshold: number;
  negatives: number;
  falsePositiveRate: number;
  overall: GeneratedRow;
  byType: GeneratedRow[];
  byProfile: GeneratedRow[];
}

type Scored = { score: number; cls: 'normal' | 'tail' | AnomalyType; profile: ProfileName; label: AnomalyLabel | null };

/** Score every reading of every metric; class from the labels of that device and metric. */
function scoreSeries(seed: string, devicesPerProfile: number, readingsPerDevice: number, anomalyRate: number): Scored[] {
  const out: Scored[] = [];
  const types = ANOMALY_TYPES.filter((t) => t !== 'dropout');
  for (const profile of PROFILE_NAMES) {
    const deviceIds = Array.from({ length: devicesPerProfile }, (_, i) => `${profile}-${i}`);
    const { readings, labels } = generateSeries({ seed, deviceIds, profile, startTs: Date.UTC(2026, 0, 1), intervalMs: INTERVAL_MS, samples: readingsPerDevice, anomalyRate, anomalyTypes: types });
    const byKey = new Map<string, AnomalyLabel[]>();
    for (const l of labels) byKey.set(`${l.deviceId}|${l.metric}`, [...(byKey.get(`${l.deviceId}|${l.metric}`) ?? []), l]);
    const bank = new DetectorBank();
    const seen = new Map<string, number>();
    for (const r of readings) {
      for (const [metric, value] of Object.entries(r.metrics)) {
        const score = bank.score(r.deviceId, metric, value, r.ts);
        const key = `${r.deviceId}|${metric}`;
        const index = (seen.get(key) ?? 0) + 1;
        seen.set(key, index);
        if (index <= WARMUP_READINGS) continue;
        const own = byKey.get(key) ?? [];
        const inside = own.find((l) => r.ts >= l.startTs && r.ts <= l.endTs);
        const tail = own.some((l) => r.ts > l.endTs && r.ts <= l.endTs + TAIL_READINGS * INTERVAL_MS);
        out.push({ score, cls: inside ? inside.type : tail ? 'tail' : 'normal', profile, label: inside ?? null });
      }
    }
  }
  return out;
}

function row(factor: string, scored: Scored[], negatives: number[], threshold: number): GeneratedRow {
  const positives = scored.map((s) => s.score);
  const c = confusionAt(positives, negatives, threshold);
  const labels = new Set(scored.map((s) => s.label));
  const noticed = new Set(scored.filter((s) => s.score >= threshold).map((s) => s.label));
  return { factor, positives: positives.length, noticed: noticed.size, anomalies: labels.size, auc: rocAuc(positives, negatives), precision: c.precision, recall: c.recall };
}

export function evaluateOnGenerated(options: { seed?: string; devicesPerProfile?: number; readingsPerDevice?: number; anomalyRate?: number } = {}): GeneratedEvaluation {
  const seed = options.seed ?? 'detector-eval-1';
  const devicesPerProfile = options.devicesPerProfile ?? 8;
  const readingsPerDevice = options.readingsPerDevice ?? 4000;
  const anomalyRate = options.anomalyRate ?? 0.003;
  const threshold = NAB_STANDARD_ALERT_THRESHOLD;
  const scored = scoreSeries(seed, devicesPerProfile, readingsPerDevice, anomalyRate);
  const negatives = scored.filter((s) => s.cls === 'normal');
  const positives = scored.filter((s) => s.cls !== 'normal' && s.cls !== 'tail');
  const neg = negatives.map((s) => s.score);
  const byType = ANOMALY_TYPES.filter((t) => t !== 'dropout').map((t) => row(t, positives.filter((s) => s.cls === t), neg, threshold));
  const byProfile = PROFILE_NAMES.map((p) =>
    row(
      p,
      positives.filter((s) => s.profile === p),
      negatives.filter((s) => s.profile === p).map((s) => s.score),
      threshold,
    ),
  );
  const falsePositives = neg.filter((s) => s >= threshold).length;
  return {
    seed,
    devicesPerProfile,
    readingsPerDevice,
    anomalyRate,
    threshold,
    negatives: neg.length,
    falsePositiveRate: falsePositives / Math.max(1, neg.length),
    overall: row('all', positives, neg, threshold),
    byType,
    byProfile,
  };
}
