import { DATA_CLASS_NAMES, type DataClass } from '@outpost/protocols';
import type { HubApi } from './gateway-load-options.js';
import { gatewayCounts, type HubGatewayCounts } from './hub-api.js';
import type { OutboxWindow } from './outbox-window.js';
import { runBounded } from './run-bounded.js';

const MAX_FAILURES_LISTED = 20;

export interface GatewayAuditEntry {
  gatewayId: string;
  name: string;
  /** Highest seq acked to the gateway, and the hub's applied cursor. They must be equal. */
  ackedSeq: number;
  appliedSeq: number;
  /** Records of this run per class: what the gateway sent up to the hub's cursor, and what the hub applied. */
  sent: Record<DataClass, number>;
  applied: Record<DataClass, number>;
  /** Sent (and acked) but not applied. */
  missing: number;
  /** Applied more often than sent. */
  duplicates: number;
  /** Applied by the hub but the ack never reached the gateway (the run stopped with batches in flight): not loss. */
  unconfirmed: number;
  /** Records of this run the hub quarantined (payload refused by its schema). */
  quarantined: number;
  ok: boolean;
}

export interface GatewayAuditReport {
  gateways: number;
  gatewaysOk: number;
  recordsSent: number;
  recordsApplied: number;
  missing: number;
  duplicates: number;
  unconfirmed: number;
  quarantined: number;
  /** Gateways whose appliedSeq is not their acked seq. */
  seqMismatches: number;
  /** Up to 20 gateways that are not ok. */
  failures: GatewayAuditEntry[];
  ok: boolean;
}

export interface AuditTarget {
  gatewayId: string;
  name: string;
  window: OutboxWindow;
  /** The hub's counts before this run. */
  baseline: HubGatewayCounts;
}

const sum = (r: Record<DataClass, number>) => DATA_CLASS_NAMES.reduce((n, c) => n + r[c], 0);

/** One gateway: the hub's counts now, minus those before the run, against what the gateway sent. */
export function auditGateway(target: AuditTarget, now: HubGatewayCounts): GatewayAuditEntry {
  const { window, baseline } = target;
  const ackedSeq = window.started ? window.ackedSeq : baseline.appliedSeq;
  const lastSeq = window.started ? window.lastSeq : baseline.appliedSeq;
  const upTo = Math.max(ackedSeq, Math.min(now.appliedSeq, lastSeq));
  const sent = window.classCountsUpTo(upTo);
  const applied = Object.fromEntries(DATA_CLASS_NAMES.map((c) => [c, (now.records[c] ?? 0) - (baseline.records[c] ?? 0)])) as Record<DataClass, number>;
  let missing = 0;
  let duplicates = 0;
  for (const c of DATA_CLASS_NAMES) {
    const diff = applied[c] - sent[c];
    if (diff < 0) missing -= diff;
    else duplicates += diff;
  }
  // Seqs beyond what this gateway ever sent are someone else's records under its credential.
  duplicates = Math.max(duplicates, now.appliedSeq - lastSeq);
  const quarantined = now.quarantined - baseline.quarantined;
  const unconfirmed = Math.max(0, Math.min(now.appliedSeq, lastSeq) - ackedSeq);
  const ok = now.appliedSeq === ackedSeq && missing === 0 && duplicates === 0 && quarantined === 0;
  return { gatewayId: target.gatewayId, name: target.name, ackedSeq, appliedSeq: now.appliedSeq, sent, applied, missing, duplicates, unconfirmed, quarantined, ok };
}

/**
 * The loss audit: for every gateway, `GET /api/v1/gateways/:id/counts` must show the applied cursor at the
 * gateway's last acked seq and, per data class, exactly the records the gateway sent in this run.
 */
export async function runGatewayAudit(api: HubApi, targets: readonly AuditTarget[], concurrency: number): Promise<GatewayAuditReport> {
  const entries: GatewayAuditEntry[] = new Array(targets.length);
  await runBounded(targets, concurrency, async (target, i) => {
    entries[i] = auditGateway(target, await gatewayCounts(api, target.gatewayId));
  });
  const total = (key: 'missing' | 'duplicates' | 'unconfirmed' | 'quarantined') => entries.reduce((n, e) => n + e[key], 0);
  const failures = entries.filter((e) => !e.ok);
  return {
    gateways: entries.length,
    gatewaysOk: entries.length - failures.length,
    recordsSent: entries.reduce((n, e) => n + sum(e.sent), 0),
    recordsApplied: entries.reduce((n, e) => n + sum(e.applied), 0),
    missing: total('missing'),
    duplicates: total('duplicates'),
    unconfirmed: total('unconfirmed'),
    quarantined: total('quarantined'),
    seqMismatches: entries.filter((e) => e.appliedSeq !== e.ackedSeq).length,
    failures: failures.slice(0, MAX_FAILURES_LISTED),
    ok: failures.length === 0,
  };
}

export function formatGatewayAudit(a: GatewayAuditReport): string {
  const extra = a.unconfirmed > 0 ? `, ${a.unconfirmed} applied but unconfirmed (acks lost at the stop)` : '';
  return (
    `loss audit: ${a.gateways} gateways, ${a.recordsSent} records sent, ${a.recordsApplied} applied at the hub, ${a.missing} missing, ` +
    `${a.duplicates} duplicates, ${a.quarantined} quarantined, ${a.seqMismatches} with appliedSeq ≠ acked seq${extra} — ${a.ok ? 'OK' : 'FAILED'}`
  );
}
