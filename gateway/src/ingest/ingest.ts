import {
  type DeviceUplinkKind,
  ProtocolError,
  UPLINK_MESSAGE_BY_KIND,
  WIRE_ERRORS,
  type WireErrorCode,
  decodeMessage,
  deviceTopics,
  encodeMessage,
} from '@outpost/protocols';
import { GatewayError } from '../errors.js';
import type { GatewayEvents } from '../observability/gateway-events.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { StoreWriter } from '../store/store-writer.js';
import type { WriteRow } from '../store/write-rows.js';

export interface IngestOptions {
  maxPayloadBytes: number;
  deadLetterPayloadBytes: number;
}

export interface IngestDeps {
  writer: StoreWriter;
  events: GatewayEvents;
  metrics: GatewayMetrics;
  /** Send a message to a device (QoS 0, fire and forget). */
  sendToDevice: (topic: string, payload: Buffer) => void;
  /** Whether a reading with this seq (and ts) is among the device's recent stored ones. */
  storedRecently: (deviceId: string, seq: number, ts: number | null) => boolean;
  /** Adaptive reporting: the predicted rows to store before a device's reading (null: the device reports periodically). */
  adaptive?: {
    rowsFor(deviceId: string, seq: number | null, ts: number, receivedAt: number, metrics: Record<string, number>): WriteRow[] | null;
    writeFailed(deviceId: string, seq: number | null): void;
  };
}

export interface Uplink {
  deviceId: string;
  kind: DeviceUplinkKind;
  topic: string;
  payload: Buffer;
  /** MQTT DUP flag: the client is resending a QoS 1 message whose PUBACK it did not get. */
  dup?: boolean;
}

/** `done(null)`: the message is durable (committed, or dead-lettered and committed). `done(err)`: refuse it, no ack. */
export type IngestDone = (err: GatewayError | null) => void;

/**
 * Validation and durable hand-off of device uplinks. A bad payload is answered on the device's error
 * topic, kept (truncated) in the dead-letter table and counted; the connection stays up, since resending
 * the same bytes cannot help. A full store refuses raw readings without an ack so the device keeps them.
 */
