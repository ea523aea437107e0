import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GatewayError } from '../errors.js';
import { type Db, migrate, openDatabase, storeFile } from './database.js';
import { StoreWriter, type StoreWriterHooks, type StoreWriterOptions, type WriteDone } from './store-writer.js';
import type { WriteRow } from './write-rows.js';

const root = mkdtempSync(join(tmpdir(), 'outpost-writer-'));
after(() => rmSync(root, { recursive: true, force: true }));

let storeCount = 0;

/** A migrated store in its own directory, a read-only connection to it, and a writer thread on it. */
async function openStore(options: Partial<StoreWriterOptions> = {}, hooks: StoreWriterHooks = {}): Promise<{ writer: StoreWriter; reader: Db; file: string }> {
  const file = storeFile(join(root, `store-${++storeCount}`));
  const db = openDatabase(file, { synchronous: 'full' });
  migrate(db);
  db.close();
  const writer = await StoreWriter.start(
    {
      file,
      synchronous: 'full',
      maxBytes: 1024 ** 3,
      maxAgeMs: 365 * 86_400_000,
      retentionIntervalMs: 3_600_000,
      deadLetterMaxRows: 1000,
      batchMaxRows: 2000,
      batchMaxDelayMs: 5,
      maxQueuedRows: 50_000,
      ...options,
    },
    hooks,
  );
  return { writer, reader: openDatabase(file, { synchronous: 'full', readonly: true }), file };
}

function reading(deviceId: string, seq: number): WriteRow {
  const now = Date.now();
  return { k: 'reading', deviceId, ts: now, receivedAt: now, seq, metrics: JSON.stringify({ temperature: seq }) };
}

/** A `done` callback and a promise of its (first) result. */
function doneProbe(): { done: WriteDone; result: Promise<GatewayError | null> } {
  let done!: WriteDone;
  const result = new Promise<GatewayError | null>((resolve) => (done = resolve));
  return { done, result };
}

