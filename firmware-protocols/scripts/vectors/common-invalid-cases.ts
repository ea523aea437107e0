import { Encoder } from 'cbor-x';
import { encodeCbor } from '../../src/index.js';
import { cborText, fromHex, type InvalidVector, invalidBoth, invalidCbor, invalidJson, jsonBytes } from './vector-cases.js';

export interface CommonOptions {
  /** The message has a `ts` field (epoch ms). */
  ts?: boolean;
  /** The message has a `seq` field (uint32). */
  seq?: boolean;
}

// What a sender configured with cbor-x defaults emits: a tag 57343 record, not a CBOR map.
const recordEncoder = new Encoder({ useRecords: true });
function cborXRecord(value: unknown): Buffer {
  return recordEncoder.encode(value);
}

function without(base: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...base };
  delete copy[key];
  return copy;
}

/** Framing failures: the bytes never become a value. Independent of the message. */
function framingCases(base: Record<string, unknown>): InvalidVector[] {
  const json = JSON.stringify(base);
  const cbor = encodeCbor(base);
  // Bad UTF-8 goes into a key ahead of the real fields: decoders must refuse it before any schema check.
  const badUtf8 = (label: string, bytes: number[]) => invalidJson(`JSON with ${label}`, jsonBytes('{"', bytes, '":0,', json.slice(1)), 'E_MALFORMED_JSON');
  return [
    invalidJson('empty payload', '', 'E_UNKNOWN_ENCODING'),
    invalidJson('JSON truncated by one byte', json.slice(0, -1), 'E_MALFORMED_JSON'),
    invalidJson('JSON truncated in the middle', json.slice(0, Math.floor(json.length / 2)), 'E_MALFORMED_JSON'),
    invalidJson('JSON with trailing garbage', `${json}x`, 'E_MALFORMED_JSON'),
    invalidJson('two JSON documents back to back', json + json, 'E_MALFORMED_JSON'),
    badUtf8('invalid UTF-8 byte 0xff', [0xff]),
    badUtf8('overlong UTF-8 encoding of "/"', [0xc0, 0xaf]),
    badUtf8('a UTF-8-encoded UTF-16 surrogate', [0xed, 0xa0, 0x80]),
    badUtf8('a truncated UTF-8 sequence', [0xe2, 0x82]),
    invalidJson('single-quoted JSON', json.replaceAll('"', "'"), 'E_MALFORMED_JSON'),
    invalidJson('JSON with a comment', `/* hi */${json}`, 'E_MALFORMED_JSON'),
    invalidJson('JSON top-level array', `[${json}]`, 'E_SCHEMA'),
    invalidJson('JSON null', 'null', 'E_SCHEMA'),
    invalidJson('JSON string', '"hello"', 'E_SCHEMA'),
    invalidJson('JSON number', '1', 'E_SCHEMA'),
    invalidJson('JSON larger than maxBytes', json, 'E_PAYLOAD_TOO_LARGE', json.length - 1),
    invalidCbor('CBOR larger than maxBytes', cbor, 'E_PAYLOAD_TOO_LARGE', cbor.length - 1),
    invalidCbor('CBOR truncated by one byte', cbor.subarray(0, -1), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR map head only', cbor.subarray(0, 1), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR with a trailing byte', Buffer.concat([cbor, fromHex('00')]), 'E_MALFORMED_CBOR'),
    invalidCbor('two CBOR items back to back', Buffer.concat([cbor, cbor]), 'E_MALFORMED_CBOR'),
    invalidCbor('lone CBOR break byte', fromHex('ff'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR reserved additional information 28', fromHex('a1 6176 1c'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR text length past the end of the payload', fromHex('a1 7a ffffffff 00'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR indefinite-length map without its break', fromHex('bf 6176 01'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR array at top level', encodeCbor([base]), 'E_SCHEMA'),
    invalidCbor('CBOR integer at top level', fromHex('18 2a'), 'E_SCHEMA'),
    invalidCbor('CBOR null at top level', fromHex('f6'), 'E_SCHEMA'),
    // Outside the CBOR profile (see README): well-formed CBOR that no field of any message can hold.
    invalidCbor('CBOR undefined at top level', fromHex('f7'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR self-describe tag 55799 around the message', Buffer.concat([fromHex('d9 d9f7'), cbor]), 'E_MALFORMED_CBOR'),
    invalidCbor('cbor-x record extension (tag 57343) instead of a map', cborXRecord(base), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR integer map key', fromHex('a1 01 01'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR map key with invalid UTF-8', fromHex('a1 62 c328 01'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR indefinite-length text key', fromHex('a1 7f 6176 ff 01'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR text key length written in 8 bytes', fromHex('a1 7b 0000000000000001 76 01'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR simple value 16', fromHex('a1 6176 f0'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR two-byte simple value 32', fromHex('a1 6176 f8 20'), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR indefinite-length map ending between key and value', fromHex('bf 6176 ff'), 'E_MALFORMED_CBOR'),
  ];
}

/** Version and shape failures: a value that is not this message. */
function versionCases(base: Record<string, unknown>): InvalidVector[] {
  return [
    ...invalidBoth('missing v', without(base, 'v'), 'E_SCHEMA'),
    ...invalidBoth('v: 2', { ...base, v: 2 }, 'E_UNSUPPORTED_VERSION'),
    ...invalidBoth('v: 0', { ...base, v: 0 }, 'E_UNSUPPORTED_VERSION'),
    ...invalidBoth('v: 1.5', { ...base, v: 1.5 }, 'E_UNSUPPORTED_VERSION'),
    ...invalidBoth('v as the string "1"', { ...base, v: '1' }, 'E_UNSUPPORTED_VERSION'),
    ...invalidBoth('v: null', { ...base, v: null }, 'E_UNSUPPORTED_VERSION'),
    // A newer message is reported as a version problem, not as the unknown fields it brings.
    ...invalidBoth('v: 2 with a field v1 does not know', { ...base, v: 2, addedInV2: true }, 'E_UNSUPPORTED_VERSION'),
    ...invalidBoth('extra unknown field', { ...base, extra: 1 }, 'E_SCHEMA'),
    ...invalidBoth('extra unknown field holding null', { ...base, extra: null }, 'E_SCHEMA'),
    invalidCbor('CBOR undefined as v', encodeCbor({ ...base, v: undefined }), 'E_MALFORMED_CBOR'),
    invalidCbor('CBOR undefined as an extra field', encodeCbor({ ...base, extra: undefined }), 'E_MALFORMED_CBOR'),
  ];
}

function timeCases(base: Record<string, unknown>, options: CommonOptions): InvalidVector[] {
  const out: InvalidVector[] = [];
  if (options.ts) {
    out.push(
      ...invalidBoth('negative ts', { ...base, ts: -1 }, 'E_SCHEMA'),
      ...invalidBoth('fractional ts', { ...base, ts: 1700000000000.5 }, 'E_SCHEMA'),
      ...invalidBoth('ts above 2^53 - 1', { ...base, ts: 2 ** 53 }, 'E_SCHEMA'),
      ...invalidBoth('ts as an ISO string', { ...base, ts: '2023-11-14T22:13:20Z' }, 'E_SCHEMA'),
      ...invalidBoth('ts: null', { ...base, ts: null }, 'E_SCHEMA'),
    );
  }
  if (options.seq) {
    out.push(
      ...invalidBoth('seq above uint32', { ...base, seq: 2 ** 32 }, 'E_SCHEMA'),
      ...invalidBoth('negative seq', { ...base, seq: -1 }, 'E_SCHEMA'),
      ...invalidBoth('fractional seq', { ...base, seq: 0.5 }, 'E_SCHEMA'),
    );
  }
  return out;
}

/** The invalid cases every message shares, derived from one valid message `base` (which has `v: 1`). */
export function commonInvalidCases(base: Record<string, unknown>, options: CommonOptions = {}): InvalidVector[] {
  return [...framingCases(base), ...versionCases(base), ...timeCases(base, options)];
}

/**
 * Free-form fields hold JSON values only: CBOR extras are refused even there. `head` is a hand-written
 * message whose last map entry is `field`'s key; each case appends a value holding one such extra.
 */
export function nonJsonInProps(field: string, head: string): InvalidVector[] {
  const prefix = `${head} a1 ${cborText('x')}`;
  return [
    invalidCbor(`CBOR date tag inside ${field}`, fromHex(`${prefix} c1 1a 6553f100`), 'E_MALFORMED_CBOR'),
    invalidCbor(`CBOR byte string inside ${field}`, fromHex(`${prefix} 42 0102`), 'E_MALFORMED_CBOR'),
    invalidCbor(`CBOR undefined inside ${field}`, fromHex(`${prefix} f7`), 'E_MALFORMED_CBOR'),
    invalidCbor(`CBOR bignum tag inside ${field}`, fromHex(`${prefix} c2 49 010000000000000000`), 'E_MALFORMED_CBOR'),
    invalidCbor(`CBOR set tag 258 inside ${field}`, fromHex(`${prefix} d9 0102 82 01 02`), 'E_MALFORMED_CBOR'),
    invalidCbor(`CBOR shared-reference tags 28/29 making a cycle inside ${field}`, fromHex(`${prefix} d8 1c a1 61 61 d8 1d 00`), 'E_MALFORMED_CBOR'),
    invalidCbor(`CBOR NaN nested inside ${field}`, fromHex(`${prefix} 81 f9 7e00`), 'E_SCHEMA'),
  ];
}
