import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceErrorSchema } from './messages/index.js';
import { isWireErrorCode, ProtocolError, WIRE_ERROR_CODES, WIRE_ERRORS } from './wire-errors.js';

describe('wire error catalogue', () => {
  it('has unique, well-formed codes', () => {
    assert.equal(new Set(WIRE_ERROR_CODES).size, WIRE_ERROR_CODES.length);
    assert.deepEqual(WIRE_ERROR_CODES, Object.keys(WIRE_ERRORS));
    for (const code of WIRE_ERROR_CODES) assert.match(code, /^E_[A-Z][A-Z_]*[A-Z]$/);
  });

  it('has unique numbers that fit firmware (1000-9999) and a text and retry flag for each', () => {
    const nums = WIRE_ERROR_CODES.map((code) => WIRE_ERRORS[code].num);
    assert.equal(new Set(nums).size, nums.length, `duplicate numbers in ${nums.join(', ')}`);
    for (const code of WIRE_ERROR_CODES) {
      const { num, retryable, text } = WIRE_ERRORS[code];
      assert.ok(Number.isInteger(num) && num >= 1000 && num <= 9999, `${code} num ${num}`);
      assert.equal(typeof retryable, 'boolean');
      assert.ok(text.length > 0 && text.length <= 512, `${code} text`);
    }
  });

  it('is exactly what the deviceError message may carry', () => {
    assert.deepEqual([...deviceErrorSchema.shape.code.options].sort(), [...WIRE_ERROR_CODES].sort());
  });

  it('recognises its own codes and nothing inherited from Object.prototype', () => {
    for (const code of WIRE_ERROR_CODES) assert.equal(isWireErrorCode(code), true);
    for (const other of ['', 'E_NOPE', 'e_schema', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) assert.equal(isWireErrorCode(other), false, other);
  });

  it('ProtocolError carries code, retry flag, path and cause', () => {
    const cause = new Error('inner');
    const err = new ProtocolError('E_RATE_LIMITED', 'slow down', { cause, path: 'metrics.temp' });
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'ProtocolError');
    assert.equal(err.code, 'E_RATE_LIMITED');
    assert.equal(err.retryable, true);
    assert.equal(err.path, 'metrics.temp');
    assert.equal(err.cause, cause);
    assert.equal(err.message, `${WIRE_ERRORS.E_RATE_LIMITED.text}: slow down`);
    const bare = new ProtocolError('E_SCHEMA');
    assert.equal(bare.message, WIRE_ERRORS.E_SCHEMA.text);
    assert.equal(bare.retryable, false);
    assert.equal(bare.path, undefined);
  });
});
