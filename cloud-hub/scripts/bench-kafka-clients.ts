// kafkajs vs @platformatic/kafka on the same broker in the same run, through the hub's own ingest log
// (idempotent producer, acks=all, one partition per gateway, the hub's batch codec). Repetitions alternate
// the order of the clients; the table gives medians and the ratio platformatic / kafkajs.
// Run: npm run bench:kafka-clients [-- --reps 7 --batches 4000 --records 100 --concurrency 64]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { DATA_CLASSES } from '@outpost/protocols';
import type { IngestLog, LogBatch } from '../src/ingest-log/ingest-log.js';
import type { KafkaLogOptions } from '../src/ingest-log/kafka-log-options.js';
import { createKafkajsLog } from '../src/ingest-log/kafkajs-log.js';
import { createPlatformaticLog } from '../src/ingest-log/platformatic-log.js';
import type { IncomingRecord } from '../src/store/hub-store.js';

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '7' },
    batches: { type: 'string', default: '4000' },
    records: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '64' },
    gateways: { type: 'string', default: '50' },
    partitions: { type: 'string', default: '12' },
    brokers: { type: 'string', default: process.env.OUTPOST_TEST_KAFKA_BROKERS ?? '127.0.0.1:19092' },
  },
});
const REPS = Number(args.reps);
const BATCHES = Number(args.batches);
const RECORDS = Number(args.records);
const CONCURRENCY = Number(args.concurrency);
const GATEWAYS = Number(args.gateways);
const PARTITIONS = Number(args.partitions);
const BROKERS = args.brokers.split(',');
const CONSUME_TIMEOUT_MS = 120_000;

const CLIENTS: Record<string, (o: KafkaLogOptions) => IngestLog> = { kafkajs: createKafkajsLog, platformatic: createPlatformaticLog };
const logger = pino({ level: 'silent' });

// A sync batch as a gateway sends it: mostly summaries, some alerts, events and raw readings.
const MIX = ['summary', 'summary', 'summary', 'alert', 'event', 'rawReading', 'summary', 'deviceState'] as const;
function payload(kind: (typeof MIX)[number], seq: number): unknown {
  const deviceId = `pump-${seq % 17}`;
  const ts = 1_760_000_000_000 + seq * 1000;
  switch (kind) {
    case 'summary':
      return { v: 1, deviceId, metric: 'vibration_rms', windowStartMs: ts - 60_000, windowMs: 60_000, count: 60, min: 0.12, max: 0.93, mean: 0.41, last: 0.4, stddev: 0.08 };
    case 'alert':
      return { v: 1, alertId: `a-${seq}`, deviceId, ts, source: 'model', kind: 'anomaly', severity: 'warning', score: 0.97, threshold: 0.9 };
    case 'event':
      return { v: 1, deviceId, ts, type: 'door_open', severity: 'info' };
    case 'rawReading':
      return { v: 1, deviceId, ts, metrics: { temp_c: 41.5, vibration_rms: 0.42, current_a: 12.1, pressure_kpa: 301.2 } };
    case 'deviceState':
      return { v: 1, deviceId, ts, state: { mode: 'run', firmware: '2.4.1', rssi: -61 } };
  }
}
function batchFor(gatewayId: string, first: number): LogBatch {
  const records: IncomingRecord[] = [];
  for (let seq = first; seq < first + RECORDS; seq++) {
    const kind = MIX[seq % MIX.length]!;
    records.push({ seq, dataClass: DATA_CLASSES[kind].proto, hlcWallMs: 1_760_000_000_000 + seq, hlcLogical: 0, payload: Buffer.from(JSON.stringify(payload(kind, seq))) });
  }
  return { gatewayId, records, context: { sessionClockTrusted: true, clockToleranceMs: 300_000, nowMs: Date.now() } };
}

// One batch per gateway prepared up front: the bench measures the client, not JSON.stringify.
const gatewayIds = Array.from({ length: GATEWAYS }, (_, i) => `bench-gw-${i}`);
const templates = gatewayIds.map((gw) => batchFor(gw, 1));
const batchBytes = templates[0]!.records.reduce((n, r) => n + r.payload.length, 0);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface RunResult {
  produceRecordsPerSec: number;
  produceMBPerSec: number;
  p50Ms: number;
  p99Ms: number;
  consumeRecordsPerSec: number;
}

