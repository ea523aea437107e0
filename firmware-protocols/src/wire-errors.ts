/**
 * Wire error codes: what a gateway tells a device (on its `errors` topic) and what crosses
 * process boundaries. Stable strings for people and logs, stable numbers for firmware.
 * `retryable` says whether sending the same thing again later can succeed.
 */
export const WIRE_ERRORS = {
  E_MALFORMED_JSON: { num: 1001, retryable: false, text: 'payload looks like JSON but does not parse' },
  E_MALFORMED_CBOR: { num: 1002, retryable: false, text: 'payload looks like CBOR but does not decode' },
  E_UNKNOWN_ENCODING: { num: 1003, retryable: false, text: 'payload is neither a JSON object nor a CBOR map' },
  E_SCHEMA: { num: 1004, retryable: false, text: 'payload does not match the message schema' },
  E_UNSUPPORTED_VERSION: { num: 1005, retryable: false, text: 'message version is not supported' },
  E_PAYLOAD_TOO_LARGE: { num: 1006, retryable: false, text: 'payload exceeds the maximum size' },
  E_TOPIC_NOT_ALLOWED: { num: 1101, retryable: false, text: 'topic is outside the device namespace or not publishable' },
  E_SUBSCRIBE_NOT_ALLOWED: { num: 1102, retryable: false, text: 'subscription is outside the device namespace' },
  E_BAD_CREDENTIALS: { num: 1201, retryable: false, text: 'unknown device or wrong secret' },
  E_DEVICE_REVOKED: { num: 1202, retryable: false, text: 'device credentials were revoked' },
  E_RATE_LIMITED: { num: 1301, retryable: true, text: 'message rate above the device limit; slow down' },
  E_TOO_MANY_CONNECTIONS: { num: 1302, retryable: true, text: 'too many connections from this address' },
  E_CONNECT_RATE: { num: 1303, retryable: true, text: 'gateway is refusing new connections for a moment (connect storm)' },
  E_STORE_FULL: { num: 1401, retryable: true, text: 'store disk budget exhausted; raw readings are refused' },
  E_INTERNAL: { num: 1501, retryable: true, text: 'internal gateway error' },
  E_SYNC_UNAUTHENTICATED: { num: 1601, retryable: false, text: 'missing or unknown gateway credential' },
  E_SYNC_REVOKED: { num: 1602, retryable: false, text: 'this gateway was revoked by the hub' },
  E_ENROLL_TOKEN: { num: 1603, retryable: false, text: 'enrollment token unknown, expired or already used' },
  E_SYNC_SEQUENCE: { num: 1604, retryable: true, text: 'batch does not continue the acknowledged sequence; resume from the last ack' },
  E_SYNC_BATCH_TOO_LARGE: { num: 1605, retryable: true, text: 'batch exceeds the size limit; send smaller batches' },
  E_SYNC_PAYLOAD: { num: 1606, retryable: false, text: 'record payload does not match its data class schema; quarantined at the hub' },
  E_SYNC_PROTOCOL_VERSION: { num: 1607, retryable: false, text: 'sync protocol version not supported by the hub' },
} as const;

export type WireErrorCode = keyof typeof WIRE_ERRORS;

export const WIRE_ERROR_CODES = Object.keys(WIRE_ERRORS) as WireErrorCode[];

export function isWireErrorCode(value: string): value is WireErrorCode {
  return Object.hasOwn(WIRE_ERRORS, value);
}

/** The typed error every decoder in this package throws; nothing else escapes a decode. */
export class ProtocolError extends Error {
  readonly code: WireErrorCode;
  readonly retryable: boolean;
  /** Where in the message the problem is (a JSON path such as `metrics.temp`), when known. */
  readonly path: string | undefined;

  constructor(code: WireErrorCode, detail?: string, options?: { cause?: unknown; path?: string }) {
    super(detail ? `${WIRE_ERRORS[code].text}: ${detail}` : WIRE_ERRORS[code].text, { cause: options?.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.retryable = WIRE_ERRORS[code].retryable;
    this.path = options?.path;
  }
}
