import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { AppendGate, OffsetCommitter } from './log-plumbing.js';
import { MAX_BYTES_PER_SEND, PartitionSender } from './partition-sender.js';

describe('ingest log plumbing', () => {
  it('PartitionSender: one send in flight per partition, the rest coalesced in order', async () => {
    const sends: { partition: number; messages: number[] }[] = [];
    let inFlight = 0;
    let maxInFlightP0 = 0;
    const sender = new PartitionSender<number>(async (partition, messages) => {
      if (partition === 0) maxInFlightP0 = Math.max(maxInFlightP0, ++inFlight);
      sends.push({ partition, messages });
      await delay(5);
      if (partition === 0) inFlight--;
    }, () => 1);
    await Promise.all([...Array.from({ length: 10 }, (_, i) => sender.enqueue(0, i)), sender.enqueue(1, 100)]);
    assert.equal(maxInFlightP0, 1);
    const p0 = sends.filter((s) => s.partition === 0);
    assert.deepEqual(p0.flatMap((s) => s.messages), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(p0.map((s) => s.messages.length), [1, 9], 'what queued behind the first send went in one');
  });

  it('PartitionSender: a send stays under the byte cap, but one oversized message still goes alone', async () => {
    const sends: number[][] = [];
    const sender = new PartitionSender<number>(async (_, messages) => {
      sends.push(messages);
      await delay(2);
    }, (size) => size);
    const third = MAX_BYTES_PER_SEND / 3;
    await Promise.all([sender.enqueue(0, 1), sender.enqueue(0, third), sender.enqueue(0, third), sender.enqueue(0, third), sender.enqueue(0, 2 * MAX_BYTES_PER_SEND), sender.enqueue(0, 5)]);
    assert.deepEqual(sends, [[1], [third, third, third], [2 * MAX_BYTES_PER_SEND], [5]]);
  });

  it('PartitionSender: a failed send fails what queued behind it, then the partition works again', async () => {
    let fail = true;
    const sender = new PartitionSender<number>(async () => {
      await delay(2);
      if (fail) throw new Error('broker gone');
    }, () => 1);
    const results = await Promise.allSettled([sender.enqueue(0, 1), sender.enqueue(0, 2)]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    fail = false;
    await sender.enqueue(0, 3);
  });

  it('AppendGate: refuses past its bound with HUB_ERR_INGEST_LOG_FULL and times out with HUB_ERR_INGEST_LOG_APPEND', async () => {
    const gate = new AppendGate(1, 50);
    let release!: () => void;
    const first = gate.run('a', () => new Promise<void>((r) => (release = r)));
    await assert.rejects(gate.run('b', async () => {}), { code: 'HUB_ERR_INGEST_LOG_FULL' });
    release();
    await first;
    await assert.rejects(gate.run('c', () => new Promise(() => {})), { code: 'HUB_ERR_INGEST_LOG_APPEND' });
    assert.equal(gate.pending, 0);
    gate.close();
    await assert.rejects(gate.run('d', async () => {}), { code: 'HUB_ERR_INGEST_LOG_CLOSED' });
  });

  it('OffsetCommitter: coalesces, keeps the highest offset, retries a failed commit', async () => {
    const commits: string[] = [];
    let failNext = false;
    const committer = new OffsetCommitter(async (offsets) => {
      await delay(2);
      if (failNext) {
        failNext = false;
        throw new Error('rebalancing');
      }
      commits.push(offsets.map((o) => `${o.partition}:${o.offset}`).join(','));
    });
    committer.applied(0, 1n);
    committer.applied(0, 2n);
    committer.applied(1, 5n);
    committer.applied(0, 3n);
    await committer.flush();
    assert.deepEqual(commits, ['0:1', '0:3,1:5']);
    failNext = true;
    committer.applied(2, 9n);
    await committer.flush();
    assert.deepEqual(commits.at(-1), '2:9', 'the failed commit went again on flush');
  });
});
