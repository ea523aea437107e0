import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { HubError } from '../src/errors.js';
import { createKafkajsLog } from '../src/ingest-log/kafkajs-log.js';
import type { IngestLog, LogBatch, LogPosition } from '../src/ingest-log/ingest-log.js';
import type { KafkaLogOptions } from '../src/ingest-log/kafka-log-options.js';
import { partitionFor } from '../src/ingest-log/partition-for.js';
import { createPlatformaticLog } from '../src/ingest-log/platformatic-log.js';
import { ingestLogContract } from './ingest-log-contract.js';
import { TEST_BROKERS, applier, batchOf, closeAll, dropTopics, requireBroker, silent, storeWithGateways, waitFor } from './ingest-log-helpers.js';
import { expectedCounts } from './helpers/payloads.js';

const PARTITIONS = 4;
const CLIENTS = {
  kafkajs: createKafkajsLog,
  platformatic: createPlatformaticLog,
} satisfies Record<string, (options: KafkaLogOptions) => IngestLog>;

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

before(requireBroker);

for (const [client, create] of Object.entries(CLIENTS)) {
  describe(`ingest log on Kafka through ${client}`, () => {
    const opened: IngestLog[] = [];
    const topics: string[] = [];
    /** A log on a topic of its own, so the tests do not see each other's batches. */
    async function openLog(topic = `outpost-test-${randomUUID()}`): Promise<IngestLog> {
      topics.push(topic);
      const log = create({ brokers: TEST_BROKERS, topic, partitions: PARTITIONS, clientId: `outpost-test-${client}`, maxPendingAppends: 100, appendTimeoutMs: 15_000, maxMessageBytes: 8 * 1024 * 1024, logger: silent });
      opened.push(log);
      await log.start();
      return log;
    }
    after(async () => {
      await closeAll(...opened);
      await dropTopics(topics);
    });
    // One consumer group per test: members of a test share it, tests do not.
    let groupId = '';
    beforeEach(() => {
      groupId = `workers-${randomUUID()}`;
    });
    const group = () => groupId;

    ingestLogContract(() => openLog());

    it('concurrent appends of one gateway all land, in append order', async () => {
      const log = await openLog();
      const seen: number[] = [];
      const consumer = await log.consume({ groupId: group(), handler: (batch) => void seen.push(batch.records[0]!.seq) });
      await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(batchOf('gw-burst', i * 5 + 1, i * 5 + 5))));
      await waitFor('20 batches', () => seen.length >= 20);
      await consumer.close();
      assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i * 5 + 1));
    });

    it('a batch above the broker\'s default message size (1 MiB) is logged and read back whole', async () => {
      const log = await openLog();
      const big: LogBatch = { ...batchOf('gw-big', 1, 1), records: [{ ...batchOf('gw-big', 1, 1).records[0]!, payload: Buffer.alloc(3 * 1024 * 1024, 7) }] };
      let got: LogBatch | undefined;
      const consumer = await log.consume({ groupId: group(), handler: (batch) => void (got = batch) });
      await log.append(big);
      await waitFor('the big batch', () => got !== undefined);
      await consumer.close();
      assert.ok(got!.records[0]!.payload.equals(big.records[0]!.payload));
    });

    it('round trip: appended batches of several gateways are applied once each, in sequence', async () => {
      const { store, gateways, dispose } = storeWithGateways(3);
      try {
        const log = await openLog();
        const seen: LogBatch[] = [];
        const apply = applier(store);
        const consumer = await log.consume({ groupId: group(), handler: (batch) => (seen.push(batch), apply(batch)) });
        const sent: LogBatch[] = [];
        for (let from = 1; from <= 40; from += 10) for (const gw of gateways) sent.push(batchOf(gw, from, from + 9));
        await Promise.all(sent.map((b) => log.append(b)));
        await waitFor('every gateway at seq 40', () => gateways.every((gw) => store.sync.ackedSeq(gw) === 40));
        await consumer.close();
        for (const gw of gateways) {
          const counts = store.sync.counts(gw);
          assert.equal(counts.duplicatesSkipped, 0);
          assert.deepEqual(nonZero(counts.records), expectedCounts(40));
          assert.deepEqual(nonZero(counts.rows), expectedCounts(40));
          // What came out of the log is what went in, byte for byte, in the gateway's order.
          const mine = seen.filter((b) => b.gatewayId === gw);
          assert.deepEqual(mine.map((b) => b.records.map((r) => r.seq)).flat(), Array.from({ length: 40 }, (_, i) => i + 1));
          const original = sent.filter((b) => b.gatewayId === gw).flatMap((b) => b.records);
          assert.ok(mine.flatMap((b) => b.records).every((r, i) => r.payload.equals(original[i]!.payload) && r.dataClass === original[i]!.dataClass && r.hlcWallMs === original[i]!.hlcWallMs));
          assert.deepEqual(mine[0]!.context, sent[0]!.context);
        }
      } finally {
        dispose();
      }
    });

    it('partitions by gateway id: each gateway stays in its partition, in order', async () => {
      const log = await openLog();
      const gateways = Array.from({ length: 8 }, (_, i) => `gw-partition-${i}`);
      const positions = new Map<string, LogPosition[]>();
      let received = 0;
      const consumer = await log.consume({
        groupId: group(),
        handler: (batch, position) => {
          received++;
          positions.set(batch.gatewayId, [...(positions.get(batch.gatewayId) ?? []), position]);
        },
      });
      for (let from = 1; from <= 30; from += 10) await Promise.all(gateways.map((gw) => log.append(batchOf(gw, from, from + 9))));
      await waitFor('24 batches', () => received >= 24);
      await consumer.close();
      assert.equal(received, 24);
      const used = new Set<number>();
      for (const gw of gateways) {
        const mine = positions.get(gw)!;
        assert.equal(mine.length, 3);
        assert.ok(mine.every((p) => p.partition === partitionFor(gw, PARTITIONS)), `${gw} stays in partition ${partitionFor(gw, PARTITIONS)}`);
        const offsets = mine.map((p) => BigInt(p.offset));
        assert.ok(offsets[0]! < offsets[1]! && offsets[1]! < offsets[2]!, 'in append order');
        used.add(mine[0]!.partition);
      }
      assert.ok(used.size >= 2, 'eight gateways spread over more than one partition');
    });

    it('a restarted consumer group resumes from its committed offsets, losing nothing', async () => {
      const { store, gateways, dispose } = storeWithGateways(1);
      const gw = gateways[0]!;
      try {
        const log = await openLog();
        const apply = applier(store);
        const first = await log.consume({ groupId: group(), handler: apply });
        for (let from = 1; from <= 50; from += 10) await log.append(batchOf(gw, from, from + 9));
        await waitFor('seq 50 applied', () => store.sync.ackedSeq(gw) === 50);
        await first.close();
        // Appended while no worker runs: kept by the log.
        for (let from = 51; from <= 100; from += 10) await log.append(batchOf(gw, from, from + 9));
        const secondSaw: number[] = [];
        const second = await log.consume({ groupId: group(), handler: (batch) => (secondSaw.push(batch.records[0]!.seq), apply(batch)) });
        await waitFor('seq 100 applied', () => store.sync.ackedSeq(gw) === 100);
        await second.close();
        assert.deepEqual(secondSaw, [51, 61, 71, 81, 91], 'the second member starts after the committed offset');
        const counts = store.sync.counts(gw);
        assert.equal(counts.duplicatesSkipped, 0);
        assert.deepEqual(nonZero(counts.records), expectedCounts(100));
      } finally {
        dispose();
      }
    });

    it('a redelivered batch is applied once: duplicate appends and a crash before the offset commit', async () => {
      const { store, gateways, dispose } = storeWithGateways(1);
      const gw = gateways[0]!;
      try {
        const log = await openLog();
        const apply = applier(store);
        // A producer retry after a lost ack: the same batch twice in the log.
        await log.append(batchOf(gw, 1, 10));
        await log.append(batchOf(gw, 1, 10));
        await log.append(batchOf(gw, 11, 20));
        // The first worker applies 11–20, then dies before it commits that offset.
        let fatal: Error | undefined;
        const crashing = await log.consume({
          groupId: group(),
          maxApplyAttempts: 1,
          onFatal: (err) => (fatal = err),
          handler: (batch) => {
            apply(batch);
            if (batch.records[0]!.seq === 11) throw new Error('worker killed after apply, before commit');
          },
        });
        await waitFor('the worker to stop', () => fatal !== undefined);
        assert.ok(fatal instanceof HubError && fatal.code === 'HUB_ERR_INGEST_LOG_APPLY', String(fatal));
        await crashing.close();
        assert.equal(store.sync.ackedSeq(gw), 20);
        // The next worker of the group gets 11–20 again and the apply skips it.
        const again: number[] = [];
        const next = await log.consume({ groupId: group(), handler: (batch) => (again.push(batch.records[0]!.seq), apply(batch)) });
        await log.append(batchOf(gw, 21, 30));
        await waitFor('seq 30 applied', () => store.sync.ackedSeq(gw) === 30);
        await next.close();
        assert.deepEqual(again, [11, 21], 'the uncommitted batch came again');
        const counts = store.sync.counts(gw);
        assert.equal(counts.duplicatesSkipped, 20, 'ten from the duplicate append, ten from the redelivery');
        assert.deepEqual(nonZero(counts.records), expectedCounts(30));
        assert.deepEqual(nonZero(counts.rows), expectedCounts(30), 'every record wrote one row');
      } finally {
        dispose();
      }
    });

    it('a message that is not a batch is reported and passed over; bad batches are refused with a code', async () => {
      const topic = `outpost-test-${randomUUID()}`;
      const log = await openLog(topic);
      const raw = new Kafka({ clientId: 'outpost-test-raw', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING }).producer();
      await raw.connect();
      await raw.send({ topic, messages: [{ key: 'gw-x', value: Buffer.from('not a batch'), partition: partitionFor('gw-x', PARTITIONS) }] });
      await raw.disconnect();
      await log.append(batchOf('gw-x', 1, 5));
      const poison: string[] = [];
      const applied: string[] = [];
      const consumer = await log.consume({ groupId: group(), onPoison: (err) => poison.push((err as HubError).code), handler: (b) => void applied.push(b.gatewayId) });
      await waitFor('the good batch', () => applied.length === 1);
      await consumer.close();
      assert.deepEqual(poison, ['HUB_ERR_INGEST_LOG_DECODE']);
      await assert.rejects(log.append({ ...batchOf('gw-x', 1, 5), records: [] }), { code: 'HUB_ERR_INGEST_LOG_BAD_BATCH' });
      await assert.rejects(log.append({ ...batchOf('gw-x', 1, 5), records: [...batchOf('gw-x', 1, 5).records].reverse() }), { code: 'HUB_ERR_INGEST_LOG_BAD_BATCH' });
    });
  });
}

describe('ingest log on Kafka: unreachable broker', () => {
  it('start fails with HUB_ERR_INGEST_LOG_CONNECT', async () => {
    const log = createKafkajsLog({ brokers: ['127.0.0.1:1'], topic: 't', partitions: 1, clientId: 'x', maxPendingAppends: 1, appendTimeoutMs: 1000, maxMessageBytes: 1024 * 1024, logger: silent });
    await assert.rejects(log.start(), { code: 'HUB_ERR_INGEST_LOG_CONNECT' });
    await log.close();
  });
});
