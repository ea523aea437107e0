import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { buildVectorFiles, serializeVectorFile, vectorFileName } from '../scripts/vectors/build-vectors.js';
import {
  decodeMessage,
  type Encoding,
  encodeMessage,
  MESSAGE_SCHEMAS,
  type MessageName,
  ProtocolError,
  sniffEncoding,
  WIRE_ERRORS,
  type WireErrorCode,
} from '../src/index.js';

const vectorDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-vectors');
const MESSAGE_NAMES = Object.keys(MESSAGE_SCHEMAS) as MessageName[];
const ENCODINGS: Encoding[] = ['json', 'cbor'];

// Read as plain JSON on purpose: this is what a harness in any other language sees.
interface FileVector {
  name: string;
  encoding: Encoding;
  payloadHex: string;
  decoded?: Record<string, unknown>;
  error?: WireErrorCode;
  maxBytes?: number;
}

function readVectorFile(message: MessageName): { message: string; valid: FileVector[]; invalid: FileVector[] } {
  return JSON.parse(readFileSync(join(vectorDir, vectorFileName(message)), 'utf8'));
}

function decodeError(message: MessageName, bytes: Uint8Array, maxBytes?: number): ProtocolError | null {
  try {
    decodeMessage(message, bytes, maxBytes === undefined ? {} : { maxBytes });
    return null;
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `a non-ProtocolError escaped: ${String(err)}`);
    return err;
  }
}

function assertWellFormed(vector: FileVector, kind: 'valid' | 'invalid'): void {
  const keys = Object.keys(vector).sort();
  const expected = kind === 'valid' ? ['decoded', 'encoding', 'name', 'payloadHex'] : ['encoding', 'error', 'name', 'payloadHex'];
  if (kind === 'invalid' && 'maxBytes' in vector) expected.push('maxBytes');
  assert.deepEqual(keys, expected.sort(), `"${vector.name}" has fields ${keys.join(', ')}`);
  assert.match(vector.payloadHex, /^(?:[0-9a-f]{2})*$/, `"${vector.name}" payloadHex is not lower-case hex`);
  assert.ok(ENCODINGS.includes(vector.encoding), `"${vector.name}" encoding ${vector.encoding}`);
}

describe('test vectors', () => {
  it('has exactly one file per message', () => {
    const onDisk = readdirSync(vectorDir).filter((name) => name.endsWith('.json')).sort();
    assert.deepEqual(onDisk, MESSAGE_NAMES.map(vectorFileName).sort());
  });

  it('are what the generator writes (run `npm run vectors -w @outpost/protocols` if not)', () => {
    for (const file of buildVectorFiles()) {
      const onDisk = readFileSync(join(vectorDir, vectorFileName(file.message)), 'utf8');
      assert.ok(onDisk === serializeVectorFile(file), `test-vectors/${vectorFileName(file.message)} is out of date`);
    }
  });

  it('document every decode error code with its number', () => {
    const readme = readFileSync(join(vectorDir, 'README.md'), 'utf8');
    const used = new Set(MESSAGE_NAMES.flatMap((message) => readVectorFile(message).invalid.map((v) => v.error as WireErrorCode)));
    for (const code of used) assert.match(readme, new RegExp(`\\| \`${code}\` \\| ${WIRE_ERRORS[code].num} \\|`), `README table lacks ${code}`);
  });

  for (const message of MESSAGE_NAMES) {
    describe(message, () => {
      const file = readVectorFile(message);

      it('names its message and has valid and invalid cases', () => {
        assert.equal(file.message, message);
        assert.ok(file.valid.length >= 2 && file.invalid.length >= 10, `${file.valid.length} valid, ${file.invalid.length} invalid`);
      });

      it('valid vectors decode to exactly `decoded` and survive a re-encode in both encodings', () => {
        const failures: string[] = [];
        for (const vector of file.valid) {
          assertWellFormed(vector, 'valid');
          const label = `${vector.encoding} "${vector.name}"`;
          const bytes = Buffer.from(vector.payloadHex, 'hex');
          const error = decodeError(message, bytes);
          if (error) {
            failures.push(`${label}: refused with ${error.code}: ${error.message}`);
            continue;
          }
          const { message: decoded, encoding } = decodeMessage(message, bytes);
          if (encoding !== vector.encoding) failures.push(`${label}: detected as ${encoding}`);
          if (!isDeepStrictEqual(decoded, vector.decoded)) failures.push(`${label}: decoded to ${JSON.stringify(decoded)}`);
          for (const target of ENCODINGS) {
            const again = decodeMessage(message, encodeMessage(message, vector.decoded as never, target)).message;
            if (!isDeepStrictEqual(again, vector.decoded)) failures.push(`${label}: ${target} round trip gave ${JSON.stringify(again)}`);
          }
        }
        assert.deepEqual(failures, []);
      });

      it('invalid vectors are refused with exactly their wire error code', () => {
        const failures: string[] = [];
        for (const vector of file.invalid) {
          assertWellFormed(vector, 'invalid');
          const label = `${vector.encoding} "${vector.name}"`;
          const bytes = Buffer.from(vector.payloadHex, 'hex');
          if (sniffEncoding(bytes) !== vector.encoding) failures.push(`${label}: first byte sniffs as ${sniffEncoding(bytes)}`);
          const error = decodeError(message, bytes, vector.maxBytes);
          if (!error) failures.push(`${label}: accepted, expected ${vector.error}`);
          else if (error.code !== vector.error) failures.push(`${label}: ${error.code} (${error.message}), expected ${vector.error}`);
        }
        assert.deepEqual(failures, []);
      });
    });
  }
});
