import { Decoder, Encoder, type Options } from 'cbor-x';

export type Encoding = 'json' | 'cbor';

// Plain RFC 8949 CBOR: no cbor-x record extension (tag 105), maps decode to plain objects,
// so a C or Python decoder sees exactly what we send. Decoding messages is held to the same subset
// by cbor-profile.ts before cbor-x sees the bytes; decodeCbor itself accepts whatever cbor-x does.
const cborEncoder = new Encoder({ useRecords: false, mapsAsObjects: true, variableMapSize: true });
// int64AsNumber: firmware writes epoch-ms timestamps as CBOR uint64 (0x1b …), which cbor-x would otherwise
// return as a bigint that no number field accepts. Past 2^53 precision is lost exactly as JSON.parse loses it,
// and every integer field caps at MAX_SAFE_INTEGER. (The option is missing from cbor-x's typings.)
const decoderOptions: Options & { int64AsNumber: boolean } = { useRecords: false, mapsAsObjects: true, int64AsNumber: true };
const cborDecoder = new Decoder(decoderOptions);

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
