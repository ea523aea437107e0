import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodeMessage } from '@outpost/protocols';
import { telemetryPayload } from './telemetry-payload.js';

it('encodes readings the shared codec accepts, carrying seq and ts, in both encodings', () => {
  for (const encoding of ['json', 'cbor'] as const) {
    for (const seq of [0, 1, 359, 360, 0xffffffff]) {
      const { message, encoding: sniffed } = decodeMessage('telemetry', telemetryPayload(seq, 1_700_000_000_000 + seq, encoding));
      assert.equal(sniffed, encoding);
      assert.equal(message.seq, seq);
      assert.equal(message.ts, 1_700_000_000_000 + seq);
    }
  }
});
