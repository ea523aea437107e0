import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../wire-errors.js';
import { decodeCbor, encodeCbor, sniffEncoding } from './encoding.js';
import { decodeMessage, encodeMessage, validateMessage } from './message-codec.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `threw ${String(err)}`);
    return err.code;
  }
  return 'accepted';
}

describe('message codec', () => {
  it('sniffs JSON from text-like first bytes and everything else as CBOR', () => {
    for (const first of [0x09, 0x0a, 0x0d, 0x20, 0x7b, 0x5b, 0x7e, 0xef]) assert.equal(sniffEncoding(Uint8Array.of(first)), 'json', first.toString(16));
    for (const first of [0x00, 0x1f, 0x7f, 0x80, 0xa0, 0xbf, 0xd9, 0xff]) assert.equal(sniffEncoding(Uint8Array.of(first)), 'cbor', first.toString(16));
  });

  it('leaves undefined properties out of both encodings, as JSON.stringify does', () => {
    const command = { v: 1 as const, commandId: 'c1', name: 'reboot', issuedAt: 5, expiresAt: undefined, args: { reason: undefined, by: 'ops' } };
    const cbor = encodeMessage('command', command, 'cbor');
    assert.ok(!cbor.includes(0xf7), `CBOR carries undefined: ${cbor.toString('hex')}`);
    assert.deepEqual(decodeCbor(cbor), { v: 1, commandId: 'c1', name: 'reboot', issuedAt: 5, args: { by: 'ops' } });
    assert.equal(encodeMessage('command', command, 'json').toString(), '{"v":1,"commandId":"c1","name":"reboot","args":{"by":"ops"},"issuedAt":5}');
  });

  it('refuses values JSON cannot carry, with the path to them, instead of putting them on the wire', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [string, unknown][] = [
      ['reported.big', 1n],
      ['reported.when', new Date(0)],
      ['reported.map', new Map()],
      ['reported.bytes', Buffer.of(1)],
      ['reported.nan', NaN],
      ['reported.list.1', [1, undefined]],
      ['reported.loop.self', cyclic],
    ];
    for (const [path, value] of cases) {
      const key = path.split('.')[1] as string;
      const message = { v: 1 as const, reported: { [key]: value } };
      for (const encoding of ['json', 'cbor'] as const) assert.throws(() => encodeMessage('state', message, encoding), ProtocolError);
      try {
        validateMessage('state', message);
        assert.fail(`${path} accepted`);
      } catch (err) {
        assert.ok(err instanceof ProtocolError && err.code === 'E_SCHEMA', String(err));
        assert.equal(err.path, path);
      }
    }
  });

  it('reports a version it cannot print as unsupported, not as a crash', () => {
    assert.equal(codeOf(() => validateMessage('telemetry', { v: 1n, metrics: { t: 1 } })), 'E_UNSUPPORTED_VERSION');
    const loop: Record<string, unknown> = {};
    loop.loop = loop;
    assert.equal(codeOf(() => validateMessage('telemetry', { v: loop, metrics: { t: 1 } })), 'E_UNSUPPORTED_VERSION');
    assert.equal(codeOf(() => validateMessage('telemetry', { v: 'x'.repeat(100_000), metrics: { t: 1 } })), 'E_UNSUPPORTED_VERSION');
  });

  it('decodes CBOR uint64 integers as numbers, so firmware can send ts the canonical way', () => {
    const bytes = Buffer.from('a3617601627473' + '1b0000018bcfe56800' + '676d657472696373a1617401', 'hex');
    assert.deepEqual(decodeMessage('telemetry', bytes).message, { v: 1, ts: 1_700_000_000_000, metrics: { t: 1 } });
  });

  it('checks deeply nested free-form data without exhausting the stack', () => {
    const depth = 50_000;
    const json = Buffer.from(`{"v":1,"reported":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
    assert.equal(codeOf(() => decodeMessage('state', json)), 'accepted');
    const cbor = Buffer.concat([encodeCbor({ v: 1, reported: {} }).subarray(0, -1), Buffer.from('a16161', 'hex'), Buffer.alloc(depth, 0x81), Buffer.of(0x80)]);
    // cbor-x recurses, so this depth may be refused; what matters is that only a ProtocolError comes out.
    codeOf(() => decodeMessage('state', cbor));
  });

  it('honours a forced encoding and the size limit', () => {
    const json = Buffer.from('{"v":1,"metrics":{"t":1}}');
    assert.equal(codeOf(() => decodeMessage('telemetry', json, { encoding: 'cbor' })), 'E_MALFORMED_CBOR');
    assert.equal(codeOf(() => decodeMessage('telemetry', json, { maxBytes: json.length })), 'accepted');
    assert.equal(codeOf(() => decodeMessage('telemetry', json, { maxBytes: json.length - 1 })), 'E_PAYLOAD_TOO_LARGE');
  });
});
