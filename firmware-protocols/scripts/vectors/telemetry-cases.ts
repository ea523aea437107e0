import type { WireErrorCode } from '../../src/index.js';
import { commonInvalidCases } from './common-invalid-cases.js';
import { type Cases, cborText, fromHex, invalidBoth, invalidCbor, invalidJson, jsonBytes, manyMetrics, validBoth, validCbor, validJson } from './vector-cases.js';

const base = { v: 1, metrics: { temp: 21.5 } };
const withMetrics = (metrics: unknown) => ({ v: 1, metrics });
const V1 = `${cborText('v')} 01`;
const METRICS = cborText('metrics');
const TEMP = cborText('temp');
const TS_1700000000000 = '1b 0000018bcfe56800';

/** Hand-written CBOR: what a small C encoder that picks its own widths and floats would send. */
const handWritten = [
  validCbor(
    'hand-written preferred serialization: uint64 ts, uint8 seq, float16 value',
    fromHex(`a4 ${V1} ${cborText('ts')} ${TS_1700000000000} ${cborText('seq')} 18 2a ${METRICS} a1 ${TEMP} f9 4d60`),
    { v: 1, ts: 1700000000000, seq: 42, metrics: { temp: 21.5 } },
  ),
  validCbor('hand-written float32 value', fromHex(`a2 ${V1} ${METRICS} a1 ${TEMP} fa 41ac0000`), base),
  validCbor('hand-written float64 value', fromHex(`a2 ${V1} ${METRICS} a1 ${TEMP} fb 4035800000000000`), base),
  validCbor(
    'hand-written non-minimal integer widths (v in 2 bytes, seq in 4, ts in 8)',
    fromHex(`a4 ${cborText('v')} 19 0001 ${cborText('seq')} 1a 0000002a ${cborText('ts')} 1b 0000000000000007 ${METRICS} a1 ${TEMP} 01`),
    { v: 1, seq: 42, ts: 7, metrics: { temp: 1 } },
  ),
  validCbor('hand-written ts as an integral float64', fromHex(`a3 ${V1} ${cborText('ts')} fb 4278bcfe56800000 ${METRICS} a1 ${TEMP} 01`), {
    v: 1,
    ts: 1700000000000,
    metrics: { temp: 1 },
  }),
  validCbor('hand-written v as float16 1.0', fromHex(`a2 ${cborText('v')} f9 3c00 ${METRICS} a1 ${TEMP} 01`), { v: 1, metrics: { temp: 1 } }),
  validCbor('hand-written negative integers', fromHex(`a2 ${V1} ${METRICS} a2 ${cborText('a')} 20 ${cborText('b')} 39 03e7`), {
    v: 1,
    metrics: { a: -1, b: -1000 },
  }),
  validCbor('hand-written indefinite-length maps', fromHex(`bf ${V1} ${METRICS} bf ${TEMP} f9 4d60 ff ff`), base),
];

const valid = [
  ...validBoth('minimal', base),
  ...validBoth('all fields', { v: 1, ts: 1700000000000, seq: 42, metrics: { temp: 21.5, humidity: 40, 'door.open': 1 } }),
  ...validBoth('64 metrics, the maximum', withMetrics(manyMetrics(64))),
  ...validBoth('metric name of 64 characters using every allowed symbol', withMetrics({ [`Z9_.-${'x'.repeat(59)}`]: 1 })),
  ...validBoth('edge values', { v: 1, ts: 0, seq: 0, metrics: { neg: -40.25, zero: 0, huge: 1e300, tiny: 5e-324, safe: 9007199254740991 } }),
  ...validBoth('largest ts and seq', { v: 1, ts: Number.MAX_SAFE_INTEGER, seq: 0xffffffff, metrics: { x: 1 } }),
  validJson('JSON with whitespace, newlines and another key order', '\n {\n  "metrics" : { "temp" : 21.5 } ,\r\n\t"v" : 1 }\n', base),
  validJson('JSON with a UTF-8 byte order mark', jsonBytes([0xef, 0xbb, 0xbf], JSON.stringify(base)), base),
  validJson('JSON numbers written as 1.0, 1.7e12 and 2.15e1', '{"v":1.0,"ts":1.7e12,"metrics":{"temp":2.15e1}}', { v: 1, ts: 1700000000000, metrics: { temp: 21.5 } }),
  validJson('JSON with an escaped character in a key', '{"v":1,"metrics":{"\\u0074emp":21.5}}', base),
  ...handWritten,
];

