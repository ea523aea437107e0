import type { AnomalyLabel, AnomalyType } from '@outpost/models/signals';

/** An alert as `GET /api/v1/alerts` lists it (the fields the matching reads). */
export interface AlertView {
  alertId: string;
  deviceId: string;
  ts: number;
  source: string | null;
  kind: string | null;
  metric: string | null;
  score: number | null;
  severity: string;
  modelVersion?: string | null;
}

/** A stored reading as `GET /api/v1/devices/:id/readings` lists it. */
export interface ReadingView {
  id: number;
  ts: number;
  metrics: Record<string, number>;
}

export interface TypeTally {
  /** Labels that start after the warm-up (the ones judged). */
  labels: number;
  /** Labels with at least one model alert of their metric inside [startTs, endTs + slack]. */
  hits: number;
  /** Hits by alert kind (a label may be hit by both kinds). */
  byKind: Record<string, number>;
}

export interface MatchReport {
  /** Labels left out because they start before the device's `warmupReadings`-th reading. */
  labelsBeforeWarmup: number;
  /** The labels that were judged. */
  judged: Set<AnomalyLabel>;
  perType: Partial<Record<AnomalyType, TypeTally>>;
  /** Per anomalous device: the judged label types, and the types with at least one hit. */
  perDevice: Record<string, { types: AnomalyType[]; hitTypes: AnomalyType[] }>;
  /** Model alerts of devices with labels that fall in no label's span (plus slack): counted, not judged. */
  outsideLabels: number;
}

export interface MatchInput {
  labels: readonly AnomalyLabel[];
  /** Per device: its alerts as the API returned them. */
  alerts: ReadonlyMap<string, readonly AlertView[]>;
  /** Per device: its stored readings in arrival (id) order — the order edge-runtime scored them in. */
  readings: ReadonlyMap<string, readonly ReadingView[]>;
  warmupReadings: number;
  slackReadings: number;
}

/** Readings a featurizer accepts: its `ts` advances past the last accepted one (a same-millisecond reading is skipped). */
export function acceptedReadings(readings: readonly ReadingView[]): number {
  let n = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of readings) {
    if (r.ts > last) {
      n++;
      last = r.ts;
    }
  }
  return n;
}

/** Index of the first reading at or after `ts`, or `readings.length`. */
function firstAtOrAfter(readings: readonly ReadingView[], ts: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (readings[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Matches model alerts (source `model`: the autoencoders and the online detector) to injected anomaly
 * labels. A label is hit when an alert of its device and metric has a `ts` in [startTs, ts of the reading
 * `slackReadings` after endTs]. Reading timestamps come from the store, so the slack is counted in
 * readings, not in milliseconds.
 */
export function matchAlerts(input: MatchInput): MatchReport {
  const report: MatchReport = { labelsBeforeWarmup: 0, judged: new Set(), perType: {}, perDevice: {}, outsideLabels: 0 };
  const spans = new Map<string, { from: number; to: number }[]>();
  for (const label of input.labels) {
    const readings = input.readings.get(label.deviceId) ?? [];
    const start = firstAtOrAfter(readings, label.startTs);
    if (start < input.warmupReadings) {
      report.labelsBeforeWarmup++;
      continue;
    }
    report.judged.add(label);
    const end = Math.max(start, firstAtOrAfter(readings, label.endTs + 1) - 1);
    const to = readings[Math.min(end + input.slackReadings, readings.length - 1)]?.ts ?? label.endTs;
    (spans.get(label.deviceId) ?? spans.set(label.deviceId, []).get(label.deviceId)!).push({ from: label.startTs, to });
    const alerts = (input.alerts.get(label.deviceId) ?? []).filter((a) => a.source === 'model' && a.deviceId === label.deviceId && a.metric === label.metric && a.ts >= label.startTs && a.ts <= to);
    const tally = (report.perType[label.type] ??= { labels: 0, hits: 0, byKind: {} });
    tally.labels++;
    const device = (report.perDevice[label.deviceId] ??= { types: [], hitTypes: [] });
    if (!device.types.includes(label.type)) device.types.push(label.type);
    if (alerts.length === 0) continue;
    tally.hits++;
    if (!device.hitTypes.includes(label.type)) device.hitTypes.push(label.type);
    for (const kind of new Set(alerts.map((a) => a.kind ?? 'none'))) tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
  }
  for (const [deviceId, list] of spans) {
    for (const a of input.alerts.get(deviceId) ?? []) {
      if (a.source === 'model' && !list.some((s) => a.ts >= s.from && a.ts <= s.to)) report.outsideLabels++;
    }
  }
  return report;
}
