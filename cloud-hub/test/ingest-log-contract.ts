import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { IngestLog, LogBatch } from '../src/ingest-log/ingest-log.js';
import { applier, batchOf, storeWithGateways, waitFor } from './ingest-log-helpers.js';
import { expectedCounts } from './helpers/payloads.js';

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/**
 * What every ingest log does, the in-process one and each Kafka client alike. `open` gives a started log
 * of its own (its own topic); the suite closes it.
 */
export function ingestLogContract(open: () => Promise<IngestLog>): void {
  it('contract: what is appended reaches the consumer whole, and a duplicate append is applied once', async () => {
    const { store, gateways, dispose } = storeWithGateways(1);
    const gw = gateways[0]!;
    const log = await open();
    try {
      const seen: LogBatch[] = [];
      const apply = applier(store);
      const consumer = await log.consume({ groupId: `contract-${randomUUID()}`, handler: (batch) => (seen.push(batch), apply(batch)) });
      const sent = [batchOf(gw, 1, 10), batchOf(gw, 1, 10), batchOf(gw, 11, 20)];
      for (const batch of sent) await log.append(batch);
      await waitFor('seq 20 applied', () => store.sync.ackedSeq(gw) === 20);
      await consumer.close();
      assert.equal(seen.length, 3);
      seen.forEach((got, i) => {
        assert.equal(got.gatewayId, gw);
        assert.deepEqual(got.context, sent[i]!.context);
        assert.deepEqual(
          got.records.map((r) => [r.seq, r.dataClass, r.hlcWallMs, r.hlcLogical, r.payload.toString('base64')]),
          sent[i]!.records.map((r) => [r.seq, r.dataClass, r.hlcWallMs, r.hlcLogical, r.payload.toString('base64')]),
        );
      });
      const counts = store.sync.counts(gw);
      assert.equal(counts.duplicatesSkipped, 10);
      assert.deepEqual(nonZero(counts.rows), expectedCounts(20));
    } finally {
      await log.close();
      dispose();
    }
  });

  it('contract: bad batches are refused with HUB_ERR_INGEST_LOG_BAD_BATCH; after close, HUB_ERR_INGEST_LOG_CLOSED', async () => {
    const log = await open();
    const consumer = await log.consume({ groupId: `contract-${randomUUID()}`, handler: () => {} });
    await assert.rejects(log.append({ ...batchOf('gw', 1, 2), records: [] }), { code: 'HUB_ERR_INGEST_LOG_BAD_BATCH' });
    await assert.rejects(log.append({ ...batchOf('gw', 1, 2), gatewayId: '' }), { code: 'HUB_ERR_INGEST_LOG_BAD_BATCH' });
    await assert.rejects(log.append({ ...batchOf('gw', 1, 2), records: [...batchOf('gw', 1, 2).records].reverse() }), { code: 'HUB_ERR_INGEST_LOG_BAD_BATCH' });
    await consumer.close();
    await log.close();
    await assert.rejects(log.append(batchOf('gw', 1, 2)), { code: 'HUB_ERR_INGEST_LOG_CLOSED' });
  });

  it('contract: caughtUp resolves once everything appended is applied', async () => {
    const log = await open();
    try {
      const groupId = `contract-${randomUUID()}`;
      let applied = 0;
      const consumer = await log.consume({ groupId, handler: () => void applied++ });
      for (let i = 0; i < 5; i++) await log.append(batchOf('gw-caught-up', i * 2 + 1, i * 2 + 2));
      await log.caughtUp('gw-caught-up', groupId, 15_000);
      assert.equal(applied, 5);
      await consumer.close();
    } finally {
      await log.close();
    }
  });
}
