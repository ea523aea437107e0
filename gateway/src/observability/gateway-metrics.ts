import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric of one gateway process, on its own registry (tests run several gateways in one process). */
export function createGatewayMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'outpost_gw_process_' });
  const m = {
    registry,
    connections: new Gauge({ name: 'outpost_gw_connections', help: 'Connected MQTT clients', labelNames: ['kind'] as const, registers: [registry] }),
    accepted: new Counter({ name: 'outpost_gw_ingest_accepted_total', help: 'Device messages validated and committed to the store', labelNames: ['kind'] as const, registers: [registry] }),
    refusals: new Counter({ name: 'outpost_gw_refusals_total', help: 'Refused connections, subscriptions and messages, by reason code', labelNames: ['reason'] as const, registers: [registry] }),
    duplicates: new Counter({ name: 'outpost_gw_ingest_duplicates_total', help: 'Resent QoS 1 readings (DUP flag) acked without storing a second copy', registers: [registry] }),
    deadLetters: new Counter({ name: 'outpost_gw_dead_letters_total', help: 'Refused payloads written to the dead-letter table', registers: [registry] }),
    throttled: new Counter({ name: 'outpost_gw_throttled_messages_total', help: 'Messages delayed by a device rate limit', registers: [registry] }),
    producersPaused: new Counter({ name: 'outpost_gw_producers_paused_total', help: 'Times a publishing client was paused because the write queue was full', registers: [registry] }),
    writeQueueRows: new Gauge({ name: 'outpost_gw_write_queue_rows', help: 'Rows waiting for commit', registers: [registry] }),
    batchRows: new Histogram({ name: 'outpost_gw_store_batch_rows', help: 'Rows per committed transaction', buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000], registers: [registry] }),
    commitSeconds: new Histogram({ name: 'outpost_gw_store_commit_seconds', help: 'Time to write and commit one batch', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [registry] }),
    storeUsedBytes: new Gauge({ name: 'outpost_gw_store_used_bytes', help: 'Bytes used by the store (its disk budget counts these)', registers: [registry] }),
    storeMaxBytes: new Gauge({ name: 'outpost_gw_store_max_bytes', help: 'Disk budget of the store', registers: [registry] }),
    retentionDeleted: new Counter({ name: 'outpost_gw_retention_deleted_total', help: 'Raw readings deleted by retention', labelNames: ['by'] as const, registers: [registry] }),
    syncState: new Gauge({ name: 'outpost_gw_sync_state', help: 'Sync connection state (1 for the current one)', labelNames: ['state'] as const, registers: [registry] }),
    syncBacklogRecords: new Gauge({ name: 'outpost_gw_sync_backlog_records', help: 'Outbox records not yet acked by the hub, by data class', labelNames: ['class'] as const, registers: [registry] }),
    syncBacklogBytes: new Gauge({ name: 'outpost_gw_sync_backlog_bytes', help: 'Payload bytes of outbox records not yet acked, by data class', labelNames: ['class'] as const, registers: [registry] }),
    syncBacklogAge: new Gauge({ name: 'outpost_gw_sync_backlog_oldest_age_seconds', help: 'Age of the oldest record not yet acked, by data class (gateway clock)', labelNames: ['class'] as const, registers: [registry] }),
    syncAckedSeq: new Gauge({ name: 'outpost_gw_sync_acked_seq', help: 'Highest sequence the hub acknowledged', registers: [registry] }),
    syncLastSeq: new Gauge({ name: 'outpost_gw_sync_last_seq', help: 'Highest sequence assigned', registers: [registry] }),
    syncRecordsSent: new Counter({ name: 'outpost_gw_sync_records_sent_total', help: 'Records sent to the hub (resends included)', registers: [registry] }),
    syncBatchesSent: new Counter({ name: 'outpost_gw_sync_batches_sent_total', help: 'Batches sent to the hub (resends included)', registers: [registry] }),
    syncRecordsAcked: new Counter({ name: 'outpost_gw_sync_records_acked_total', help: 'Records acknowledged by the hub', registers: [registry] }),
    syncBatchRecords: new Gauge({ name: 'outpost_gw_sync_batch_records', help: 'Current adaptive batch size (records)', registers: [registry] }),
    syncDrainRate: new Gauge({ name: 'outpost_gw_sync_drain_records_per_second', help: 'Records acked per second over the last 10 s', registers: [registry] }),
    syncCompacted: new Gauge({ name: 'outpost_gw_sync_compacted_records', help: 'Unsequenced outbox records removed or merged by budget pressure since the store writer started, by kind', labelNames: ['kind'] as const, registers: [registry] }),
    runtimeReadingsSent: new Counter({ name: 'outpost_gw_runtime_readings_sent_total', help: 'Accepted readings published to edge-runtime on local/v1/readings', registers: [registry] }),
    runtimeReadingsSkipped: new Counter({ name: 'outpost_gw_runtime_readings_skipped_total', help: 'Accepted readings not handed to edge-runtime because its queue was full (they stay stored, unscored)', registers: [registry] }),
    runtimeRestarts: new Counter({ name: 'outpost_gw_runtime_restarts_total', help: 'Times the gateway restarted edge-runtime after it exited', registers: [registry] }),
    adaptiveFilled: new Counter({ name: 'outpost_gw_adaptive_filled_total', help: 'Readings filled in from the shared predictor for samples adaptive devices did not send (stored as predicted)', registers: [registry] }),
    adaptiveDesyncs: new Counter({ name: 'outpost_gw_adaptive_desyncs_total', help: 'Times an adaptive device and the gateway fell out of step (filling stops until the device starts a new epoch)', registers: [registry] }),
    powerMode: new Gauge({ name: 'outpost_gw_power_mode', help: 'Power mode edge-runtime chose (1 for the current one; all 0 before it reports one)', labelNames: ['mode'] as const, registers: [registry] }),
    powerSimulated: new Gauge({ name: 'outpost_gw_power_simulated', help: '1 when the power mode comes from simulated readings (a file or the configuration)', registers: [registry] }),
    summaryOpenWindows: new Gauge({ name: 'outpost_gw_summary_open_windows', help: 'Open 1-minute summary windows (device × metric)', registers: [registry] }),
  };
  return m;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
