import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubError } from '../errors.js';
import { decodeBatch, encodeBatch, validateBatch } from './batch-codec.js';
import type { LogBatch } from './ingest-log.js';

const batch: LogBatch = {
  gatewayId: 'gw-ü-1',
  context: { sessionClockTrusted: false, clockToleranceMs: 300_000, nowMs: 1_700_000_123_456 },
  records: [
    { seq: 7, dataClass: 3, hlcWallMs: 1_700_000_000_001, hlcLogical: 2, payload: Buffer.from('{"v":1}') },
    { seq: 8, dataClass: 1, hlcWallMs: 0, hlcLogical: 4_294_967_295, payload: Buffer.alloc(0) },
    { seq: 2 ** 40, dataClass: 8, hlcWallMs: 1.5, hlcLogical: 0, payload: Buffer.from([0, 255, 1]) },
  ],
};

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof HubError ? err.code : String(err);
  }
  return 'no error';
};

describe('ingest log batch codec', () => {
  it('round-trips every field', () => {
    assert.deepEqual(decodeBatch(encodeBatch(batch)), batch);
  });

  it('refuses what is not a whole v1 batch with HUB_ERR_INGEST_LOG_DECODE', () => {
    const good = encodeBatch(batch);
    assert.equal(code(() => decodeBatch(null)), 'HUB_ERR_INGEST_LOG_DECODE');
    assert.equal(code(() => decodeBatch(Buffer.from('not a batch'))), 'HUB_ERR_INGEST_LOG_DECODE');
    assert.equal(code(() => decodeBatch(Buffer.concat([Buffer.from([2]), good.subarray(1)]))), 'HUB_ERR_INGEST_LOG_DECODE', 'unknown version');
    assert.equal(code(() => decodeBatch(Buffer.concat([good, Buffer.from([0])]))), 'HUB_ERR_INGEST_LOG_DECODE', 'trailing bytes');
    for (let cut = 0; cut < good.length; cut += 7) assert.equal(code(() => decodeBatch(good.subarray(0, cut))), 'HUB_ERR_INGEST_LOG_DECODE', `cut at ${cut}`);
    const count = good.indexOf(Buffer.from([0, 0, 0, 3]));
    const huge = Buffer.from(good);
    huge.writeUInt32BE(0xffffffff, count);
    assert.equal(code(() => decodeBatch(huge)), 'HUB_ERR_INGEST_LOG_DECODE', 'record count beyond the message');
  });

  it('validates batches before they are logged', () => {
    assert.equal(code(() => validateBatch({ ...batch, records: [] })), 'HUB_ERR_INGEST_LOG_BAD_BATCH');
    assert.equal(code(() => validateBatch({ ...batch, gatewayId: '' })), 'HUB_ERR_INGEST_LOG_BAD_BATCH');
    assert.equal(code(() => validateBatch({ ...batch, gatewayId: 'x'.repeat(256) })), 'HUB_ERR_INGEST_LOG_BAD_BATCH');
    assert.equal(code(() => validateBatch({ ...batch, records: [batch.records[1]!, batch.records[0]!] })), 'HUB_ERR_INGEST_LOG_BAD_BATCH');
    assert.equal(code(() => validateBatch({ ...batch, records: [{ ...batch.records[0]!, seq: 1.5 }] })), 'HUB_ERR_INGEST_LOG_BAD_BATCH');
    assert.equal(code(() => validateBatch(batch)), 'no error');
  });
});
