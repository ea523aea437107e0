import type { z } from 'zod';
import { MESSAGE_SCHEMAS, type MessageName, type MessageOf, PROTOCOL_VERSION } from '../messages/index.js';
import { ProtocolError } from '../wire-errors.js';
import { checkCborProfile } from './cbor-profile.js';
import { decodeCbor, encodeCbor, type Encoding, sniffEncoding } from './encoding.js';
import { findNonJsonData, omitUndefined } from './json-data.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodeOptions {
  /** Refuse payloads larger than this many bytes with `E_PAYLOAD_TOO_LARGE`. */
  maxBytes?: number;
  /** Force an encoding instead of sniffing it from the first byte. */
  encoding?: Encoding;
}

export interface Decoded<N extends MessageName> {
  message: MessageOf<N>;
  encoding: Encoding;
}

function parseBytes(bytes: Uint8Array, encoding: Encoding): unknown {
  if (encoding === 'json') {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch (cause) {
      throw new ProtocolError('E_MALFORMED_JSON', 'not valid UTF-8', { cause });
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new ProtocolError('E_MALFORMED_JSON', (cause as Error).message, { cause });
    }
  }
  checkCborProfile(bytes);
  try {
    return decodeCbor(bytes);
  } catch (cause) {
    throw new ProtocolError('E_MALFORMED_CBOR', (cause as Error).message, { cause });
  }
}

// The version goes into an error message: it may be a bigint, a cycle or a huge string off the wire.
function describeVersion(version: unknown): string {
  let text: string | undefined;
  try {
    text = typeof version === 'bigint' ? `${version}n` : JSON.stringify(version);
  } catch {
    text = undefined;
  }
  text ??= typeof version;
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}

function formatIssue(issue: z.core.$ZodIssue): { path: string; detail: string } {
  const path = issue.path.map(String).join('.');
  return { path, detail: path ? `${path}: ${issue.message}` : issue.message };
}

/**
 * Check an already-parsed value against a message schema; throws `ProtocolError` on any mismatch.
 * Values outside the JSON data model (undefined, bigint, Date, Map, byte strings, cycles) are refused
 * even inside free-form fields, so a CBOR payload can never decode to something JSON cannot carry.
 */
export function validateMessage<N extends MessageName>(name: N, value: unknown): MessageOf<N> {
  return checkMessage(name, value, true);
}

// JSON.parse can only produce JSON data, so the walk for non-JSON values is skipped for JSON payloads
// (it is on the ingest hot path); CBOR still gets it, since CBOR floats can carry NaN and Infinity.
function checkMessage<N extends MessageName>(name: N, value: unknown, checkJsonData: boolean): MessageOf<N> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('E_SCHEMA', `expected an object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  const version = (value as { v?: unknown }).v;
  if (version === undefined) throw new ProtocolError('E_SCHEMA', 'v: version field is required', { path: 'v' });
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError('E_UNSUPPORTED_VERSION', `got ${describeVersion(version)}, this gateway speaks ${PROTOCOL_VERSION}`, { path: 'v' });
  }
  const nonJson = checkJsonData ? findNonJsonData(value) : null;
  if (nonJson) {
    const path = nonJson.path.map(String).join('.');
    throw new ProtocolError('E_SCHEMA', `${path}: ${nonJson.reason}`, { path });
  }
  const result = MESSAGE_SCHEMAS[name].safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    const { path, detail } = first ? formatIssue(first) : { path: '', detail: 'invalid' };
    throw new ProtocolError('E_SCHEMA', detail, { path });
  }
  return result.data as MessageOf<N>;
}

/**
 * Decode a payload (JSON or CBOR, sniffed unless forced) into a validated message.
 * Throws only `ProtocolError`, whatever the bytes are.
 */
export function decodeMessage<N extends MessageName>(name: N, bytes: Uint8Array, options: DecodeOptions = {}): Decoded<N> {
  if (options.maxBytes !== undefined && bytes.byteLength > options.maxBytes) {
    throw new ProtocolError('E_PAYLOAD_TOO_LARGE', `${bytes.byteLength} bytes > ${options.maxBytes}`);
  }
  if (bytes.byteLength === 0) throw new ProtocolError('E_UNKNOWN_ENCODING', 'empty payload');
  const encoding = options.encoding ?? sniffEncoding(bytes);
  let value: unknown;
  try {
    value = parseBytes(bytes, encoding);
    return { message: checkMessage(name, value, encoding === 'cbor'), encoding };
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    // A schema refinement or a decoder bug must still come out typed.
    throw new ProtocolError('E_SCHEMA', (err as Error).message, { cause: err });
  }
}

/**
 * Validate and encode a message. Invalid messages throw `ProtocolError` instead of reaching the wire.
 * Properties set to `undefined` are left out in both encodings, as `JSON.stringify` would.
 */
export function encodeMessage<N extends MessageName>(name: N, message: z.input<(typeof MESSAGE_SCHEMAS)[N]>, encoding: Encoding = 'json'): Buffer {
  const valid = validateMessage(name, omitUndefined(message));
  return encoding === 'json' ? Buffer.from(JSON.stringify(valid)) : encodeCbor(valid);
}
