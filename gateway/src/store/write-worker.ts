// The store's single writer, in its own thread so that fsync never blocks the broker's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.js';
import { createRetention } from './retention.js';
import type { WriteRow, WriterOptions, WriterRequest, WriterResponse } from './write-rows.js';

const options = workerData as WriterOptions;
const port = parentPort!;
const db = openDatabase(options.file, { synchronous: options.synchronous });

const insert = {
  reading: db.prepare('INSERT INTO readings (device_id, ts, received_at, seq, metrics) VALUES (?, ?, ?, ?, ?)'),
  event: db.prepare('INSERT INTO device_events (device_id, ts, received_at, seq, type, severity, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  state: db.prepare(
    'INSERT INTO device_state (device_id, ts, received_at, state) VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET ts = excluded.ts, received_at = excluded.received_at, state = excluded.state',
  ),
  battery: db.prepare('UPDATE devices SET battery_percent = COALESCE(?, battery_percent), firmware = COALESCE(?, firmware) WHERE id = ?'),
  commandResult: db.prepare('INSERT INTO command_results (device_id, command_id, received_at, status, body) VALUES (?, ?, ?, ?, ?)'),
  deadLetter: db.prepare('INSERT INTO dead_letters (device_id, topic, code, detail, payload, payload_bytes, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
};
const trimDeadLetters = db.prepare('DELETE FROM dead_letters WHERE id <= ?');

const retention = createRetention(db, options);

function writeRow(row: WriteRow): number {
  switch (row.k) {
    case 'reading':
      insert.reading.run(row.deviceId, row.ts, row.receivedAt, row.seq, row.metrics);
      return 0;
    case 'event':
      insert.event.run(row.deviceId, row.ts, row.receivedAt, row.seq, row.type, row.severity, row.data);
      return 0;
    case 'state':
      insert.state.run(row.deviceId, row.ts, row.receivedAt, row.state);
      if (row.batteryPercent !== null || row.firmware !== null) insert.battery.run(row.batteryPercent, row.firmware, row.deviceId);
      return 0;
    case 'commandResult':
      insert.commandResult.run(row.deviceId, row.commandId, row.receivedAt, row.status, row.body);
      return 0;
    case 'deadLetter':
      return Number(insert.deadLetter.run(row.deviceId, row.topic, row.code, row.detail, Buffer.from(row.payload), row.payloadBytes, row.receivedAt).lastInsertRowid);
  }
}

const writeBatch = db.transaction((rows: WriteRow[]) => {
  let lastDeadLetter = 0;
  for (const row of rows) lastDeadLetter = Math.max(lastDeadLetter, writeRow(row));
  // Dead letters are bounded: drop the oldest beyond the limit (stated policy: drop oldest).
  if (lastDeadLetter > options.deadLetterMaxRows) trimDeadLetters.run(lastDeadLetter - options.deadLetterMaxRows);
});

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
      try {
        writeBatch(request.rows);
      } catch (err) {
        send({ type: 'failed', id: request.id, message: (err as Error).message });
        return;
      }
      let usage = retention.usage();
      // Over budget: make room right away instead of waiting for the next retention tick.
      if (usage.usedBytes > usage.maxBytes) usage = retention.run(Date.now());
      send({ type: 'committed', id: request.id, usage, commitMs: performance.now() - started });
      return;
    }
    case 'retention':
      runRetention(request.id);
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
