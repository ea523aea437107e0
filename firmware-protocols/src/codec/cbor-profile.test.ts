import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isWellFormedUtf8 } from './cbor-profile.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function decoderAccepts(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('UTF-8 check of CBOR text strings', () => {
  it('agrees with a fatal TextDecoder on the edge cases of Unicode table 3-7', () => {
    const cases = ['', '41', 'c280', 'c1bf', 'c0af', 'dfbf', 'e0a080', 'e09f80', 'ed9fbf', 'eda080', 'efbfbf', 'f0908080', 'f08f8080', 'f48fbfbf', 'f4908080', 'f5808080', 'e282', 'e282ac', 'c3', '80', 'ff', 'efbbbf41'];
    for (const hex of cases) {
      const bytes = Buffer.from(hex, 'hex');
      assert.equal(isWellFormedUtf8(bytes, 0, bytes.length), decoderAccepts(bytes), hex);
    }
  });

  it('agrees with a fatal TextDecoder on random bytes and random text, within any window', () => {
    // High bytes are weighted up, or almost every sample would fail on its first byte.
    const byte = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }));
    const bytes = fc.oneof(fc.array(byte, { maxLength: 12 }).map((b) => Uint8Array.from(b)), fc.string({ unit: 'binary', maxLength: 8 }).map((s) => Buffer.from(s, 'utf8')));
    fc.assert(
      fc.property(bytes, fc.nat(), fc.nat(), (all, a, b) => {
        const start = all.length ? a % all.length : 0;
        const end = start + (all.length - start ? b % (all.length - start + 1) : 0);
        assert.equal(isWellFormedUtf8(all, start, end), decoderAccepts(all.subarray(start, end)));
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});
