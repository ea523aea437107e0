// The store's single writer, in its own thread so that fsync never blocks the broker's event loop.
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.js';
import { createBatteryHistoryWriter } from '../power/battery-history.js';
import { createDeviceStatePower } from '../power/device-state-power.js';
import { createRetention } from './retention.js';
import { createOutboxCompaction } from '../sync/outbox/outbox-compaction.js';
import { createOutboxStore } from '../sync/outbox/outbox-store.js';
import { createPersistedHlc } from '../sync/outbox/persisted-hlc.js';
import { syncPayloadOf } from '../sync/outbox/sync-payloads.js';
import type { OutboxOp, WriteRow, WriterOptions, WriterRequest, WriterResponse } from './write-rows.js';

const options = workerData as WriterOptions;
const port = parentPort!;
const db = openDatabase(options.file, { synchronous: options.synchronous });

const insert = {
  reading: db.prepare('INSERT INTO readings (device_id, ts, received_at, seq, metrics, predicted) VALUES (?, ?, ?, ?, ?, ?)'),
  event: db.prepare('INSERT INTO device_events (device_id, ts, received_at, seq, type, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  state: db.prepare(
    'INSERT INTO device_state (device_id, ts, received_at, state) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET ts = excluded.ts, received_at = excluded.received_at, state = excluded.state',
  ),
  battery: db.prepare('UPDATE devices SET battery_percent = COALESCE(?, battery_percent), firmware = COALESCE(?, firmware) WHERE id = ?'),
  commandResult: db.prepare('INSERT INTO command_results (device_id, command_id, received_at, status, body) VALUES (?, ?, ?, ?, ?)'),
  deadLetter: db.prepare('INSERT INTO dead_letters (device_id, topic, code, detail, payload, payload_bytes, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  summaryPartial: db.prepare(
    'INSERT OR REPLACE INTO summary_partials (device_id, metric, window_start, count, min, max, mean, m2, last, predicted_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  alert: db.prepare('INSERT OR IGNORE INTO alerts (alert_id, device_id, ts, received_at, severity, body) VALUES (?, ?, ?, ?, ?, ?)'),
};
const trimDeadLetters = db.prepare('DELETE FROM dead_letters WHERE id <= ?');
const batteryHistory = createBatteryHistoryWriter(db);
const deviceStatePower = createDeviceStatePower(db);

const hlc = createPersistedHlc(db);
const outbox = createOutboxStore(db, hlc);
const retention = createRetention(db, options, createOutboxCompaction(db, outbox.compacted));

let readingIds: number[] = [];

function writeRow(row: WriteRow): number {
  switch (row.k) {
    case 'reading':
      readingIds.push(Number(insert.reading.run(row.deviceId, row.ts, row.receivedAt, row.seq, row.metrics, row.predicted ? 1 : 0).lastInsertRowid));
      // The hub gets what devices sent; what the gateway filled in reaches it as summaries' predictedCount.
      if (options.syncRawReadings && !row.predicted) outbox.enqueue('rawReading', syncPayloadOf(row), { createdAt: row.receivedAt, deviceId: row.deviceId });
      return 0;
    case 'event':
      insert.event.run(row.deviceId, row.ts, row.receivedAt, row.seq, row.type, row.severity, row.data);
      outbox.enqueue('event', syncPayloadOf(row), { createdAt: row.receivedAt, deviceId: row.deviceId });
      return 0;
    case 'state':
      insert.state.run(row.deviceId, row.ts, row.receivedAt, row.state);
      if (row.batteryPercent !== null || row.firmware !== null) insert.battery.run(row.batteryPercent, row.firmware, row.deviceId);
      if (row.batteryPercent !== null && batteryHistory.add(row.deviceId, row.ts, row.batteryPercent)) deviceStatePower.batteryPointAdded(row.deviceId);
      // The hub's console shows the battery forecast and adaptive reporting: they travel with the state.
      outbox.enqueue('deviceState', deviceStatePower.addTo(syncPayloadOf(row), row.deviceId), { createdAt: row.receivedAt, deviceId: row.deviceId });
      return 0;
    case 'commandResult':
      insert.commandResult.run(row.deviceId, row.commandId, row.receivedAt, row.status, row.body);
      outbox.enqueue('commandResult', syncPayloadOf(row), { createdAt: row.receivedAt, deviceId: row.deviceId });
      return 0;
    case 'deadLetter':
      return Number(insert.deadLetter.run(row.deviceId, row.topic, row.code, row.detail, Buffer.from(row.payload), row.payloadBytes, row.receivedAt).lastInsertRowid);
    case 'alert':
      // The alert id dedupes a republished alert: it reaches the outbox once.
      if (insert.alert.run(row.alertId, row.deviceId, row.ts, row.receivedAt, row.severity, row.body).changes > 0) {
        outbox.enqueue('alert', row.body, { createdAt: row.receivedAt, deviceId: row.deviceId });
      }
      return 0;
    case 'summary':
      outbox.enqueue('summary', row.payload, { createdAt: row.createdAt, deviceId: row.deviceId, metric: row.metric, windowStart: row.windowStartMs, windowMs: row.windowMs, m2: row.m2 });
      return 0;
    case 'summaryPartial':
      insert.summaryPartial.run(row.deviceId, row.metric, row.windowStartMs, row.count, row.min, row.max, row.mean, row.m2, row.last, row.predictedCount);
      return 0;
  }
}

const writeBatch = db.transaction((rows: WriteRow[]): number => {
  let lastDeadLetter = 0;
  for (const row of rows) lastDeadLetter = Math.max(lastDeadLetter, writeRow(row));
  // Dead letters are bounded: drop the oldest beyond the limit (stated policy: drop oldest).
  if (lastDeadLetter > options.deadLetterMaxRows) trimDeadLetters.run(lastDeadLetter - options.deadLetterMaxRows);
  return outbox.flush();
});

const hlcReceive = db.transaction((remote: { wallMs: number; logical: number }) => {
  const stamp = hlc.receive(remote);
  hlc.save();
  return stamp;
});

function outboxCall(call: OutboxOp): unknown {
  switch (call.op) {
    case 'nextBatch':
      return outbox.nextBatch(call.request);
    case 'ack':
      return outbox.ack(call.seq);
    case 'stats':
      return outbox.stats();
    case 'backlog':
      return outbox.backlog();
    case 'hlcNow':
      return hlc.last;
    case 'hlcReceive':
      return hlcReceive(call.remote);
  }
}

function walBytes(): number {
  try {
    return statSync(`${options.file}-wal`).size;
  } catch {
    return 0; // no WAL file: nothing to checkpoint
  }
}

function send(message: WriterResponse): void {
  port.postMessage(message);
}

function runRetention(id: number | null): void {
  send({ type: 'retention', id, result: retention.run(Date.now()) });
}

const timer = setInterval(() => runRetention(null), options.retentionIntervalMs);

port.on('message', (request: WriterRequest) => {
  switch (request.type) {
    case 'batch': {
      const started = performance.now();
      let outboxAdded: number;
      readingIds = [];
      try {
        outboxAdded = writeBatch(request.rows);
      } catch (err) {
        outbox.discard();
        send({ type: 'failed', id: request.id, message: (err as Error).message });
        return;
      }
      let usage = retention.usage();
      // Over budget: make room right away instead of waiting for the next retention tick.
      if (usage.usedBytes > usage.maxBytes) usage = retention.run(Date.now());
      send({ type: 'committed', id: request.id, usage, commitMs: performance.now() - started, outboxAdded, readingIds });
      return;
    }
    case 'outbox':
      try {
        send({ type: 'outbox', id: request.id, ok: true, value: outboxCall(request.call) });
      } catch (err) {
        send({ type: 'outbox', id: request.id, ok: false, message: (err as Error).message });
      }
      return;
    case 'retention':
      runRetention(request.id);
      return;
    case 'checkpoint':
      // Between write batches: everything committed so far moves into the main file and the WAL is emptied.
      try {
        const walBytesBefore = walBytes();
        const row = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
        send({ type: 'checkpoint', id: request.id, ok: true, result: { busy: (row[0]?.busy ?? 0) !== 0, walBytesBefore, walBytesAfter: walBytes() } });
      } catch (err) {
        send({ type: 'checkpoint', id: request.id, ok: false, message: (err as Error).message });
      }
      return;
    case 'close':
      clearInterval(timer);
      db.close();
      send({ type: 'closed' });
      port.close();
      return;
  }
});

send({ type: 'ready' });
