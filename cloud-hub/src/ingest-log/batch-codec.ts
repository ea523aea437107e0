import { HubError } from '../errors.js';
import type { IncomingRecord } from '../store/hub-store.js';
import type { LogBatch } from './ingest-log.js';

/**
 * The value of an ingest-log message, version 1 (big-endian):
 *   u8 version, u8 flags (bit 0: session clock trusted), f64 nowMs, f64 clockToleranceMs,
 *   u16 gateway id length, gateway id (UTF-8), u32 record count,
 *   per record: f64 seq, i32 data class, f64 hlc wall ms, u32 hlc logical, u32 payload length, payload.
 * Binary rather than JSON: payloads stay as the gateway sent them, with no base64 and no re-parse.
 */
export const BATCH_CODEC_VERSION = 1;

const HEADER_BYTES = 1 + 1 + 8 + 8 + 2;
const RECORD_HEADER_BYTES = 8 + 4 + 8 + 4 + 4;
const MAX_GATEWAY_ID_BYTES = 255;
/** A batch is bounded by the sync service's maxBatchBytes (at most 64 MiB), so this only stops nonsense. */
const MAX_RECORDS = 1_000_000;

const bad = (detail: string) => new HubError('HUB_ERR_INGEST_LOG_BAD_BATCH', detail);

/** Check what an append may log: one gateway, at least one record, sequences strictly ascending. */
export function validateBatch(batch: LogBatch): void {
  if (typeof batch.gatewayId !== 'string' || batch.gatewayId.length === 0) throw bad('gateway id is empty');
  if (Buffer.byteLength(batch.gatewayId) > MAX_GATEWAY_ID_BYTES) throw bad(`gateway id longer than ${MAX_GATEWAY_ID_BYTES} bytes`);
  if (batch.records.length === 0) throw bad(`batch of ${batch.gatewayId} has no records`);
  if (batch.records.length > MAX_RECORDS) throw bad(`batch of ${batch.gatewayId} has more than ${MAX_RECORDS} records`);
  let previous = 0;
  for (const r of batch.records) {
    if (!Number.isSafeInteger(r.seq) || r.seq <= previous) throw bad(`batch of ${batch.gatewayId}: seq ${r.seq} does not follow ${previous}`);
    previous = r.seq;
  }
}

export function encodeBatch(batch: LogBatch): Buffer {
  const id = Buffer.from(batch.gatewayId, 'utf8');
  let size = HEADER_BYTES + id.length + 4;
  for (const r of batch.records) size += RECORD_HEADER_BYTES + r.payload.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt8(BATCH_CODEC_VERSION, 0);
  at = out.writeUInt8(batch.context.sessionClockTrusted ? 1 : 0, at);
  at = out.writeDoubleBE(batch.context.nowMs, at);
  at = out.writeDoubleBE(batch.context.clockToleranceMs, at);
  at = out.writeUInt16BE(id.length, at);
  at += id.copy(out, at);
  at = out.writeUInt32BE(batch.records.length, at);
  for (const r of batch.records) {
    at = out.writeDoubleBE(r.seq, at);
    at = out.writeInt32BE(r.dataClass, at);
    at = out.writeDoubleBE(r.hlcWallMs, at);
    at = out.writeUInt32BE(r.hlcLogical >>> 0, at);
    at = out.writeUInt32BE(r.payload.length, at);
    at += r.payload.copy(out, at);
  }
  return out;
}

const corrupt = (detail: string) => new HubError('HUB_ERR_INGEST_LOG_DECODE', detail);

/** Decode a message value; throws HUB_ERR_INGEST_LOG_DECODE on anything that is not a whole v1 batch. */
export function decodeBatch(value: Buffer | null | undefined): LogBatch {
  if (!value || value.length < HEADER_BYTES + 4) throw corrupt(`message of ${value?.length ?? 0} bytes is shorter than a batch header`);
  const version = value.readUInt8(0);
  if (version !== BATCH_CODEC_VERSION) throw corrupt(`batch codec version ${version}; this hub reads ${BATCH_CODEC_VERSION}`);
  const flags = value.readUInt8(1);
  const nowMs = value.readDoubleBE(2);
  const clockToleranceMs = value.readDoubleBE(10);
  const idLength = value.readUInt16BE(18);
  let at = HEADER_BYTES;
  if (at + idLength + 4 > value.length) throw corrupt('gateway id runs past the end');
  const gatewayId = value.toString('utf8', at, at + idLength);
  at += idLength;
  const count = value.readUInt32BE(at);
  at += 4;
  if (count === 0 || count > MAX_RECORDS || count * RECORD_HEADER_BYTES > value.length - at) throw corrupt(`record count ${count} does not fit the message`);
  const records: IncomingRecord[] = new Array<IncomingRecord>(count);
  for (let i = 0; i < count; i++) {
    if (at + RECORD_HEADER_BYTES > value.length) throw corrupt(`record ${i} runs past the end`);
    const seq = value.readDoubleBE(at);
    const dataClass = value.readInt32BE(at + 8);
    const hlcWallMs = value.readDoubleBE(at + 12);
    const hlcLogical = value.readUInt32BE(at + 20);
    const length = value.readUInt32BE(at + 24);
    at += RECORD_HEADER_BYTES;
    if (at + length > value.length) throw corrupt(`payload of record ${i} runs past the end`);
    // A copy, so a consumer's fetch buffer is not kept alive by the records of one batch.
    records[i] = { seq, dataClass, hlcWallMs, hlcLogical, payload: Buffer.from(value.subarray(at, at + length)) };
    at += length;
  }
  if (at !== value.length) throw corrupt(`${value.length - at} bytes after the last record`);
  const batch: LogBatch = { gatewayId, records, context: { sessionClockTrusted: (flags & 1) === 1, nowMs, clockToleranceMs } };
  try {
    validateBatch(batch);
  } catch (err) {
    throw corrupt((err as Error).message);
  }
  return batch;
}