const badName = (label: string, key: string) => invalidBoth(`metric name ${label}`, withMetrics({ [key]: 1 }), 'E_SCHEMA');
const badCborValue = (label: string, hex: string, error: WireErrorCode = 'E_SCHEMA') => invalidCbor(label, fromHex(`a2 ${V1} ${METRICS} a1 ${TEMP} ${hex}`), error);

const invalid = [
  ...commonInvalidCases(base, { ts: true, seq: true }),
  ...badName('starting with a digit', '1temp'),
  ...badName('starting with an underscore', '_temp'),
  ...badName('of 65 characters', `a${'b'.repeat(64)}`),
  ...badName('with a slash', 'a/b'),
  ...badName('with a space', 'a b'),
  ...badName('with a non-ASCII letter', 'température'),
  ...badName('that is empty', ''),
  ...invalidBoth('65 metrics', withMetrics(manyMetrics(65)), 'E_SCHEMA'),
  ...invalidBoth('empty metrics', withMetrics({}), 'E_SCHEMA'),
  ...invalidBoth('metrics missing', { v: 1, ts: 1 }, 'E_SCHEMA'),
  ...invalidBoth('metrics as an array', withMetrics([21.5]), 'E_SCHEMA'),
  ...invalidBoth('metric value as a string', withMetrics({ temp: '21.5' }), 'E_SCHEMA'),
  ...invalidBoth('metric value null', withMetrics({ temp: null }), 'E_SCHEMA'),
  ...invalidBoth('metric value boolean', withMetrics({ temp: true }), 'E_SCHEMA'),
  ...invalidBoth('metric value object', withMetrics({ temp: { c: 21.5 } }), 'E_SCHEMA'),
  invalidJson('JSON NaN literal', '{"v":1,"metrics":{"temp":NaN}}', 'E_MALFORMED_JSON'),
  invalidJson('JSON Infinity literal', '{"v":1,"metrics":{"temp":Infinity}}', 'E_MALFORMED_JSON'),
  // Valid JSON grammar, but the number does not fit a double: it is not a finite metric.
  invalidJson('JSON number overflowing a double', '{"v":1,"metrics":{"temp":1e400}}', 'E_SCHEMA'),
  badCborValue('CBOR float16 NaN metric', 'f9 7e00'),
  badCborValue('CBOR float16 +Infinity metric', 'f9 7c00'),
  badCborValue('CBOR float16 -Infinity metric', 'f9 fc00'),
  badCborValue('CBOR float32 +Infinity metric', 'fa 7f800000'),
  badCborValue('CBOR float64 NaN metric', 'fb 7ff8000000000000'),
  badCborValue('CBOR bignum tag as a metric value', 'c2 41 05', 'E_MALFORMED_CBOR'),
  badCborValue('CBOR byte string as a metric value', '42 0102', 'E_MALFORMED_CBOR'),
  badCborValue('CBOR undefined as a metric value', 'f7', 'E_MALFORMED_CBOR'),
  invalidCbor('CBOR integer map key in metrics', fromHex(`a2 ${V1} ${METRICS} a1 01 01`), 'E_MALFORMED_CBOR'),
  invalidCbor('CBOR uint64 ts above 2^53', fromHex(`a3 ${V1} ${cborText('ts')} 1b 0020000000000001 ${METRICS} a1 ${TEMP} 01`), 'E_SCHEMA'),
  invalidCbor('CBOR uint64 seq above uint32', fromHex(`a3 ${V1} ${cborText('seq')} 1b 0000000100000000 ${METRICS} a1 ${TEMP} 01`), 'E_SCHEMA'),
  invalidCbor('CBOR date/time tag 1 as ts', fromHex(`a3 ${V1} ${cborText('ts')} c1 1a 6553f100 ${METRICS} a1 ${TEMP} 01`), 'E_MALFORMED_CBOR'),
  invalidCbor('CBOR metric name with invalid UTF-8', fromHex(`a2 ${V1} ${METRICS} a1 62 74ff 01`), 'E_MALFORMED_CBOR'),
];

export const telemetryCases: Cases = { valid, invalid };
