import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeCbor,
  encodeMessage,
  isWireErrorCode,
  MESSAGE_SCHEMAS,
  type MessageName,
  ProtocolError,
  UPLINK_MESSAGE_BY_KIND,
  validateMessage,
} from '../src/index.js';
import { cborSample } from './cbor-arbitrary.js';

// Fixed seed and bounded runs: the same inputs every time, a few seconds on a slow 2-core box.
// For a longer hunt: FUZZ_SEED=<n> FUZZ_SCALE=100 node scripts/run-tests.mjs codec-fuzz
const SEED = Number(process.env.FUZZ_SEED ?? 0x0b5e55ed);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const RUNS = 300 * SCALE;
const UPLINK = [...new Set(Object.values(UPLINK_MESSAGE_BY_KIND))] as MessageName[];
const vectorDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-vectors');
const bytesOf = (hex: string) => Buffer.from(hex, 'hex');

interface Seed {
  bytes: Buffer;
  decoded: Record<string, unknown>;
}
function validSeeds(name: MessageName): Seed[] {
  const file = JSON.parse(readFileSync(join(vectorDir, `${name}.json`), 'utf8')) as { valid: { payloadHex: string; decoded: Record<string, unknown> }[] };
  return file.valid.map((v) => ({ bytes: bytesOf(v.payloadHex), decoded: v.decoded }));
}

// Compared as JSON text with sorted keys: -0 and 0 are equal (CBOR keeps the sign of zero, JSON cannot),
// and key order is not part of a message (the schema emits its own order).
const sortKeys = (_key: string, value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value;
const same = (a: unknown, b: unknown) => JSON.stringify(a, sortKeys) === JSON.stringify(b, sortKeys);

/**
 * The contract under fuzz: `decodeMessage` gives back a message or throws a `ProtocolError` with a
 * catalogued code, nothing else; and a message it gives back is plain JSON data that validates again
 * after a JSON round trip and re-encodes in both encodings to the same message.
 */
function checkDecode(name: MessageName, bytes: Uint8Array): unknown {
  let message: unknown;
  try {
    message = decodeMessage(name, bytes, { maxBytes: 64 * 1024 }).message;
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `non-ProtocolError for ${Buffer.from(bytes).toString('hex')}: ${String(err)}`);
    assert.ok(isWireErrorCode(err.code), `unknown code ${err.code}`);
    return err;
  }
  assert.ok(same(validateMessage(name, JSON.parse(JSON.stringify(message))), message), 'does not survive a JSON round trip');
  for (const encoding of ['json', 'cbor'] as const) {
    assert.ok(same(decodeMessage(name, encodeMessage(name, message as never, encoding)).message, message), `${encoding} re-encode changed it`);
  }
  return message;
}

type Mutation = { op: 'flip' | 'insert' | 'delete' | 'truncate' | 'overwrite'; at: number; byte: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'overwrite'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(bytes: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const { op, at, byte } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === 'flip' && out.length > 0) out[i] = (out[i] as number) ^ (1 << (byte % 8));
    else if (op === 'overwrite' && out.length > 0) out[i] = byte;
    else if (op === 'insert') out = Buffer.concat([out.subarray(0, i), Buffer.of(byte), out.subarray(i)]);
    else if (op === 'delete') out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
    else if (op === 'truncate') out = out.subarray(0, i);
  }
  return out;
}

function shapeKeys(name: MessageName): string[] {
  return Object.keys((MESSAGE_SCHEMAS[name] as unknown as { shape: Record<string, unknown> }).shape);
}

for (const name of UPLINK) {
  describe(`decodeMessage('${name}') under fuzz`, () => {
    const seeds = validSeeds(name);
    const params = { seed: SEED, numRuns: RUNS };

    it('random bytes, bare or behind a JSON or CBOR-map first byte', () => {
      const prefix = fc.constantFrom([], [0x7b], [0xa1], [0xa3], [0xbf]);
      fc.assert(fc.property(prefix, fc.uint8Array({ maxLength: 96 }), (p, b) => void checkDecode(name, Buffer.concat([Buffer.from(p), b]))), params);
    });

    it('random JSON texts', () => {
      fc.assert(fc.property(fc.json({ maxDepth: 3 }), (text) => void checkDecode(name, Buffer.from(text))), params);
    });

    it('random values encoded with cbor-x, including tags for dates, maps, sets and typed arrays', () => {
      const anything = fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true });
      fc.assert(fc.property(anything, (value) => void checkDecode(name, encodeCbor(value))), params);
    });

    it('valid messages with one field replaced, removed or added, in both encodings', () => {
      const keys = [...shapeKeys(name), 'extra'];
      const edit = fc.record({ seed: fc.constantFrom(...seeds), key: fc.constantFrom(...keys), value: fc.option(fc.jsonValue({ maxDepth: 2 })) });
      let accepted = 0;
      fc.assert(
        fc.property(edit, ({ seed, key, value }) => {
          const edited: Record<string, unknown> = { ...seed.decoded };
          if (value === null) delete edited[key];
          else edited[key] = value;
          for (const bytes of [Buffer.from(JSON.stringify(edited)), encodeCbor(edited)]) {
            if (!(checkDecode(name, bytes) instanceof ProtocolError)) accepted++;
          }
        }),
        params,
      );
      // Otherwise the round-trip half of the contract was never exercised.
      assert.ok(accepted > 0, 'no edited message was accepted');
    });

    it('byte-level mutations of valid JSON and CBOR payloads', () => {
      const seedArb = fc.constantFrom(...seeds);
      let accepted = 0;
      fc.assert(
        fc.property(seedArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ops) => {
          if (!(checkDecode(name, mutate(seed.bytes, ops)) instanceof ProtocolError)) accepted++;
        }),
        params,
      );
      assert.ok(accepted > 0, 'no mutated payload was accepted');
    });
  });
}

describe('CBOR profile under fuzz', () => {
  it('hand-built CBOR inside a free-form field: accepted exactly when in the profile and finite', () => {
    // state.reported.x holds any JSON value, so only the CBOR item itself decides the outcome.
    const prefix = 'a2 6176 01 68 7265706f72746564 a1 6178'.replaceAll(' ', '');
    fc.assert(
      fc.property(cborSample, (item) => {
        const outcome = checkDecode('state', bytesOf(prefix + item.hex));
        if (!item.inProfile) assert.equal((outcome as ProtocolError).code, 'E_MALFORMED_CBOR');
        else if (!item.finite) assert.equal((outcome as ProtocolError).code, 'E_SCHEMA');
        else assert.ok(same(outcome, { v: 1, reported: { x: item.value } }), `decoded ${JSON.stringify(outcome)}`);
      }),
      { seed: SEED, numRuns: 1000 * SCALE },
    );
  });

  it('a refused payload leaves the shared decoder clean for the next one', () => {
    const good = validSeeds('telemetry').filter((s) => s.bytes[0] !== undefined && s.bytes[0] >= 0x80);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.constantFrom(...good), (junk, seed) => {
        checkDecode('telemetry', Buffer.concat([Buffer.of(0xa2), junk]));
        assert.ok(same(decodeMessage('telemetry', seed.bytes).message, seed.decoded));
      }),
      { seed: SEED, numRuns: 300 * SCALE },
    );
  });
});
