import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { decodeMessage, type LocalAlert } from '@outpost/protocols';
import { pino } from 'pino';
import { createRuntimeEvents } from '../observability/runtime-events.js';
import { AlertCooldown } from './alert-cooldown.js';
import { AlertPublisher } from './alert-publisher.js';

const logger = pino({ level: 'silent' });
const alert = (n: number): LocalAlert => ({ v: 1, alertId: `a-${n}`, deviceId: 'dev-1', ts: n, source: 'rule', kind: 'hot', severity: 'warning', score: 1, threshold: 0 });

/** A sink whose publishes the test acknowledges (or fails) by hand, like a gateway that is slow to PUBACK. */
function manualSink() {
  const pending: { id: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const sink = (payload: Buffer) => new Promise<void>((resolve, reject) => pending.push({ id: decodeMessage('localAlert', payload).message.alertId, resolve, reject }));
  return { sink, pending };
}

describe('alert publisher', () => {
  test('when queueMax alerts wait for their PUBACK, intake must pause; nothing is dropped', async () => {
    const { sink, pending } = manualSink();
    const events = createRuntimeEvents(logger);
    const publisher = new AlertPublisher(sink, { queueMax: 3, maxInFlight: 2 }, events, logger);
    publisher.enqueue(alert(1));
    publisher.enqueue(alert(2));
    assert.ok(publisher.hasRoom());
    publisher.enqueue(alert(3));
    publisher.enqueue(alert(4)); // a batch may overshoot; it is kept
    assert.equal(publisher.hasRoom(), false);
    assert.equal(pending.length, 2, 'two in flight, two queued');
    let resumed = false;
    void publisher.waitForRoom().then(() => (resumed = true));
    pending.shift()!.resolve();
    await tick();
    assert.equal(resumed, false, '3 still pending');
    pending.shift()!.resolve();
    await tick();
    assert.equal(resumed, true);
    while (pending.length) {
      pending.shift()!.resolve();
      await tick();
    }
    await publisher.waitForIdle();
    assert.equal(events.count('alert_published'), 4);
  });

  test('a publish that fails is retried, in order, until acknowledged', async () => {
    const { sink, pending } = manualSink();
    const events = createRuntimeEvents(logger);
    const publisher = new AlertPublisher(sink, { queueMax: 10, maxInFlight: 1, retryMinMs: 1 }, events, logger);
    publisher.enqueue(alert(1));
    publisher.enqueue(alert(2));
    pending.shift()!.reject(new Error('connection lost'));
    const seen: string[] = [];
    while (events.count('alert_published') < 2) {
      await new Promise((r) => setTimeout(r, 2));
      const p = pending.shift();
      if (!p) continue;
      seen.push(p.id);
      p.resolve();
    }
    assert.deepEqual(seen, ['a-1', 'a-2']);
  });

  test('an alert that fails the protocol schema is counted and not sent', () => {
    const { sink, pending } = manualSink();
    const events = createRuntimeEvents(logger);
    const publisher = new AlertPublisher(sink, { queueMax: 10 }, events, logger);
    publisher.enqueue({ ...alert(1), deviceId: 'bad id!' });
    assert.equal(pending.length, 0);
    assert.equal(events.count('alert_invalid'), 1);
  });
});

describe('alert cooldown', () => {
  test('per source, kind and device, on reading time; a clock stepping back passes; bounded', () => {
    const c = new AlertCooldown(2);
    assert.equal(c.allow('model', 'autoencoder', 'd1', 1000, 60_000), true);
    assert.equal(c.allow('model', 'autoencoder', 'd1', 30_000, 60_000), false);
    assert.equal(c.allow('model', 'online-detector', 'd1', 30_000, 60_000), true, 'another kind');
    assert.equal(c.allow('model', 'autoencoder', 'd1', 61_000, 60_000), true);
    assert.equal(c.allow('model', 'autoencoder', 'd1', 5_000, 60_000), true, 'stepped back');
    assert.equal(c.allow('rule', 'hot', 'd2', 0, 0), true); // third key: the oldest is forgotten
    assert.equal(c.size, 2);
    assert.equal(c.forgotten, 1);
  });
});
