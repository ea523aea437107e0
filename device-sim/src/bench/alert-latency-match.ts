import { performance } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import { type LatencySummaryMs, median, summarizeLatency } from '../load/load-stats.js';
import { createLatencyHistogram } from '../load/worker-counters.js';
import type { ArrivedAlert } from './alert-subscriber.js';
import { type PhaseRecord, readingKey } from './marked-publisher.js';

/** The rule every marked reading trips; `cooldownMs: 1` so that each marked reading alerts. */
export const MARK_RULE = { id: 'bench-marked', kind: 'threshold', metric: 'temperature', op: '>', value: 100, severity: 'warning', cooldownMs: 1 } as const;

export interface AlertLatency {
  matched: number;
  latencyMs: LatencySummaryMs | null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export interface PhaseAlerts {
  markedAcked: number;
  /** Marked readings whose rule alert arrived; latency = arrival at the internal subscriber − the reading's PUBACK. */
  rule: AlertLatency;
  markedWithoutAlert: number;
  /** Model alerts (autoencoder, online detector) whose (device, ts) is a reading of the phase. */
  model: Record<string, AlertLatency>;
  /** Alerts that named no reading of the phase (raised by the warm-up's readings, or unknown). */
  unmatched: number;
  /** Alerts seen before their reading's PUBACK (latency recorded as 0). */
  beforeAck: number;
  /** Readings the gateway's feed skipped (its queue was full): stored, never scored. */
  feedSkipped: number;
  /**
   * The rule alerts' latency split at the gateway's `receivedAt` (from GET /api/v1/alerts): PUBACK → the gateway
   * has the alert from edge-runtime (feed, scoring, publish), and from there → the subscriber (stored, forwarded).
   */
  split: { toGatewayMs: LatencySummaryMs | null; storeAndForwardMs: LatencySummaryMs | null };
  /** Per second of the phase (by PUBACK time): marked readings matched, and their rule-alert latency p50 and max. */
  seconds: { second: number; matched: number; p50Ms: number; maxMs: number }[];
}

/**
 * Match the alerts that arrived to the phase's readings by (device, ts): a rule alert of the mark rule to its
 * marked reading, a model alert to whichever reading of the phase raised it.
 */
export function matchPhaseAlerts(record: PhaseRecord, arrived: readonly ArrivedAlert[], receivedAt: ReadonlyMap<string, number>, pooled: { rule: Histogram; model: Histogram }): PhaseAlerts {
  const out = { markedAcked: 0, rule: { matched: 0, latencyMs: null }, markedWithoutAlert: 0, model: {}, unmatched: 0, beforeAck: 0, feedSkipped: 0, split: { toGatewayMs: null, storeAndForwardMs: null }, seconds: [] } as PhaseAlerts;
  const toGateway = createLatencyHistogram();
  const storeAndForward = createLatencyHistogram();
  const bySecond: number[][] = [];
  const ruleHere = createLatencyHistogram();
  const modelHere = new Map<string, Histogram>();
  const ruleSeen = new Set<string>();
  const record1 = (h: Histogram, ms: number) => {
    if (ms < 0) out.beforeAck++;
    h.recordValue(Math.max(1, Math.round(ms * 1000)));
  };
  for (const { alert, atMs } of arrived) {
    const key = readingKey(alert.deviceId, alert.ts);
    const ackAt = record.ackAt.get(key);
    if (ackAt === undefined) {
      out.unmatched++;
      continue;
    }
    if (alert.source === 'rule' && alert.kind === MARK_RULE.id) {
      if (ruleSeen.has(key)) continue;
      ruleSeen.add(key);
      record1(ruleHere, atMs - ackAt);
      (bySecond[Math.floor((ackAt - record.startedAtMs) / 1000)] ??= []).push(atMs - ackAt);
      const gatewayAt = receivedAt.get(alert.alertId);
      if (gatewayAt !== undefined) {
        // receivedAt is the gateway's wall clock in ms; the bench's times are performance.now() on the same machine.
        const gatewayAtPerf = gatewayAt - performance.timeOrigin;
        toGateway.recordValue(Math.max(1, Math.round((gatewayAtPerf - ackAt) * 1000)));
        storeAndForward.recordValue(Math.max(1, Math.round((atMs - gatewayAtPerf) * 1000)));
      }
    } else if (alert.source === 'model') {
      const h = modelHere.get(alert.kind) ?? modelHere.set(alert.kind, createLatencyHistogram()).get(alert.kind)!;
      record1(h, atMs - ackAt);
    } else out.unmatched++;
  }
  out.markedAcked = record.marked.filter((k) => record.ackAt.has(k)).length;
  out.rule = { matched: ruleSeen.size, latencyMs: summarizeLatency(ruleHere) };
  out.markedWithoutAlert = out.markedAcked - ruleSeen.size;
  for (const [kind, h] of modelHere) {
    out.model[kind] = { matched: h.totalCount, latencyMs: summarizeLatency(h) };
    pooled.model.add(h);
  }
  pooled.rule.add(ruleHere);
  out.split = { toGatewayMs: summarizeLatency(toGateway), storeAndForwardMs: summarizeLatency(storeAndForward) };
  out.seconds = [...bySecond.entries()].filter(([, v]) => v !== undefined).map(([second, v]) => ({ second: second + 1, matched: v.length, p50Ms: round2(median(v)), maxMs: round2(Math.max(...v)) }));
  return out;
}
