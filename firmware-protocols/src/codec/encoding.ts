import { Decoder, Encoder } from 'cbor-x';

export type Encoding = 'json' | 'cbor';

// Plain RFC 8949 CBOR: no cbor-x record extension (tag 105), maps decode to plain objects,
// so a C or Python decoder sees exactly what we send.
const cborEncoder = new Encoder({ useRecords: false, mapsAsObjects: true, variableMapSize: true });
const cborDecoder = new Decoder({ useRecords: false, mapsAsObjects: true });

export function encodeCbor(value: unknown): Buffer {
  return cborEncoder.encode(value);
}

export function decodeCbor(bytes: Uint8Array): unknown {
  return cborDecoder.decode(bytes);
}

/**
 * Decide how a payload was encoded from its first byte. Anything that starts like text
 * (printable ASCII, whitespace or a UTF-8 BOM) is taken as JSON; everything else as CBOR,
 * whose messages are maps (major type 5, 0xa0–0xbf).
 */
export function sniffEncoding(bytes: Uint8Array): Encoding {
  const first = bytes[0];
  if (first === undefined) return 'json';
  if (first === 0xef || first === 0x09 || first === 0x0a || first === 0x0d) return 'json';
  if (first >= 0x20 && first <= 0x7e) return 'json';
  return 'cbor';
}
