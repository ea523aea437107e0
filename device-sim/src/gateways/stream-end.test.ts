import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { classifyStreamEnd, reconnectDelayMs } from './stream-end.js';

describe('classifyStreamEnd', () => {
  it('follows the protocol table', () => {
    const end = (code: status, details: string) => classifyStreamEnd({ code, details });
    assert.equal(end(status.UNAUTHENTICATED, 'E_SYNC_UNAUTHENTICATED: unknown gateway credential').next, 'refused');
    assert.equal(end(status.PERMISSION_DENIED, 'E_SYNC_REVOKED').next, 'refused');
    assert.equal(end(status.FAILED_PRECONDITION, 'E_SYNC_PROTOCOL_VERSION: 2').next, 'failed');
    assert.deepEqual(end(status.ABORTED, 'E_SYNC_SEQUENCE: expected seq 5').next, 'now');
    assert.equal(end(status.RESOURCE_EXHAUSTED, 'E_SYNC_BATCH_TOO_LARGE: …').tooLarge, true);
    assert.equal(end(status.UNAVAILABLE, 'Connection dropped').next, 'backoff');
    assert.equal(end(status.UNAVAILABLE, 'Connection dropped').code, 'UNAVAILABLE');
    assert.equal(end(status.OK, '').code, 'STREAM_ENDED');
  });

  it('backs off with full jitter up to 30 s, and at most 500 ms for an immediate reconnect', () => {
    assert.equal(reconnectDelayMs(0, false, () => 0.999), 499);
    assert.equal(reconnectDelayMs(3, false, () => 0.999), 3996);
    assert.equal(reconnectDelayMs(40, false, () => 0.999), 29_970);
    assert.equal(reconnectDelayMs(40, true, () => 0.999), 499);
  });
});
