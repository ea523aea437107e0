import { explain, featureMetric, type ModelManifest, severityOf } from '@outpost/models/anomaly';
import type { LocalAlert } from '@outpost/protocols';
import { NAB_STANDARD_ALERT_THRESHOLD } from '../detector/alert-threshold.js';
import type { RuleHit } from '../rules/rule-engine.js';
import { alertIdFor } from './alert-id.js';

export const MODEL_ALERT_KIND = 'autoencoder';
export const DETECTOR_ALERT_KIND = 'online-detector';
/** Explanation entries per model alert. */
export const EXPLANATION_TOP_K = 3;

/**
 * The model alert for one scored window, or null below the manifest's threshold. The metric is the one
 * the top explanation feature belongs to; score is the raw score, threshold the manifest's.
 */
export function modelAlert(
  manifest: ModelManifest,
  window: { deviceId: string; readingId: number; ts: number },
  score: number,
  featureError: Float32Array,
): LocalAlert | null {
  const level = severityOf(score, manifest.thresholds);
  if (!level || !Number.isFinite(score)) return null;
  const explanation = explain(featureError, manifest.featureNames, EXPLANATION_TOP_K).filter((e) => Number.isFinite(e.contribution));
  const top = explanation[0] ? featureMetric(explanation[0].feature) : undefined;
  const metric = top !== undefined && manifest.metrics.includes(top) ? top : manifest.metrics[0];
  return {
    v: 1,
    alertId: alertIdFor('model', MODEL_ALERT_KIND, window.deviceId, window.readingId, window.ts),
    deviceId: window.deviceId,
    metric,
    ts: window.ts,
    source: 'model',
    kind: MODEL_ALERT_KIND,
    severity: level.severity,
    review: level.review,
    score,
    threshold: manifest.thresholds.threshold,
    modelVersion: `${manifest.name}@${manifest.version}`,
    explanation,
  };
}

/**
 * The online detector's alert for one reading's metric, or null below NAB_STANDARD_ALERT_THRESHOLD. Its
 * scores live in [0, 1): from the threshold to halfway to 1 the alert is flagged for review (low confidence).
 */
export function detectorAlert(deviceId: string, metric: string, readingId: number, ts: number, score: number): LocalAlert | null {
  if (!(score >= NAB_STANDARD_ALERT_THRESHOLD)) return null;
  return {
    v: 1,
    alertId: alertIdFor('model', `${DETECTOR_ALERT_KIND}/${metric}`, deviceId, readingId, ts),
    deviceId,
    metric,
    ts,
    source: 'model',
    kind: DETECTOR_ALERT_KIND,
    severity: 'warning',
    review: score < (NAB_STANDARD_ALERT_THRESHOLD + 1) / 2,
    score,
    threshold: NAB_STANDARD_ALERT_THRESHOLD,
  };
}

/** A rule's alert: kind is the rule id; score the value its first holding condition saw, threshold that condition's value. */
export function ruleAlert(hit: RuleHit): LocalAlert {
  return {
    v: 1,
    alertId: alertIdFor('rule', hit.rule.id, hit.deviceId, hit.readingId, hit.ts),
    deviceId: hit.deviceId,
    metric: hit.metric,
    ts: hit.ts,
    source: 'rule',
    kind: hit.rule.id,
    severity: hit.rule.severity,
    score: hit.observed,
    threshold: hit.threshold,
  };
}
