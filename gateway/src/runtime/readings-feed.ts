import { localTopics } from '@outpost/protocols';
import type { Aedes, AedesPublishPacket, Client, Subscription } from 'aedes';
import type { GatewayConfig } from '../config/config-schema.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { WriteRow } from '../store/write-rows.js';

/** edge-runtime's MQTT client id; only its acks open the feed's window. */
export const RUNTIME_CLIENT_ID = '_internal.edge-runtime';
/** Batches published and not yet acked by edge-runtime. */
const MAX_UNACKED_BATCHES = 4;

export interface ReadingsFeedStatus {
  pending: number;
  unackedBatches: number;
  sent: number;
  skipped: number;
  runtimeConnected: boolean;
}

/**
 * Committed readings → edge-runtime, in `localReadingsBatch` messages on local/v1/readings (QoS 1).
 *
 * Only what is durable is fed (the store writer's onCommit), each reading with its store row id. The
 * payload is assembled from the stored JSON: ingest validated it already, and a batch of a thousand
 * readings must not pay a second schema pass.
 *
 * Queue `runtime-readings`: bound `maxPendingReadings`; when full, the oldest readings are skipped and
 * counted (they stay in the store; only their scoring is lost). At most MAX_UNACKED_BATCHES batches wait
 * for edge-runtime's PUBACK, so a slow or absent runtime holds readings here, within the bound, rather
 * than in the broker's memory.
 */
export function createReadingsFeed(options: GatewayConfig['runtime'], broker: Aedes, metrics: GatewayMetrics) {
  const topic = localTopics.readings();
  let pending: string[] = [];
  let head = 0;
  let unacked = 0;
  let sent = 0;
  let skipped = 0;
  let runtimeConnected = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const size = () => pending.length - head;

  function skipOldest(count: number): void {
    head += count;
    skipped += count;
    metrics.runtimeReadingsSkipped.inc(count);
    if (head > 4096 && head * 2 > pending.length) {
      pending = pending.slice(head);
      head = 0;
    }
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    while (!closed && runtimeConnected && unacked < MAX_UNACKED_BATCHES && size() > 0) {
      const count = Math.min(options.batchMaxReadings, size());
      const body = pending.slice(head, head + count).join(',');
      head += count;
      if (head === pending.length) {
        pending = [];
        head = 0;
      }
      unacked++;
      sent += count;
      metrics.runtimeReadingsSent.inc(count);
      const packet = { cmd: 'publish', topic, payload: Buffer.from(`{"v":1,"readings":[${body}]}`), qos: 1, retain: false, dup: false } as AedesPublishPacket;
      broker.publish(packet, () => {});
    }
  }

  function schedule(): void {
    if (size() >= options.batchMaxReadings) return flush();
    if (!timer && size() > 0) timer = setTimeout(flush, options.batchMaxDelayMs);
  }

  const isRuntime = (client: Client | null) => client?.id === RUNTIME_CLIENT_ID;
  // aedes reports the acked packet only when its persistence still holds it (not for clean sessions), so
  // every PUBACK from edge-runtime frees a slot; model offers are the only other QoS 1 messages it gets,
  // rare enough that an extra slot now and then does not matter.
  const onAck = (_packet: unknown, client: Client) => {
    if (!isRuntime(client) || unacked === 0) return;
    unacked--;
    flush();
  };
  const onSubscribe = (subscriptions: Subscription[], client: Client) => {
    if (!isRuntime(client) || !subscriptions.some((s) => s.topic === topic)) return;
    runtimeConnected = true;
    unacked = 0;
    flush();
  };
  const onDisconnect = (client: Client) => {
    if (!isRuntime(client)) return;
    // A clean session drops what was in flight to the old connection; those readings go unscored.
    runtimeConnected = false;
    unacked = 0;
  };
  broker.on('ack', onAck);
  broker.on('subscribe', onSubscribe);
  broker.on('clientDisconnect', onDisconnect);

  return {
    /** Hook of the store writer: queue the committed readings. */
    onCommit(rows: readonly WriteRow[], readingIds: readonly number[]): void {
      if (closed || readingIds.length === 0) return;
      let i = 0;
      for (const row of rows) {
        if (row.k !== 'reading') continue;
        const id = readingIds[i++]!;
        // Filled-in samples are scored too, marked, so a model can weigh them (a spike is always sent, never filled).
        pending.push(`{"id":${id},"deviceId":${JSON.stringify(row.deviceId)},"ts":${row.ts},"receivedAt":${row.receivedAt},"metrics":${row.metrics}${row.predicted ? ',"predicted":true' : ''}}`);
      }
      const over = size() - options.maxPendingReadings;
      if (over > 0) skipOldest(over);
      schedule();
    },
    status(): ReadingsFeedStatus {
      return { pending: size(), unackedBatches: unacked, sent, skipped, runtimeConnected };
    },
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      broker.off('ack', onAck);
      broker.off('subscribe', onSubscribe);
      broker.off('clientDisconnect', onDisconnect);
    },
  };
}

export type ReadingsFeed = ReturnType<typeof createReadingsFeed>;