const countReadings = (db: Db, deviceId?: string): number =>
  (deviceId === undefined ? db.prepare('SELECT COUNT(*) FROM readings').pluck().get() : db.prepare('SELECT COUNT(*) FROM readings WHERE device_id = ?').pluck().get(deviceId)) as number;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('StoreWriter', () => {
  test('checkpoint after flush: the main database file alone holds every committed row, the WAL is emptied', async () => {
    const { writer, reader, file } = await openStore();
    const dones = Array.from({ length: 500 }, (_, i) => {
      const probe = doneProbe();
      writer.write(reading('wal-1', i), probe.done);
      return probe.result;
    });
    await writer.flush();
    assert.deepEqual(new Set(await Promise.all(dones)), new Set([null]));
    reader.close(); // an open read transaction is the one thing that can keep a checkpoint from finishing
    const result = await writer.checkpoint();
    assert.equal(result.busy, false);
    assert.ok(result.walBytesBefore > 0, 'the rows were in the WAL');
    assert.equal(result.walBytesAfter, 0);
    assert.equal(statSync(`${file}-wal`).size, 0, 'TRUNCATE empties the WAL file');
    // Copy the main file alone, as if the WAL had been lost with the power: every row is in it.
    const copy = join(root, `copy-${storeCount}.sqlite`);
    copyFileSync(file, copy);
    const alone = openDatabase(copy, { synchronous: 'full', readonly: true });
    assert.equal(countReadings(alone, 'wal-1'), 500);
    alone.close();
    await writer.close();
  });

  test('a row is readable from another connection when its done runs', async () => {
    const { writer, reader } = await openStore();
    const visible = reader.prepare('SELECT COUNT(*) FROM readings WHERE device_id = ? AND seq = ?').pluck();
    const seen: Promise<number>[] = [];
    for (let round = 0; round < 5; round++) {
      for (let seq = 0; seq < 20; seq++) {
        const deviceId = `dev-${round}`;
        seen.push(
          new Promise((resolve, reject) => {
            writer.write(reading(deviceId, seq), (err) => (err ? reject(err) : resolve(visible.get(deviceId, seq) as number)));
          }),
        );
      }
      await nextTurn();
    }
    assert.deepEqual(await Promise.all(seen), Array(100).fill(1));
    await writer.close();
    reader.close();
  });

  test('writeAll: a group commits in one transaction, even past batchMaxRows and behind a full queue, with one done', async () => {
    const batches: WriteRow[][] = [];
    const { writer, reader } = await openStore({ batchMaxRows: 10, maxQueuedRows: 5 }, { onCommit: (rows) => batches.push(rows) });
    const before = doneProbe();
    writer.write(reading('single', 0), before.done);
    for (let i = 1; i < 5; i++) writer.write(reading('single', i), () => {});
    // The queue is full: the group waits outside it, then enters it whole.
    const group = Array.from({ length: 25 }, (_, i) => ({ ...reading('group', i), ...(i < 24 ? { predicted: true as const } : {}) }));
    const probe = doneProbe();
    let calls = 0;
    writer.writeAll(group, (err) => {
      calls++;
      probe.done(err);
    });
    assert.equal(await before.result, null);
    assert.equal(await probe.result, null);
    await writer.flush();
    assert.equal(calls, 1);
    const holding = batches.filter((rows) => rows.some((r) => r.k === 'reading' && r.deviceId === 'group'));
    assert.equal(holding.length, 1, 'one transaction');
    assert.equal(holding[0]!.filter((r) => r.k === 'reading' && r.deviceId === 'group').length, 25);
    assert.equal(reader.prepare("SELECT COUNT(*) FROM readings WHERE device_id = 'group' AND predicted = 1").pluck().get(), 24);
    await writer.close();
    reader.close();
  });

  test('many writes arriving together commit in few transactions', async () => {
    const batches: number[] = [];
    const { writer, reader } = await openStore({ batchMaxRows: 2000 }, { onCommit: (rows) => batches.push(rows.length) });
    const results = Array.from({ length: 1000 }, (_, seq) => {
      const probe = doneProbe();
      writer.write(reading('burst', seq), probe.done);
      return probe.result;
    });
    assert.deepEqual(new Set(await Promise.all(results)), new Set([null]));
    assert.equal(batches.reduce((a, b) => a + b, 0), 1000);
    assert.ok(batches.length <= 2, `1000 rows written in one turn took ${batches.length} transactions`);
    assert.equal(countReadings(reader), 1000);
    await writer.close();
    reader.close();
  });

  test('a full batch leaves without waiting for the rest', async () => {
    const batches: number[] = [];
    const { writer, reader } = await openStore({ batchMaxRows: 100 }, { onCommit: (rows) => batches.push(rows.length) });
    const results = Array.from({ length: 1000 }, (_, seq) => {
      const probe = doneProbe();
      writer.write(reading('sized', seq), probe.done);
      return probe.result;
    });
    await Promise.all(results);
    assert.equal(batches.reduce((a, b) => a + b, 0), 1000);
    assert.ok(batches.length >= 2, 'batchMaxRows 100 split 1000 rows');
    assert.ok(batches[0]! <= 100, `the first batch left at batchMaxRows (${batches[0]} rows)`);
    await writer.close();
    reader.close();
  });

  test('backpressure: past maxQueuedRows producers wait; nothing is lost, each done runs once and in order', async () => {
    let pausedEvents = 0;
    const { writer, reader } = await openStore({ maxQueuedRows: 10, batchMaxRows: 4 }, { onPaused: () => pausedEvents++ });
    const producers = 5;
    const perProducer = 100;
    const calls = new Map<string, number>();
    const order: number[][] = Array.from({ length: producers }, () => []);
    const errors: GatewayError[] = [];
    let maxQueued = 0;
    let remaining = producers * perProducer;
    const allDone = new Promise<void>((resolve) => {
      for (let seq = 0; seq < perProducer; seq++) {
        for (let p = 0; p < producers; p++) {
          writer.write(reading(`producer-${p}`, seq), (err) => {
            if (err) errors.push(err);
            calls.set(`${p}/${seq}`, (calls.get(`${p}/${seq}`) ?? 0) + 1);
            order[p]!.push(seq);
            maxQueued = Math.max(maxQueued, writer.queuedRows);
            if (--remaining === 0) resolve();
          });
        }
      }
    });
    assert.ok(writer.pausedProducers > 0, 'writes beyond the bound wait outside the queue');
    assert.ok(writer.queuedRows <= 10, `queue holds ${writer.queuedRows} rows, bound is 10`);
    await allDone;
    await writer.close(); // a second call of any done would have happened by now

    assert.ok(pausedEvents > 0);
    assert.deepEqual(errors, []);
    assert.equal(writer.pausedProducers, 0);
    assert.ok(maxQueued <= 10, `queue reached ${maxQueued} rows, bound is 10`);
    assert.equal(calls.size, producers * perProducer);
    assert.deepEqual(new Set(calls.values()), new Set([1]), 'every done ran exactly once');
    for (const seqs of order) assert.deepEqual(seqs, Array.from({ length: perProducer }, (_, i) => i), 'dones run in write order');
    assert.equal(countReadings(reader), producers * perProducer);
    for (let p = 0; p < producers; p++) {
      assert.equal(reader.prepare('SELECT COUNT(DISTINCT seq) FROM readings WHERE device_id = ?').pluck().get(`producer-${p}`), perProducer);
    }
    reader.close();
  });

  test('close() commits everything queued, paused writes included, then refuses writes', async () => {
    const { writer, reader } = await openStore({ maxQueuedRows: 10 });
    const results = Array.from({ length: 300 }, (_, seq) => {
      const probe = doneProbe();
      writer.write(reading('closing', seq), probe.done);
      return probe.result;
    });
    assert.ok(writer.pausedProducers > 0);
    let settled = 0;
    for (const r of results) void r.then(() => settled++);
    await writer.close();
    await nextTurn();
    assert.equal(settled, 300, 'every done ran before close() resolved');
    assert.deepEqual(new Set(await Promise.all(results)), new Set([null]));
    assert.equal(countReadings(reader), 300);

    const late = doneProbe();
    writer.write(reading('closing', 300), late.done);
    assert.equal((await late.result)?.code, 'GW_ERR_STORE_CLOSED');
    await assert.rejects(writer.runRetention(), { code: 'GW_ERR_STORE_CLOSED' });
    reader.close();
  });

  test('a batch that fails reports the error to each of its writes, rolls back, and the writer goes on', async () => {
    let fatal: Error | null = null;
    const { writer, reader } = await openStore({}, { onFatal: (err) => (fatal = err) });
    const results: Promise<GatewayError | null>[] = [];
    for (let seq = 0; seq < 11; seq++) {
      const probe = doneProbe();
      // One row breaks NOT NULL (a device id is required); it shares a transaction with ten good rows.
      const row = seq === 5 ? ({ ...reading('x', seq), deviceId: null } as unknown as WriteRow) : reading('mixed', seq);
      writer.write(row, probe.done);
      results.push(probe.result);
    }
    const errors = await Promise.all(results);
    for (const err of errors) {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, 'GW_ERR_STORE_WRITE');
      assert.equal(err.retryable, true);
      assert.match(err.message, /NOT NULL/);
    }
    assert.equal(countReadings(reader), 0, 'the whole batch was rolled back');

    const next = doneProbe();
    writer.write(reading('after', 0), next.done);
    assert.equal(await next.result, null);
    assert.equal(countReadings(reader, 'after'), 1);
    assert.equal(fatal, null);
    await writer.close();
    reader.close();
  });
});
