import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric of one hub process, on its own registry (tests run several hubs in one process). */
export function createHubMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'outpost_hub_process_' });
  return {
    registry,
    connectedGateways: new Gauge({ name: 'outpost_hub_connected_gateways', help: 'Gateways with a live sync stream', registers: [registry] }),
    recordsApplied: new Counter({ name: 'outpost_hub_records_applied_total', help: 'Outbox records applied, by data class', labelNames: ['class'] as const, registers: [registry] }),
    duplicatesSkipped: new Counter({ name: 'outpost_hub_duplicates_skipped_total', help: 'Records skipped because their seq was already applied', registers: [registry] }),
    quarantined: new Counter({ name: 'outpost_hub_records_quarantined_total', help: 'Records whose payload failed its schema (kept in the quarantine table)', registers: [registry] }),
    batches: new Counter({ name: 'outpost_hub_batches_total', help: 'Batches received, by result', labelNames: ['result'] as const, registers: [registry] }),
    applySeconds: new Histogram({ name: 'outpost_hub_batch_apply_seconds', help: 'Time to validate, apply and commit one batch', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    streamsRefused: new Counter({ name: 'outpost_hub_streams_refused_total', help: 'Sync streams refused or ended by the hub, by wire code', labelNames: ['code'] as const, registers: [registry] }),
    enrollments: new Counter({ name: 'outpost_hub_enrollments_total', help: 'Enroll calls, by result', labelNames: ['result'] as const, registers: [registry] }),
    downlinkSent: new Counter({ name: 'outpost_hub_downlink_messages_total', help: 'Commands and desired states sent to gateways', labelNames: ['kind'] as const, registers: [registry] }),
    retentionDeleted: new Counter({ name: 'outpost_hub_retention_deleted_total', help: 'Raw readings deleted by retention', registers: [registry] }),
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
