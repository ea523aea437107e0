import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadHubConfig } from '../src/index.js';
import { createIngestLog } from '../src/ingest-log/create-ingest-log.js';
import { ingestLogContract } from './ingest-log-contract.js';
import { applier, batchOf, silent, storeWithGateways } from './ingest-log-helpers.js';
import { expectedCounts } from './helpers/payloads.js';

describe('in-process ingest log (the default)', () => {
  ingestLogContract(async () => {
    const log = createIngestLog(loadHubConfig({ env: {} }).ingestLog, silent);
    await log.start();
    return log;
  });

  it('is what the default configuration builds', () => {
    const log = createIngestLog(loadHubConfig({ env: {} }).ingestLog, silent);
    assert.equal(log.kind, 'in-process');
  });

  it('append is the direct apply: resolved means applied; a replayed batch is skipped by (gateway, seq)', async () => {
    const { store, gateways, dispose } = storeWithGateways(1);
    const gw = gateways[0]!;
    try {
      const log = createIngestLog(loadHubConfig({ env: {} }).ingestLog, silent);
      await log.start();
      const consumer = await log.consume({ groupId: 'workers', handler: applier(store) });
      await log.append(batchOf(gw, 1, 10));
      assert.equal(store.sync.ackedSeq(gw), 10, 'applied before append resolved');
      await log.append(batchOf(gw, 1, 10));
      await log.append(batchOf(gw, 11, 20));
      const counts = store.sync.counts(gw);
      assert.equal(counts.appliedSeq, 20);
      assert.equal(counts.duplicatesSkipped, 10);
      assert.deepEqual(Object.fromEntries(Object.entries(counts.records).filter(([, n]) => n > 0)), expectedCounts(20));
      await consumer.close();
      await assert.rejects(log.append(batchOf(gw, 21, 30)), { code: 'HUB_ERR_INGEST_LOG_APPLY' }, 'no consumer, nothing to keep it');
      await log.close();
      await assert.rejects(log.append(batchOf(gw, 21, 30)), { code: 'HUB_ERR_INGEST_LOG_CLOSED' });
    } finally {
      dispose();
    }
  });

  it('a failing apply rejects the append (the gateway is not acked) and bad batches are refused', async () => {
    const log = createIngestLog(loadHubConfig({ env: {} }).ingestLog, silent);
    await log.consume({
      groupId: 'workers',
      handler: () => {
        throw new Error('disk full');
      },
    });
    await assert.rejects(log.append(batchOf('gw', 1, 2)), { code: 'HUB_ERR_INGEST_LOG_APPLY' });
    await assert.rejects(log.append({ ...batchOf('gw', 1, 2), records: [] }), { code: 'HUB_ERR_INGEST_LOG_BAD_BATCH' });
    await log.close();
  });

  it('configuration: kafka needs brokers; a bad broker list names the key', () => {
    assert.throws(() => loadHubConfig({ env: { OUTPOST_HUB_INGEST_LOG_KIND: 'kafka' } }), (err: Error & { code?: string }) => err.code === 'HUB_ERR_CONFIG' && /brokers/.test(err.message));
    assert.throws(() => loadHubConfig({ env: { OUTPOST_HUB_INGEST_LOG_KIND: 'kafka', OUTPOST_HUB_INGEST_LOG_BROKERS: 'no-port' } }), /brokers/);
    const config = loadHubConfig({ env: { OUTPOST_HUB_INGEST_LOG_KIND: 'kafka', OUTPOST_HUB_INGEST_LOG_BROKERS: '127.0.0.1:19092,localhost:19093', OUTPOST_HUB_INGEST_LOG_CLIENT: 'platformatic' } });
    const log = createIngestLog(config.ingestLog, silent);
    assert.equal(log.kind, 'kafka');
    assert.equal(log.client, 'platformatic');
  });
});
