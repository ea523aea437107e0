import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { TestStream, expectedCounts, mixedRecords, newClient, payloadFor, record } from './helpers/index.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

interface Counts {
  appliedSeq: number;
  duplicatesSkipped: number;
  quarantined: number;
  records: Record<string, number>;
  rows: Record<string, number>;
}

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe('batches are applied exactly once, in sequence', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(() => t.close());

  it('resume point, duplicates and overlapping resends: counts equal what was sent', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const stream = new TestStream(t.client, credential);
    const welcome = await stream.welcome();
    assert.equal(welcome.ackedSeq, 0);
    assert.equal(welcome.clockTrusted, true);
    assert.equal(welcome.hubId, t.hub.store.hubId);

    // 1–100 in batches of 25, pipelined (no waiting between batches), then all of it again.
    for (let from = 1; from <= 100; from += 25) stream.batch(mixedRecords(from, from + 24));
    await stream.next((m) => m.body === 'ack' && m.ack!.ackedSeq === 100);
    assert.equal(await stream.send(mixedRecords(1, 100)), 100);
    // Overlapping batch 50–150 on a new stream that resumes from Welcome.
    await stream.end();
    const resumed = new TestStream(t.client, credential);
    assert.equal((await resumed.welcome()).ackedSeq, 100);
    assert.equal(await resumed.send(mixedRecords(50, 150)), 150);
    assert.equal(await resumed.send(mixedRecords(140, 150)), 150, 'a batch of only duplicates is acked at the cursor');

    const counts = (await t.api<Counts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
    assert.equal(counts.appliedSeq, 150);
    assert.equal(counts.duplicatesSkipped, 100 + 51 + 11);
    assert.equal(counts.quarantined, 0);
    assert.deepEqual(nonZero(counts.records), expectedCounts(150));
    assert.deepEqual(nonZero(counts.rows), expectedCounts(150), 'every record wrote exactly one row');
    assert.equal(Object.values(counts.records).reduce((a, b) => a + b, 0), 150);

    // The data itself carries (gateway, seq): alerts come back in seq order, each once.
    const alerts = (await t.api<{ alerts: { seq: number }[] }>(`/api/v1/gateways/${gatewayId}/alerts?limit=1000`)).body.alerts;
    assert.deepEqual(
      alerts.map((a) => a.seq),
      Array.from({ length: 150 }, (_, i) => i + 1).filter((s) => s % 8 === 1),
    );
    const page = (await t.api<{ alerts: { seq: number }[]; next: number }>(`/api/v1/gateways/${gatewayId}/alerts?limit=2&after=9`)).body;
    assert.deepEqual(page.alerts.map((a) => a.seq), [17, 25]);
    const gateway = (await t.api<{ ackedSeq: number; lastSeenAt: number }>(`/api/v1/gateways/${gatewayId}`)).body;
    assert.equal(gateway.ackedSeq, 150);
    await resumed.end();
  });

  it('a batch that skips a seq gets E_SYNC_SEQUENCE, ends the stream, and nothing past the gap is applied', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const stream = new TestStream(t.client, credential);
    await stream.welcome();
    assert.equal(await stream.send(mixedRecords(1, 10)), 10);
    stream.batch(mixedRecords(12, 20));
    const error = await stream.next((m) => m.body === 'error');
    assert.equal(error.error!.code, 'E_SYNC_SEQUENCE');
    assert.equal(error.error!.retryable, true);
    const ended = await stream.ended;
    assert.equal(ended.code, status.ABORTED);
    assert.match(ended.details, /^E_SYNC_SEQUENCE/);

    // A gap inside a batch refuses the whole batch, even its contiguous head.
    const second = new TestStream(t.client, credential);
    assert.equal((await second.welcome()).ackedSeq, 10);
    second.batch([...mixedRecords(11, 13), ...mixedRecords(15, 16)]);
    assert.equal((await second.next((m) => m.body === 'error')).error!.code, 'E_SYNC_SEQUENCE');
    await second.ended;

    let counts = (await t.api<Counts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
    assert.equal(counts.appliedSeq, 10);
    assert.deepEqual(nonZero(counts.records), expectedCounts(10));

    // Resuming from the ack fills the gap.
    const third = new TestStream(t.client, credential);
    assert.equal((await third.welcome()).ackedSeq, 10);
    assert.equal(await third.send(mixedRecords(11, 20)), 20);
    counts = (await t.api<Counts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
    assert.deepEqual(nonZero(counts.records), expectedCounts(20));
    await third.end();
  });

  it('an invalid payload is quarantined and acked; the stream carries on', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const stream = new TestStream(t.client, credential);
    await stream.welcome();
    const records = [
      record(1, 'alert', payloadFor('alert', 1)),
      record(2, 'summary', { ...(payloadFor('summary', 2) as object), windowMs: 12_345 }),
      record(3, 'event', Buffer.from('{not json')),
      record(4, 99, payloadFor('event', 4)),
      record(5, 'event', payloadFor('event', 5)),
    ];
    const from = stream.received.length;
    stream.batch(records);
    const error = await stream.next((m) => m.body === 'error', 10_000, from);
    assert.equal(error.error!.code, 'E_SYNC_PAYLOAD');
    assert.equal(error.error!.retryable, false);
    assert.match(error.error!.message, /seq 2 .*seq 3 .*seq 4/);
    assert.equal((await stream.next((m) => m.body === 'ack', 10_000, from)).ack!.ackedSeq, 5);
    assert.equal(await stream.send([record(6, 'alert', payloadFor('alert', 6))]), 6, 'the stream is still open');

    const counts = (await t.api<Counts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
    assert.equal(counts.appliedSeq, 6);
    assert.equal(counts.quarantined, 3);
    assert.deepEqual(nonZero(counts.records), { alert: 2, event: 1 });
    const quarantine = (await t.api<{ quarantine: { seq: number; detail: string }[] }>(`/api/v1/gateways/${gatewayId}/quarantine`)).body.quarantine;
    assert.deepEqual(quarantine.map((q) => q.seq).sort(), [2, 3, 4]);
    assert.match(quarantine.find((q) => q.seq === 4)!.detail, /unknown data class 99/);
    await stream.end();
  });

  it('a batch above the size limit gets E_SYNC_BATCH_TOO_LARGE and nothing of it is applied', async () => {
    const small = await startTestHub({ sync: { maxBatchBytes: 64 * 1024 } });
    try {
      const { gatewayId, credential } = await small.enrollGateway();
      const stream = new TestStream(small.client, credential);
      await stream.welcome();
      stream.batch(mixedRecords(1, 800));
      const error = await stream.next((m) => m.body === 'error');
      assert.equal(error.error!.code, 'E_SYNC_BATCH_TOO_LARGE');
      assert.equal(error.error!.retryable, true);
      assert.equal((await stream.ended).code, status.RESOURCE_EXHAUSTED);
      const counts = (await small.api<Counts>(`/api/v1/gateways/${gatewayId}/counts`)).body;
      assert.equal(counts.appliedSeq, 0);
    } finally {
      await small.close();
    }
  });

  it('accepts gzip-compressed batches; the API and /metrics show what was applied', async () => {
    const { gatewayId, credential } = await t.enrollGateway();
    const gzipClient = newClient(t.addresses.grpcPort, { 'grpc.default_compression_algorithm': 2 });
    try {
      const stream = new TestStream(gzipClient, credential);
      await stream.welcome({ backlogRecords: 40, backlogOldestMs: 1_700_000_000_000, softwareVersion: 'gw/2.1' });
      assert.equal(await stream.send(mixedRecords(1, 40)), 40);
      await stream.end();
    } finally {
      gzipClient.close();
    }
    const gateway = (await t.api<{ softwareVersion: string; backlogRecords: number; backlogOldestMs: number; ackedSeq: number }>(`/api/v1/gateways/${gatewayId}`)).body;
    assert.deepEqual([gateway.softwareVersion, gateway.backlogRecords, gateway.backlogOldestMs, gateway.ackedSeq], ['gw/2.1', 40, 1_700_000_000_000, 40]);
    const summaries = (await t.api<{ summaries: { seq: number; summary: { deviceId: string } }[] }>(`/api/v1/gateways/${gatewayId}/summaries?deviceId=dev-2&metric=temp&limit=5`)).body.summaries;
    assert.ok(summaries.length > 0 && summaries.every((s) => s.summary.deviceId === 'dev-2'));
    const metrics = await fetch(`http://127.0.0.1:${t.addresses.httpPort}/metrics`, { headers: { authorization: `Bearer ${t.hub.apiToken.value}` } }).then((r) => r.text());
    assert.match(metrics, /outpost_hub_records_applied_total\{class="summary"\} \d+/);
    assert.match(metrics, /outpost_hub_duplicates_skipped_total \d+/);
    assert.match(metrics, /outpost_hub_batch_apply_seconds_count \d+/);
    assert.match(metrics, /outpost_hub_connected_gateways \d+/);
  });
});
