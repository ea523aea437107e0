import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { StreamWriter } from './stream-writer.js';
import type { HubMessage } from '@outpost/protocols';
import type { SizedGatewayMessage } from './sync-proto.js';

/** An object-mode duplex whose writes complete only when the test says so, like a gateway that stopped reading. */
function slowPeer() {
  const pending: (() => void)[] = [];
  const stream = new Duplex({
    objectMode: true,
    writableHighWaterMark: 2,
    read() {},
    write(_chunk, _encoding, callback) {
      pending.push(callback);
    },
  });
  return { stream: stream as unknown as ServerDuplexStream<SizedGatewayMessage, HubMessage>, readAll: () => pending.splice(0).forEach((cb) => cb()) };
}

const ack = (n: number): HubMessage => ({ ack: { ackedSeq: n } });

test('a blocked stream waits for drain, then releases its waiters', async () => {
  const peer = slowPeer();
  const writer = new StreamWriter(peer.stream, 60_000, () => assert.fail('not stalled'));
  assert.equal(writer.write(ack(1)), true);
  assert.equal(writer.write(ack(2)), false);
  assert.equal(writer.blocked, true);
  let released = false;
  const waiting = writer.whenWritable().then(() => (released = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(released, false, 'nothing is released while the peer does not read');
  // Completing the first write lets the stream take the second: the buffer drains.
  peer.readAll();
  await new Promise((r) => setImmediate(r));
  peer.readAll();
  await waiting;
  assert.equal(writer.blocked, false);
  writer.dispose();
});

test('a peer that never reads is reported as stalled', async () => {
  const peer = slowPeer();
  const stalled = new Promise<void>((resolve) => {
    const writer = new StreamWriter(peer.stream, 100, resolve);
    writer.write(ack(1));
    writer.write(ack(2));
  });
  await stalled;
});
