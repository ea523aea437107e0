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
    deadLetters: new Counter({ name: 'outpost_gw_dead_letters_total', help: 'Refused payloads written to the dead-letter table', registers: [registry] }),
    throttled: new Counter({ name: 'outpost_gw_throttled_messages_total', help: 'Messages delayed by a device rate limit', registers: [registry] }),
    producersPaused: new Counter({ name: 'outpost_gw_producers_paused_total', help: 'Times a publishing client was paused because the write queue was full', registers: [registry] }),
    writeQueueRows: new Gauge({ name: 'outpost_gw_write_queue_rows', help: 'Rows waiting for commit', registers: [registry] }),
    batchRows: new Histogram({ name: 'outpost_gw_store_batch_rows', help: 'Rows per committed transaction', buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000], registers: [registry] }),
    commitSeconds: new Histogram({ name: 'outpost_gw_store_commit_seconds', help: 'Time to write and commit one batch', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [registry] }),
    storeUsedBytes: new Gauge({ name: 'outpost_gw_store_used_bytes', help: 'Bytes used by the store (its disk budget counts these)', registers: [registry] }),
    storeMaxBytes: new Gauge({ name: 'outpost_gw_store_max_bytes', help: 'Disk budget of the store', registers: [registry] }),
    retentionDeleted: new Counter({ name: 'outpost_gw_retention_deleted_total', help: 'Raw readings deleted by retention', labelNames: ['by'] as const, registers: [registry] }),
  };
  return m;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
