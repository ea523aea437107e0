import { ProtocolError } from '../wire-errors.js';

/**
 * Whether `bytes[start, end)` is well-formed UTF-8 (Unicode table 3-7: no overlong forms, no surrogates,
 * nothing above U+10FFFF). Hand-rolled because a fatal TextDecoder per string cost more than the whole
 * cbor-x decode of a small message.
 */
export function isWellFormedUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const trail = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (trail === 0 || i + trail >= end) return false;
    // Only the first continuation byte has a narrower range, and only after these lead bytes.
    const second = bytes[i + 1] as number;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return false;
    for (let k = 2; k <= trail; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return false;
    i += trail + 1;
  }
  return true;
}

function fail(at: number, detail: string): never {
  throw new ProtocolError('E_MALFORMED_CBOR', `${detail} (item at byte ${at})`);
}

/**
 * The CBOR subset the protocol speaks, checked before cbor-x sees the bytes. cbor-x understands far more
 * than RFC 8949 basics (its record tags turn a tagged array into an object, shared-reference tags build
 * cycles, typed-array and date tags build class instances), so without this check the same bytes would
 * decode to a message here and to something else, or nothing, in a C decoder.
 *
 * Allowed: integers, UTF-8 text strings of definite length (given in at most 4 bytes), arrays and maps
 * of definite or indefinite length, map keys that are text strings, false, true, null, and
 * half/single/double floats. Everything else (tags, byte strings, undefined and other simple values,
 * bad UTF-8, trailing bytes) is refused as `E_MALFORMED_CBOR`. Iterative, so nesting depth cannot
 * overflow the stack.
 */
export function checkCborProfile(bytes: Uint8Array): void {
  const end = bytes.length;
  // One entry per open array or map: items still expected (-1 while indefinite), items seen so far
  // (in a map, an even count means the next item is a key), and whether it is a map.
  const left: number[] = [];
  const seen: number[] = [];
  const isMap: boolean[] = [];
  let depth = 0;
  let pos = 0;
  for (;;) {
    if (pos >= end) fail(pos, 'unexpected end of data');
    const at = pos;
    const initial = bytes[pos++] as number;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (initial === 0xff) {
      if (depth === 0 || left[depth - 1] !== -1) fail(at, 'break outside an indefinite-length item');
      if (isMap[depth - 1] && (seen[depth - 1] as number) % 2 === 1) fail(at, 'map ends between a key and its value');
      depth--;
    } else {
      if (depth > 0 && isMap[depth - 1] && (seen[depth - 1] as number) % 2 === 0 && major !== 3) fail(at, 'map key is not a text string');
      let arg = info;
      if (info === 31) {
        if (major !== 4 && major !== 5) fail(at, 'indefinite length where none is allowed');
        arg = -1;
      } else if (info > 27) fail(at, `reserved additional information ${info}`);
      else if (info >= 24) {
        const size = 1 << (info - 24);
        if (pos + size > end) fail(at, 'unexpected end of data');
        // Multiplication, not shifts (32-bit signed in JS); past 2^53 the value is only compared with lengths.
        arg = 0;
        for (let k = 0; k < size; k++) arg = arg * 256 + (bytes[pos + k] as number);
        pos += size;
      }
      if (major === 2) fail(at, 'byte strings are not part of the protocol');
      else if (major === 3) {
        // cbor-x's native string extractor (cbor-extract) refuses 8-byte lengths after some strings while
        // its JS fallback accepts them; no message needs them, so they are refused everywhere alike.
        if (info === 27) fail(at, 'text string length in 8 bytes');
        if (arg > end - pos) fail(at, 'unexpected end of data');
        if (!isWellFormedUtf8(bytes, pos, pos + arg)) fail(at, 'text string is not valid UTF-8');
        pos += arg;
      } else if (major === 4 || major === 5) {
        const items = arg === -1 ? -1 : major === 5 ? arg * 2 : arg;
        // Every item takes at least one byte, so a count beyond the bytes left is a truncation.
        if (items > end - pos) fail(at, 'unexpected end of data');
        if (items !== 0) {
          left[depth] = items;
          seen[depth] = 0;
          isMap[depth] = major === 5;
          depth++;
          continue;
        }
      } else if (major === 6) fail(at, 'tags are not part of the protocol');
      else if (major === 7 && (info < 20 || info === 23 || info === 24)) {
        // Left: false, true, null, and half, single and double floats.
        fail(at, info === 23 ? 'undefined is not part of the protocol' : 'unassigned simple value');
      }
    }
    // An item is complete: count it in its container, and close definite containers that are now full.
    for (;;) {
      if (depth === 0) {
        if (pos !== end) fail(pos, 'trailing bytes after the message');
        return;
      }
      seen[depth - 1] = (seen[depth - 1] as number) + 1;
      const remaining = left[depth - 1] as number;
      if (remaining === -1) break;
      left[depth - 1] = remaining - 1;
      if (remaining > 1) break;
      depth--;
    }
  }
}
