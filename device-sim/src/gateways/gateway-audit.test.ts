import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditGateway } from './gateway-audit.js';
import type { HubGatewayCounts } from './hub-api.js';
import { OutboxWindow } from './outbox-window.js';
import { RecordGenerator } from './record-generator.js';

const HUB_NOW = Date.UTC(2026, 0, 1);
const windowOf = () => new OutboxWindow(new RecordGenerator(0, 4, { rawReading: 3, alert: 1 }, 5), { ratePerGateway: 0, batchRecords: 5, flushIntervalMs: 1000, maxBacklogRecords: 100 });

/** Send `batches` batches of 5 records. */
function sendNew(w: OutboxWindow, batches: number): void {
  for (let i = 0; i < batches; i++) w.nextToSend(batches, 0)!.batch.sentAt = 0;
}

describe('auditGateway', () => {
  const counts = (appliedSeq: number, rawReading: number, alert: number, quarantined = 0): HubGatewayCounts => {
    const records = { alert, audit: 0, usage: 0, commandResult: 0, deviceState: 0, event: 0, summary: 0, rawReading };
    return { gatewayId: 'gw-1', appliedSeq, duplicatesSkipped: 0, quarantined, batches: 0, records, rows: records };
  };

  it('passes exact counts and names missing, duplicate, unconfirmed and quarantined records', () => {
    const w = windowOf();
    w.welcome(0, HUB_NOW);
    sendNew(w, 4);
    w.ack(20, 1);
    const sent = w.classCountsUpTo(20);
    const target = { gatewayId: 'gw-1', name: 'g', window: w, baseline: counts(0, 0, 0) };
    assert.equal(auditGateway(target, counts(20, sent.rawReading, sent.alert)).ok, true);
    const lost = auditGateway(target, counts(18, sent.rawReading - 2, sent.alert));
    assert.deepEqual([lost.ok, lost.missing, lost.duplicates], [false, 2, 0]);
    const twice = auditGateway(target, counts(20, sent.rawReading + 1, sent.alert));
    assert.deepEqual([twice.ok, twice.missing, twice.duplicates], [false, 0, 1]);
    assert.equal(auditGateway(target, counts(20, sent.rawReading, sent.alert - 1, 1)).quarantined, 1);
    sendNew(w, 1); // in flight at the stop; the hub applied it, the ack was lost
    const late = w.classCountsUpTo(25);
    const unconfirmed = auditGateway(target, counts(25, late.rawReading, late.alert));
    assert.deepEqual([unconfirmed.ok, unconfirmed.missing, unconfirmed.duplicates, unconfirmed.unconfirmed], [false, 0, 0, 5]);
  });

  it('subtracts the counts from before the run', () => {
    const w = windowOf();
    w.welcome(100, HUB_NOW);
    sendNew(w, 2);
    w.ack(110, 1);
    const sent = w.classCountsUpTo(110);
    const target = { gatewayId: 'gw-1', name: 'g', window: w, baseline: counts(100, 70, 30) };
    assert.equal(auditGateway(target, counts(110, 70 + sent.rawReading, 30 + sent.alert)).ok, true);
  });
});
