import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedHubMessage, GatewayMessage, HubMessage } from '@outpost/protocols';
import { loadSyncService } from './sync-proto.js';
import type { SizedGatewayMessage } from './sync-proto.js';

// The shared message types in @outpost/protocols describe what proto-loader hands out with the shared
// loader options; these round trips pin the parts the types promise.
const stream = loadSyncService().Stream!;

test('a gateway message decodes with `body`, null for unset nested messages, and its size in bytes', () => {
  const written: GatewayMessage = { hello: { protocolVersion: 1, softwareVersion: 'gw/1', wallMs: 1_700_000_000_000, hlc: null, backlogRecords: 3, backlogOldestMs: 0 } };
  const bytes = stream.requestSerialize(written);
  const decoded = stream.requestDeserialize(bytes) as SizedGatewayMessage;
  assert.equal(decoded.body, 'hello');
  assert.equal(decoded.wireBytes, bytes.length);
  if (decoded.body !== 'hello') return;
  assert.deepEqual(decoded.hello, { ...written.hello, hlc: null, power: null });
});

test('a batch keeps 64-bit sequences as numbers and payloads as Buffers', () => {
  const records = [{ seq: 2 ** 40, dataClass: 1, hlc: { wallMs: 1_700_000_000_000, logical: 7 }, payload: Buffer.from('{"a":1}') }];
  const decoded = stream.requestDeserialize(stream.requestSerialize({ batch: { records } } satisfies GatewayMessage)) as SizedGatewayMessage;
  assert.equal(decoded.body, 'batch');
  if (decoded.body !== 'batch') return;
  assert.deepEqual(decoded.batch.records, records);
  assert.ok(Buffer.isBuffer(decoded.batch.records[0]!.payload));
});

test('a hub message decodes with only the member that was set', () => {
  const task: HubMessage = { flTask: { federationId: 'f', roundId: 'r', phase: 'offer', body: Buffer.from('{}'), timeoutMs: 1000 } };
  const decoded = stream.responseDeserialize(stream.responseSerialize(task)) as DecodedHubMessage;
  assert.deepEqual(Object.keys(decoded).sort(), ['body', 'flTask']);
  assert.equal(decoded.body, 'flTask');
  assert.deepEqual(decoded, { body: 'flTask', ...task });
});

test('an empty hub message (a member this side does not know) decodes without `body`', () => {
  const decoded = stream.responseDeserialize(Buffer.alloc(0)) as DecodedHubMessage;
  assert.equal(decoded.body, undefined);
});
