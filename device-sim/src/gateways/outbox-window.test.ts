import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutboxWindow } from './outbox-window.js';
import { RecordGenerator } from './record-generator.js';

const HUB_NOW = Date.UTC(2026, 0, 1);
const windowOf = (batchRecords: number, ratePerGateway = 0) =>
  new OutboxWindow(new RecordGenerator(0, 4, { rawReading: 3, alert: 1 }, 5), { ratePerGateway, batchRecords, flushIntervalMs: 1000, maxBacklogRecords: 100 });

/** Send `batches` new full batches (rate 0) and return them. */
function sendNew(w: OutboxWindow, batches: number) {
  return Array.from({ length: batches }, () => {
    const next = w.nextToSend(batches, 0)!;
    next.batch.sentAt = 0;
    return next.batch;
  });
}

describe('OutboxWindow', () => {
  it('starts after the first Welcome, keeps seqs contiguous, and drops what an ack covers', () => {
    const w = windowOf(10);
    assert.deepEqual(w.welcome(40, HUB_NOW), { outcome: 'ok', ackedRecords: 0 });
    const [a, b, c] = sendNew(w, 3);
    assert.deepEqual([a!.plan.firstSeq, b!.plan.firstSeq, c!.plan.firstSeq, w.lastSeq], [41, 51, 61, 70]);
    assert.equal(w.nextToSend(3, 0), null, 'window full');
    assert.deepEqual(w.ack(60, 5).map((x) => x.records), [10, 10]);
    assert.equal(w.ackedSeq, 60);
    assert.equal(w.unacked.length, 1);
  });

  it('resends unacked batches first after a reconnect and counts what the new Welcome acked', () => {
    const w = windowOf(5);
    w.welcome(0, HUB_NOW);
    sendNew(w, 3);
    // The hub applied the first batch but its ack was lost.
    assert.deepEqual(w.welcome(5, HUB_NOW), { outcome: 'ok', ackedRecords: 5 });
    const next = w.nextToSend(4, 0)!;
    assert.equal(next.resend, true);
    assert.equal(next.batch.plan.firstSeq, 6);
    assert.equal(w.welcome(3, HUB_NOW).outcome, 'behind');
    assert.equal(w.welcome(99, HUB_NOW).outcome, 'ahead');
  });

  it('halves batches without changing a record: the same seqs, classes and HLCs', () => {
    const w = windowOf(9);
    w.welcome(0, HUB_NOW);
    const [batch] = sendNew(w, 1);
    const before = w.records(batch!);
    w.halve();
    assert.equal(w.batchRecords, 4);
    assert.deepEqual(w.unacked.map((b) => b.plan.classes.length), [4, 4, 1]);
    assert.deepEqual(w.unacked.flatMap((b) => w.records(b)), before);
  });

  it('counts classes up to a seq, acked and unacked', () => {
    const w = windowOf(10);
    w.welcome(0, HUB_NOW);
    sendNew(w, 2);
    w.ack(10, 1);
    const counts = w.classCountsUpTo(15);
    assert.equal(counts.rawReading + counts.alert, 15);
    assert.equal(counts.summary, 0);
  });

  it('at a rate, owes records, sends what is owed once per flush interval, and skips beyond the backlog bound', () => {
    const w = windowOf(50, 10);
    w.welcome(0, HUB_NOW);
    w.start(0);
    const send = (now: number) => {
      const next = w.nextToSend(4, now);
      if (next) next.batch.sentAt = now;
      return next?.batch.plan.classes.length ?? 0;
    };
    assert.equal(w.accrue(500), 0);
    assert.equal(send(1000), 5, 'the flush interval passed: the 5 owed records');
    w.accrue(500);
    assert.equal(send(1500), 0, 'flushed 500 ms ago and less than a batch owed');
    assert.equal(w.accrue(20_000), 105, '205 owed, capped at 100');
    assert.equal(send(1600), 50, 'a full batch goes at once');
    w.stopProducing();
    assert.equal(send(5000), 0);
    assert.equal(w.lastSeq, 55);
  });
});
