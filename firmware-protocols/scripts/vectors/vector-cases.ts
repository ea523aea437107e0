import { encodeCbor, type Encoding, type MessageName, type WireErrorCode } from '../../src/index.js';

/** A payload every codec must accept, and the object it must decode to (defaults filled in). */
export interface ValidVector {
  name: string;
  encoding: Encoding;
  payloadHex: string;
  decoded: Record<string, unknown>;
}

/** A payload every codec must refuse, with the wire error code it must refuse it with. */
export interface InvalidVector {
  name: string;
  encoding: Encoding;
  payloadHex: string;
  error: WireErrorCode;
  /** Decode with this size limit; only the payload-size cases carry it. */
  maxBytes?: number;
}

export interface VectorFile {
  message: MessageName;
  valid: ValidVector[];
  invalid: InvalidVector[];
}

export type Cases = Omit<VectorFile, 'message'>;
type Payload = string | Uint8Array;

const utf8 = new TextEncoder();

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Bytes from hand-written hex; whitespace is allowed so the CBOR structure can be laid out for readers. */
export function fromHex(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/.test(clean)) throw new Error(`bad hand-written hex: ${text}`);
  return Buffer.from(clean, 'hex');
}

function bytesOf(payload: Payload): Uint8Array {
  return typeof payload === 'string' ? utf8.encode(payload) : payload;
}

/** JSON text with raw bytes spliced in, for payloads no string can spell (bad UTF-8, a BOM). */
export function jsonBytes(...parts: (string | number[])[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? utf8.encode(part) : Uint8Array.from(part))));
}

/** The same message as compact JSON and as CBOR from the package's own encoder. */
export function validBoth(name: string, value: Record<string, unknown>, decoded: Record<string, unknown> = value): ValidVector[] {
  return [validJson(name, JSON.stringify(value), decoded), validCbor(name, encodeCbor(value), decoded)];
}

export function validJson(name: string, payload: Payload, decoded: Record<string, unknown>): ValidVector {
  return { name, encoding: 'json', payloadHex: toHex(bytesOf(payload)), decoded };
}

export function validCbor(name: string, payload: Uint8Array, decoded: Record<string, unknown>): ValidVector {
  return { name, encoding: 'cbor', payloadHex: toHex(payload), decoded };
}

/** A value the schema refuses, sent both ways: the error must not depend on the encoding. */
export function invalidBoth(name: string, value: unknown, error: WireErrorCode): InvalidVector[] {
  return [invalidJson(name, JSON.stringify(value), error), invalidCbor(name, encodeCbor(value), error)];
}

export function invalidJson(name: string, payload: Payload, error: WireErrorCode, maxBytes?: number): InvalidVector {
  const vector: InvalidVector = { name, encoding: 'json', payloadHex: toHex(bytesOf(payload)), error };
  if (maxBytes !== undefined) vector.maxBytes = maxBytes;
  return vector;
}

export function invalidCbor(name: string, payload: Uint8Array, error: WireErrorCode, maxBytes?: number): InvalidVector {
  const vector: InvalidVector = { name, encoding: 'cbor', payloadHex: toHex(payload), error };
  if (maxBytes !== undefined) vector.maxBytes = maxBytes;
  return vector;
}

/** `count` metrics named m01, m02, … with distinct values. */
export function manyMetrics(count: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 1; i <= count; i++) out[`m${String(i).padStart(2, '0')}`] = i / 4;
  return out;
}

/** CBOR head + UTF-8 bytes of a short text string (< 24 bytes), for hand-written maps. */
export function cborText(text: string): string {
  const bytes = utf8.encode(text);
  if (bytes.length >= 24) throw new Error(`cborText is for short strings: ${text}`);
  return toHex(Uint8Array.of(0x60 + bytes.length, ...bytes));
}

/** A free-form (`props`) value using every JSON type, nesting and non-ASCII text. */
export const jsonRichProps = { code: 17, text: 'über-temperature ✓', nested: { list: [1, 'two', null, true, { x: 1.5 }], empty: {}, none: [] }, off: false };