export function createIngest(options: IngestOptions, deps: IngestDeps) {
  const { writer, events, metrics } = deps;
  // Readings with a seq handed to the writer and not yet committed, with the acks of resends waiting on
  // them. Bounded by the writer's queue (ingest.maxQueuedRows): an entry leaves when its row commits.
  const uncommitted = new Map<string, IngestDone[]>();

  /**
   * A resent QoS 1 reading (DUP) that is already stored, or still on its way to the store, is acked without
   * a second row: its ack waits for the first copy's commit. A resend without seq cannot be told from a new
   * reading and is stored (at least once).
   */
  function absorbDuplicate(uplink: Uplink, seq: number, ts: number | null, key: string, done: IngestDone): boolean {
    const waiting = uncommitted.get(key);
    if (waiting) waiting.push(done);
    else if (!deps.storedRecently(uplink.deviceId, seq, ts)) return false;
    else done(null);
    metrics.duplicates.inc();
    events.duplicate(uplink.deviceId, seq);
    return true;
  }

  function tellDevice(deviceId: string, code: WireErrorCode, topic: string, detail: string, seq?: number): void {
    const message = detail.length > 500 ? `${detail.slice(0, 497)}...` : detail;
    const payload = encodeMessage('deviceError', { v: 1, code, num: WIRE_ERRORS[code].num, message, ts: Date.now(), topic, ...(seq !== undefined ? { seq } : {}) });
    deps.sendToDevice(deviceTopics.errors(deviceId), payload);
  }

  function deadLetter(uplink: Uplink, code: WireErrorCode, detail: string, receivedAt: number, done: IngestDone): void {
    events.refused(code, { deviceId: uplink.deviceId, topic: uplink.topic, detail });
    tellDevice(uplink.deviceId, code, uplink.topic, detail);
    const kept = uplink.payload.subarray(0, options.deadLetterPayloadBytes);
    const row: WriteRow = { k: 'deadLetter', deviceId: uplink.deviceId, topic: uplink.topic, code, detail, payload: kept, payloadBytes: uplink.payload.byteLength, receivedAt };
    writer.write(row, (err) => {
      if (!err) metrics.deadLetters.inc();
      done(err);
    });
  }

  function toRow(uplink: Uplink, message: Record<string, unknown>, receivedAt: number): WriteRow {
    const ts = typeof message.ts === 'number' ? message.ts : receivedAt;
    const seq = typeof message.seq === 'number' ? message.seq : null;
    switch (uplink.kind) {
      case 'telemetry':
        return { k: 'reading', deviceId: uplink.deviceId, ts, receivedAt, seq, metrics: JSON.stringify(message.metrics) };
      case 'events':
        return { k: 'event', deviceId: uplink.deviceId, ts, receivedAt, seq, type: String(message.type), severity: String(message.severity), data: message.data ? JSON.stringify(message.data) : null };
      case 'state': {
        const battery = message.battery as { percent: number } | undefined;
        return { k: 'state', deviceId: uplink.deviceId, ts, receivedAt, state: JSON.stringify(message), batteryPercent: battery?.percent ?? null, firmware: (message.firmware as string | undefined) ?? null };
      }
      case 'command-results':
        return { k: 'commandResult', deviceId: uplink.deviceId, commandId: String(message.commandId), receivedAt, status: String(message.status), body: JSON.stringify(message) };
    }
  }

  /** Validate one uplink and write it; `done` runs when the outcome is durable. */
  function handle(uplink: Uplink, done: IngestDone): void {
    const receivedAt = Date.now();
    let message: Record<string, unknown>;
    try {
      message = decodeMessage(UPLINK_MESSAGE_BY_KIND[uplink.kind], uplink.payload, { maxBytes: options.maxPayloadBytes }).message as Record<string, unknown>;
    } catch (err) {
      if (err instanceof ProtocolError) return deadLetter(uplink, err.code, err.message, receivedAt, done);
      throw err;
    }
    if (uplink.kind === 'telemetry' && writer.usage.full) {
      events.refused('E_STORE_FULL', { deviceId: uplink.deviceId, topic: uplink.topic });
      tellDevice(uplink.deviceId, 'E_STORE_FULL', uplink.topic, 'raw readings are refused until space is freed', message.seq as number | undefined);
      return done(new GatewayError('GW_ERR_STORE_FULL', uplink.deviceId, { wireCode: 'E_STORE_FULL' }));
    }
    const seq = uplink.kind === 'telemetry' && typeof message.seq === 'number' ? message.seq : null;
    if (seq === null) {
      const row = toRow(uplink, message, receivedAt);
      const filled = row.k === 'reading' ? deps.adaptive?.rowsFor(uplink.deviceId, null, row.ts, receivedAt, message.metrics as Record<string, number>) : null;
      writer.write(row, (err) => {
        if (!err) metrics.accepted.inc({ kind: uplink.kind });
        else if (filled) deps.adaptive?.writeFailed(uplink.deviceId, null);
        done(err);
      });
      return;
    }
    const ts = typeof message.ts === 'number' ? message.ts : null;
    const key = `${uplink.deviceId}\u0000${seq}\u0000${ts ?? ''}`;
    // Same seq and device timestamp while the first copy is still being committed: a resend, flag or not
    // (MQTT.js, for one, resends without DUP). Against stored readings only DUP resends are looked up.
    if ((uplink.dup || (ts !== null && uncommitted.has(key))) && absorbDuplicate(uplink, seq, ts, key, done)) return;
    const resends: IngestDone[] = [];
    if (!uncommitted.has(key)) uncommitted.set(key, resends);
    const row = toRow(uplink, message, receivedAt);
    // Samples an adaptive device skipped before this one are filled in, in the same transaction: its
    // PUBACK then means the whole reconstructed stream up to here is durable.
    const filled = row.k === 'reading' ? (deps.adaptive?.rowsFor(uplink.deviceId, seq, row.ts, receivedAt, message.metrics as Record<string, number>) ?? null) : null;
    writer.writeAll(filled ? [...filled, row] : [row], (err) => {
      if (uncommitted.get(key) === resends) uncommitted.delete(key);
      if (!err) metrics.accepted.inc({ kind: uplink.kind });
      else if (filled) deps.adaptive?.writeFailed(uplink.deviceId, seq);
      done(err);
      for (const resend of resends) resend(err);
    });
  }

  return { handle, tellDevice };
}

export type Ingest = ReturnType<typeof createIngest>;