async function runOnce(client: string): Promise<RunResult> {
  const topic = `bench-${client}-${randomUUID()}`;
  const log = CLIENTS[client]!({ brokers: BROKERS, topic, partitions: PARTITIONS, clientId: `bench-${client}`, maxPendingAppends: CONCURRENCY * 2, appendTimeoutMs: 60_000, maxMessageBytes: 8 * 1024 * 1024, logger });
  await log.start();
  const latencies: number[] = [];
  // Seqs per gateway continue batch after batch, as one gateway's outbox would.
  const nextSeq = new Map<string, number>();
  let issued = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (issued < BATCHES) {
      const i = issued++;
      const template = templates[i % GATEWAYS]!;
      const first = nextSeq.get(template.gatewayId) ?? 1;
      nextSeq.set(template.gatewayId, first + RECORDS);
      const batch: LogBatch = { ...template, records: template.records.map((r, k) => ({ ...r, seq: first + k })) };
      const t0 = performance.now();
      await log.append(batch);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const produceSec = (performance.now() - started) / 1000;

  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const consumer = await log.consume({
    groupId: `bench-${randomUUID()}`,
    handler: (batch) => {
      if (received === 0) firstAt = performance.now();
      received += batch.records.length;
      if (received >= BATCHES * RECORDS) {
        lastAt = performance.now();
        resolveDone();
      }
    },
  });
  const timer = setTimeout(resolveDone, CONSUME_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
  await consumer.close();
  await log.close();
  await dropTopic(topic);
  if (received < BATCHES * RECORDS) throw new Error(`${client}: consumed ${received} of ${BATCHES * RECORDS} records within ${CONSUME_TIMEOUT_MS} ms`);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    produceRecordsPerSec: (BATCHES * RECORDS) / produceSec,
    produceMBPerSec: (BATCHES * batchBytes) / produceSec / 1e6,
    p50Ms: pct(sorted, 50),
    p99Ms: pct(sorted, 99),
    consumeRecordsPerSec: (BATCHES * RECORDS) / ((lastAt - firstAt) / 1000 || 1e-3),
  };
}

/** Each run writes tens of MB; drop its topic so repeated benches do not fill the broker's disk. */
async function dropTopic(topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-admin', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

const results: Record<string, RunResult[]> = { kafkajs: [], platformatic: [] };
process.stdout.write(
  `kafka clients: ${REPS} reps × ${BATCHES} batches × ${RECORDS} records (${(batchBytes / 1024).toFixed(1)} KiB of payload a batch), ${CONCURRENCY} appends in flight, ${GATEWAYS} gateways, ${PARTITIONS} partitions, brokers ${BROKERS.join(',')}\n`,
);
for (let rep = 0; rep < REPS; rep++) {
  const order = rep % 2 === 0 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs'];
  for (const client of order) {
    const r = await runOnce(client);
    results[client]!.push(r);
    process.stdout.write(
      `rep ${rep + 1} ${client.padEnd(12)} produce ${r.produceRecordsPerSec.toFixed(0)} rec/s ${r.produceMBPerSec.toFixed(1)} MB/s p50 ${r.p50Ms.toFixed(1)} ms p99 ${r.p99Ms.toFixed(1)} ms | consume ${r.consumeRecordsPerSec.toFixed(0)} rec/s\n`,
    );
  }
}

const rows: [string, keyof RunResult, number][] = [
  ['produce records/s', 'produceRecordsPerSec', 0],
  ['produce MB/s (payload)', 'produceMBPerSec', 1],
  ['append p50 latency ms', 'p50Ms', 1],
  ['append p99 latency ms', 'p99Ms', 1],
  ['consume records/s', 'consumeRecordsPerSec', 0],
];
process.stdout.write('\n| metric (median) | kafkajs | @platformatic/kafka | platformatic / kafkajs |\n|---|---|---|---|\n');
for (const [label, key, digits] of rows) {
  const a = median(results.kafkajs!.map((r) => r[key]));
  const b = median(results.platformatic!.map((r) => r[key]));
  process.stdout.write(`| ${label} | ${a.toFixed(digits)} | ${b.toFixed(digits)} | ${(b / a).toFixed(2)}× |\n`);
}
