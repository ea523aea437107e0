import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Db, migrate, openDatabase, storeFile } from './database.js';
import { createRetention } from './retention.js';
import { StoreWriter } from './store-writer.js';
import type { WriteRow } from './write-rows.js';

const DAY_MS = 86_400_000;
const MIB = 1024 * 1024;

const root = mkdtempSync(join(tmpdir(), 'outpost-retention-'));
after(() => rmSync(root, { recursive: true, force: true }));

let storeCount = 0;
function newStore(): { db: Db; file: string } {
  const file = storeFile(join(root, `store-${++storeCount}`));
  const db = openDatabase(file, { synchronous: 'normal' });
  migrate(db);
  return { db, file };
}

/** Append readings in id order (ids grow with receipt time, as in the gateway). */
function insertReadings(db: Db, count: number, receivedAt: (i: number) => number, metricsBytes = 40): void {
  const insert = db.prepare('INSERT INTO readings (device_id, ts, received_at, seq, metrics) VALUES (?, ?, ?, ?, ?)');
  const padding = 'x'.repeat(metricsBytes);
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(`dev-${i % 7}`, receivedAt(i), receivedAt(i), i, JSON.stringify({ t: i, pad: padding }));
  })();
}

function insertDeadLetters(db: Db, count: number, payloadBytes: number, receivedAt: number): void {
  const insert = db.prepare('INSERT INTO dead_letters (device_id, topic, code, detail, payload, payload_bytes, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run('dev-1', 'outpost/v1/devices/dev-1/telemetry', 'E_SCHEMA', `bad ${i}`, Buffer.alloc(payloadBytes, i % 251), payloadBytes, receivedAt);
  })();
}

const count = (db: Db, table: string): number => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
const idRange = (db: Db) => db.prepare('SELECT MIN(id) AS min, MAX(id) AS max FROM readings').get() as { min: number | null; max: number | null };

describe('retention', () => {
  test('age retention deletes readings older than maxAge and keeps the newer ones', () => {
    const { db } = newStore();
    const now = Date.now();
    insertReadings(db, 12_000, (i) => now - 3 * DAY_MS + i); // more than two deletion chunks
    insertReadings(db, 100, (i) => now - 60_000 + i);
    insertDeadLetters(db, 3, 10, now - 3 * DAY_MS);
    const events = db.prepare("INSERT INTO device_events (device_id, ts, received_at, seq, type, severity) VALUES ('dev-1', ?, ?, NULL, 'boot', 'info')");
    events.run(now - 3 * DAY_MS, now - 3 * DAY_MS);
    events.run(now, now);

    const result = createRetention(db, { maxBytes: 1024 * MIB, maxAgeMs: DAY_MS }).run(now);
    assert.equal(result.deletedByAge, 12_000);
    assert.equal(result.deletedByBudget, 0);
    assert.equal(result.full, false);
    assert.equal(count(db, 'readings'), 100);
    assert.equal(db.prepare('SELECT MIN(received_at) FROM readings').pluck().get(), now - 60_000);
    assert.equal(count(db, 'dead_letters'), 3, 'dead letters have their own bound, not an age');
    assert.equal(count(db, 'device_events'), 1, 'old events go with old readings');
    db.close();
  });

  test('age retention with only a few old readings deletes exactly those', () => {
    const { db } = newStore();
    const now = Date.now();
    insertReadings(db, 3, () => now - 2 * DAY_MS);
    insertReadings(db, 10, () => now);
    const result = createRetention(db, { maxBytes: 1024 * MIB, maxAgeMs: DAY_MS }).run(now);
    assert.equal(result.deletedByAge, 3);
    assert.deepEqual(idRange(db), { min: 4, max: 13 });
    db.close();
  });

  test('budget retention deletes the oldest raw readings first and stops once under the budget', () => {
    const { db } = newStore();
    const now = Date.now();
    const total = 4000;
    insertReadings(db, total, (i) => now - total + i, 400);
    const retention = createRetention(db, { maxBytes: MIB, maxAgeMs: 365 * DAY_MS });
    const before = retention.usage();
    assert.ok(before.usedBytes > 1.3 * MIB, `test setup: ${before.usedBytes} bytes used, want well over 1 MiB`);

    const result = retention.run(now);
    assert.equal(result.deletedByAge, 0);
    assert.ok(result.deletedByBudget > 0);
    assert.ok(result.usedBytes <= MIB, `${result.usedBytes} bytes used after retention, budget ${MIB}`);
    assert.equal(result.full, false);
    const left = count(db, 'readings');
    assert.equal(left, total - result.deletedByBudget);
    assert.ok(left > 0, 'budget retention must not wipe readings the budget did not need gone');
    assert.ok(result.usedBytes >= MIB / 2, `deleted far more than needed: ${result.usedBytes} bytes left of a ${MIB} budget`);
    assert.deepEqual(idRange(db), { min: result.deletedByBudget + 1, max: total }, 'the oldest went, the newest stayed');
    db.close();
  });

  test('the store is full when the budget cannot be met and no readings are left to delete', () => {
    const { db } = newStore();
    const now = Date.now();
    insertReadings(db, 50, (i) => now - 1000 + i);
    insertDeadLetters(db, 700, 2048, now); // dead letters alone are over the budget
    const retention = createRetention(db, { maxBytes: MIB, maxAgeMs: 365 * DAY_MS });

    const result = retention.run(now);
    assert.equal(result.deletedByBudget, 50, 'every raw reading went first');
    assert.equal(result.full, true);
    assert.ok(result.usedBytes > MIB);
    assert.equal(retention.usage().full, true);
    assert.equal(count(db, 'dead_letters'), 700, 'budget retention deletes raw readings only');

    db.prepare('DELETE FROM dead_letters').run();
    assert.equal(retention.run(now).full, false, 'full clears once space is back');
    db.close();
  });

  test('the dead-letter table stays at deadLetterMaxRows, dropping the oldest', async () => {
    const { db, file } = newStore();
    const writer = await StoreWriter.start({
      file,
      synchronous: 'normal',
      maxBytes: 1024 * MIB,
      maxAgeMs: 365 * DAY_MS,
      retentionIntervalMs: 3_600_000,
      deadLetterMaxRows: 5,
      batchMaxRows: 3,
      batchMaxDelayMs: 1,
      maxQueuedRows: 100,
    });
    const deadLetter = (i: number): WriteRow => ({
      k: 'deadLetter',
      deviceId: i % 2 ? 'dev-1' : null,
      topic: 'outpost/v1/devices/dev-1/telemetry',
      code: 'E_SCHEMA',
      detail: `bad ${i}`,
      payload: new Uint8Array([i]),
      payloadBytes: 1,
      receivedAt: Date.now(),
    });
    const write = (row: WriteRow) => new Promise<void>((resolve, reject) => writer.write(row, (err) => (err ? reject(err) : resolve())));
    await write(deadLetter(0)); // a batch of one, well under the bound
    await Promise.all(Array.from({ length: 12 }, (_, i) => write(deadLetter(i + 1)))); // several batches at once
    await write({ k: 'reading', deviceId: 'dev-1', ts: 1, receivedAt: 1, seq: 1, metrics: '{}' });
    await write(deadLetter(13));
    await writer.close();

    assert.equal(count(db, 'dead_letters'), 5);
    const kept = db.prepare('SELECT detail FROM dead_letters ORDER BY id').pluck().all();
    assert.deepEqual(kept, ['bad 9', 'bad 10', 'bad 11', 'bad 12', 'bad 13']);
    assert.equal(count(db, 'readings'), 1, 'trimming dead letters leaves readings alone');
    db.close();
  });
});
