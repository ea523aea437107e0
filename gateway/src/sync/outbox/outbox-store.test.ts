import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DATA_CLASSES, type DataClass, syncPayloadSchemas } from '@outpost/protocols';
import { type Db, migrate, openDatabase, storeFile } from '../../store/database.js';
import { createRetention } from '../../store/retention.js';
import { mergeStats, startStats, addValue, stddevOf } from '../summaries/summary-stats.js';
import { createOutboxCompaction } from './outbox-compaction.js';
import { createOutboxStore } from './outbox-store.js';
import { createPersistedHlc } from './persisted-hlc.js';

const root = mkdtempSync(join(tmpdir(), 'outpost-outbox-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function newOutbox(clock: () => number = Date.now) {
  const file = storeFile(join(root, `s-${++n}`));
  const db = openDatabase(file, { synchronous: 'normal' });
  migrate(db);
  const hlc = createPersistedHlc(db, clock);
  const outbox = createOutboxStore(db, hlc);
  const compaction = createOutboxCompaction(db, outbox.compacted);
  return { db, file, hlc, outbox, compaction };
}

const T0 = Date.UTC(2026, 0, 1);
const alert = (i: number) => ({ v: 1, alertId: `a-${i}`, deviceId: 'd1', ts: T0 + i, source: 'rule', kind: 'threshold', severity: 'critical', score: 1, threshold: 0.5 });
const state = (device: string, i: number) => ({ v: 1, deviceId: device, ts: T0 + i, state: { reported: { i } } });
const event = (i: number) => ({ v: 1, deviceId: 'd1', ts: T0 + i, type: 'door', severity: 'info' });
const raw = (i: number) => ({ v: 1, deviceId: 'd1', ts: T0 + i, seq: i, metrics: { t: i, pad: 0.123456789 } });

function summary(device: string, metric: string, minute: number, values: number[]) {
  const s = startStats(values[0]!);
  for (const v of values.slice(1)) addValue(s, v);
  const payload = { v: 1, deviceId: device, metric, windowStartMs: T0 + minute * 60_000, windowMs: 60_000, count: s.count, min: s.min, max: s.max, mean: s.mean, last: s.last, stddev: stddevOf(s), predictedCount: 0 };
  return { payload, m2: s.m2, stats: s };
}

function tx(db: Db, fn: () => void) {
  db.transaction(fn)();
}

describe('outbox sequencing', () => {
  test('a priority cut-off defers the bulk classes: they stay unsequenced, and go once the cut-off is lifted', () => {
    const { db, outbox } = newOutbox();
    tx(db, () => {
      for (let i = 0; i < 3; i++) outbox.enqueue('rawReading', raw(i), { createdAt: T0 + i });
      outbox.enqueue('summary', summary('d1', 't', 0, [1]).payload, { createdAt: T0 + 3 });
      outbox.enqueue('event', event(4), { createdAt: T0 + 4 });
      outbox.enqueue('alert', alert(5), { createdAt: T0 + 5 });
      outbox.flush();
    });
    const eventPriority = DATA_CLASSES.event.priority;
    const saver = outbox.nextBatch({ fromSeq: 1, maxRecords: 100, maxBytes: 1 << 20, maxPriority: eventPriority });
    assert.deepEqual(saver.map((r) => [r.seq, r.dataClass]), [[1, 'alert'], [2, 'event']]);
    assert.deepEqual(outbox.nextBatch({ fromSeq: 3, maxRecords: 100, maxBytes: 1 << 20, maxPriority: eventPriority }), [], 'nothing else is eligible');
    assert.deepEqual(outbox.nextBatch({ fromSeq: 3, maxRecords: 100, maxBytes: 1 << 20, maxPriority: DATA_CLASSES.alert.priority }), [], 'alerts only');
    const stats = outbox.stats();
    assert.equal(stats.classes.rawReading.records, 3, 'raw readings wait, unsequenced');
    assert.equal(stats.lastSeq, 2);
    // A resend after a reconnect ignores the cut-off: sequenced records go in seq order whatever their class.
    assert.deepEqual(outbox.nextBatch({ fromSeq: 1, maxRecords: 100, maxBytes: 1 << 20, maxPriority: DATA_CLASSES.alert.priority }).map((r) => r.seq), [1, 2]);
    const rest = outbox.nextBatch({ fromSeq: 3, maxRecords: 100, maxBytes: 1 << 20 });
    assert.deepEqual(rest.map((r) => [r.seq, r.dataClass]), [[3, 'summary'], [4, 'rawReading'], [5, 'rawReading'], [6, 'rawReading']]);
  });

  test('sequencing takes records by class priority then age, contiguous from 1, and resends keep their seq', () => {
    const { db, outbox } = newOutbox();
    tx(db, () => {
      for (let i = 0; i < 3; i++) outbox.enqueue('rawReading', raw(i), { createdAt: T0 + i });
      outbox.enqueue('summary', summary('d1', 't', 0, [1]).payload, { createdAt: T0 + 3 });
      outbox.enqueue('event', event(4), { createdAt: T0 + 4 });
      outbox.enqueue('deviceState', state('d1', 5), { createdAt: T0 + 5 });
      outbox.enqueue('alert', alert(6), { createdAt: T0 + 6 });
      outbox.flush();
    });
    const first = outbox.nextBatch({ fromSeq: 1, maxRecords: 4, maxBytes: 1 << 20 });
    assert.deepEqual(
      first.map((r) => [r.seq, r.dataClass]),
      [
        [1, 'alert'],
        [2, 'deviceState'],
        [3, 'event'],
        [4, 'summary'],
      ],
    );
    // A new alert arrives while raw readings still wait: it jumps them.
    tx(db, () => {
      outbox.enqueue('alert', alert(7), { createdAt: T0 + 7 });
      outbox.flush();
    });
    const second = outbox.nextBatch({ fromSeq: 5, maxRecords: 2, maxBytes: 1 << 20 });
    assert.deepEqual(
      second.map((r) => [r.seq, r.dataClass]),
      [
        [5, 'alert'],
        [6, 'rawReading'],
      ],
    );
    // After a reconnect with Welcome.acked_seq = 2, the resend starts at 3 with the same seqs and payloads.
    outbox.ack(2);
    const resend = outbox.nextBatch({ fromSeq: 3, maxRecords: 100, maxBytes: 1 << 20 });
    assert.deepEqual(
      resend.map((r) => r.seq),
      [3, 4, 5, 6],
    );
    assert.deepEqual(resend[0], first[2]);
    const stats = outbox.stats();
    assert.equal(stats.ackedSeq, 2);
    assert.equal(stats.lastSeq, 6);
    assert.equal(stats.unacked, 4);
    assert.equal(stats.classes.rawReading.records, 3);
    assert.equal(stats.sequenced.alert, 2);
    assert.equal(stats.enqueued.alert, 2);
    for (const r of [...first, ...second]) assert.ok(syncPayloadSchemas[r.dataClass].safeParse(JSON.parse(r.payload)).success, `${r.dataClass} payload fits its schema`);
    db.close();
  });

  test('the byte limit cuts a batch, but a single large record still goes', () => {
    const { db, outbox } = newOutbox();
    tx(db, () => {
      for (let i = 0; i < 10; i++) outbox.enqueue('event', { ...event(i), data: { pad: 'x'.repeat(1000) } }, { createdAt: T0 });
      outbox.flush();
    });
    assert.equal(outbox.nextBatch({ fromSeq: 1, maxRecords: 100, maxBytes: 3000 }).length, 2);
    assert.equal(outbox.nextBatch({ fromSeq: 3, maxRecords: 100, maxBytes: 10 }).length, 1);
    db.close();
  });

  test('an ack beyond what was sent (hub ahead, gateway restored from a backup) moves next_seq past it', () => {
    const { db, outbox } = newOutbox();
    tx(db, () => {
      outbox.enqueue('alert', alert(1), { createdAt: T0 });
      outbox.flush();
    });
    assert.deepEqual(outbox.ack(40), { ackedSeq: 40, lastSeq: 40, skippedTo: 41 });
    assert.equal(outbox.nextBatch({ fromSeq: 41, maxRecords: 10, maxBytes: 1 << 20 })[0]!.seq, 41);
    db.close();
  });
});

describe('HLC persistence', () => {
  test('a restart with the wall clock in 1970 still produces increasing HLC timestamps', () => {
    const file = storeFile(join(root, `hlc-${++n}`));
    let db = openDatabase(file, { synchronous: 'normal' });
    migrate(db);
    let hlc = createPersistedHlc(db, () => Date.UTC(2026, 5, 1));
    const before = db.transaction(() => {
      const t = hlc.now();
      hlc.save();
      return t;
    })();
    db.close();
    db = openDatabase(file, { synchronous: 'normal' });
    hlc = createPersistedHlc(db, () => 5_000); // 1970
    const after1 = hlc.now();
    const after2 = hlc.now();
    assert.ok(after1.wallMs > before.wallMs || (after1.wallMs === before.wallMs && after1.logical > before.logical), 'after the restart');
    assert.ok(after2.wallMs === after1.wallMs && after2.logical === after1.logical + 1);
    // The hub's time moves the clock forward to it.
    const merged = hlc.receive({ wallMs: Date.UTC(2026, 6, 1), logical: 0 });
    assert.equal(merged.wallMs, Date.UTC(2026, 6, 1));
    db.close();
  });
});

describe('compaction and the shared disk budget', () => {
  test('summaries roll up 1 min → 15 min → 1 h with exact statistics, keeping their place in the queue', () => {
    const { db, outbox, compaction } = newOutbox();
    const parts = Array.from({ length: 30 }, (_, m) => summary('d1', 't', m, [m, m * 2, m * 3 + 0.5]));
    tx(db, () => {
      outbox.enqueue('event', event(0), { createdAt: T0 });
      for (const p of parts) outbox.enqueue('summary', p.payload, { createdAt: T0, deviceId: 'd1', metric: 't', windowStart: p.payload.windowStartMs, windowMs: 60_000, m2: p.m2 });
      outbox.flush();
    });
    // Sequence the first 1-minute summary: it must never be compacted.
    const [sent] = outbox.nextBatch({ fromSeq: 1, maxRecords: 2, maxBytes: 1 << 20 }).slice(1);
    assert.equal(sent!.dataClass, 'summary');
    tx(db, () => void compaction.compactSummaries(5000));
    const quarters = db.prepare("SELECT window_ms, payload FROM outbox WHERE class = 'summary' ORDER BY id").all() as { window_ms: number; payload: string }[];
    assert.deepEqual(
      quarters.map((q) => q.window_ms),
      [900_000, 900_000],
    );
    const firstQuarter = JSON.parse(quarters[0]!.payload);
    const expected = mergeStats(parts.slice(1, 15).map((p) => p.stats));
    assert.equal(firstQuarter.count, expected.count);
    assert.equal(firstQuarter.min, expected.min);
    assert.equal(firstQuarter.max, expected.max);
    assert.equal(firstQuarter.last, expected.last);
    assert.ok(Math.abs(firstQuarter.mean - expected.mean) < 1e-9);
    assert.ok(Math.abs(firstQuarter.stddev - stddevOf(expected)) < 1e-9);
    assert.ok(summaryPayloadOk(firstQuarter));
    tx(db, () => void compaction.compactSummaries(5000));
    const hours = db.prepare("SELECT payload FROM outbox WHERE class = 'summary'").all() as { payload: string }[];
    assert.equal(hours.length, 1);
    const hour = JSON.parse(hours[0]!.payload);
    const all = mergeStats(parts.slice(1).map((p) => p.stats));
    assert.equal(hour.windowMs, 3_600_000);
    assert.equal(hour.count, all.count);
    assert.ok(Math.abs(hour.stddev - stddevOf(all)) < 1e-9);
    assert.equal(db.prepare('SELECT COUNT(*) FROM send_log').pluck().get(), 2, 'the sequenced summary is untouched');
    db.close();
  });

  test('device state compacts to the latest per device', () => {
    const { db, outbox, compaction } = newOutbox();
    tx(db, () => {
      for (let i = 0; i < 10; i++) outbox.enqueue('deviceState', state(`d${i % 2}`, i), { createdAt: T0 + i, deviceId: `d${i % 2}` });
      outbox.flush();
    });
    tx(db, () => void compaction.compactDeviceState());
    const left = db.prepare("SELECT payload FROM outbox WHERE class = 'deviceState' ORDER BY id").all() as { payload: string }[];
    assert.deepEqual(
      left.map((r) => JSON.parse(r.payload).state.reported.i),
      [8, 9],
    );
    db.close();
  });

  test('under an exhausted budget: raw goes first, then compaction; alerts, command results and sequenced records are never dropped; the store reports full', () => {
    const { db, outbox, compaction } = newOutbox();
    const count = (cls: DataClass) => db.prepare('SELECT COUNT(*) FROM outbox WHERE class = ?').pluck().get(cls) as number;
    tx(db, () => {
      for (let i = 0; i < 3000; i++) outbox.enqueue('alert', { ...alert(i), kind: 'k'.repeat(60) }, { createdAt: T0 + i });
      for (let i = 0; i < 500; i++) outbox.enqueue('commandResult', { v: 1, deviceId: 'd1', commandId: `c-${i}`, status: 'ok' }, { createdAt: T0 + i });
      for (let i = 0; i < 2000; i++) outbox.enqueue('deviceState', state(`d${i % 5}`, i), { createdAt: T0 + i, deviceId: `d${i % 5}` });
      for (let m = 0; m < 600; m++) {
        const s = summary('d1', 't', m, [m, m + 1]);
        outbox.enqueue('summary', s.payload, { createdAt: T0, deviceId: 'd1', metric: 't', windowStart: s.payload.windowStartMs, windowMs: 60_000, m2: s.m2 });
      }
      for (let i = 0; i < 20_000; i++) outbox.enqueue('rawReading', raw(i), { createdAt: T0 + i, deviceId: 'd1' });
      outbox.flush();
    });
    const insertReading = db.prepare('INSERT INTO readings (device_id, ts, received_at, seq, metrics) VALUES (?, ?, ?, ?, ?)');
    tx(db, () => {
      for (let i = 0; i < 20_000; i++) insertReading.run('d1', T0 + i, Date.now(), i, JSON.stringify({ t: i, pad: 'x'.repeat(40) }));
    });
    const sentBefore = outbox.nextBatch({ fromSeq: 1, maxRecords: 100, maxBytes: 1 << 20 }).length;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const used = ((db.prepare('PRAGMA page_count').pluck().get() as number) - (db.prepare('PRAGMA freelist_count').pluck().get() as number)) * pageSize;

    // A budget below what alerts and command results alone take: everything droppable must go.
    const retention = createRetention(db, { maxBytes: Math.floor(used * 0.05), maxAgeMs: 365 * 86_400_000 }, compaction);
    const result = retention.run(Date.now());
    assert.equal(db.prepare('SELECT COUNT(*) FROM readings').pluck().get(), 0, 'raw readings are gone first');
    assert.equal(count('rawReading'), 0);
    assert.equal(count('alert') + 100, 3000, 'every alert is still there (100 were sequenced)');
    assert.equal(count('commandResult'), 500);
    assert.equal(db.prepare('SELECT COUNT(*) FROM send_log').pluck().get(), sentBefore, 'sequenced records are untouched');
    assert.ok(outbox.compacted.summariesMerged > 0, 'summaries were rolled up');
    assert.ok(count('deviceState') <= 5, 'device state is down to the latest per device');
    assert.equal(count('event'), 0);
    assert.ok(result.outboxCompacted > 0);
    assert.equal(result.full, true, 'still over budget: new raw readings are refused');
    db.close();
  });

  test('when alerts alone exceed the budget, the store reports full (raw ingest is refused) and keeps every alert', () => {
    const { db, outbox, compaction } = newOutbox();
    tx(db, () => {
      for (let i = 0; i < 5000; i++) outbox.enqueue('alert', { ...alert(i), kind: 'k'.repeat(60) }, { createdAt: T0 + i });
      outbox.flush();
    });
    const result = createRetention(db, { maxBytes: 64 * 1024, maxAgeMs: 86_400_000 }, compaction).run(Date.now());
    assert.equal(result.full, true);
    assert.equal(db.prepare("SELECT COUNT(*) FROM outbox WHERE class = 'alert'").pluck().get(), 5000);
    db.close();
  });
});

function summaryPayloadOk(p: unknown): boolean {
  return syncPayloadSchemas.summary.safeParse(p).success;
}
