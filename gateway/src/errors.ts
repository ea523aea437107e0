import type { WireErrorCode } from '@outpost/protocols';

/**
 * The gateway's error catalogue. Codes are stable: operators search logs and docs by them.
 * `retryable` says whether the same operation can succeed later without a change.
 */
export const GATEWAY_ERRORS = {
  GW_ERR_CONFIG: { retryable: false, text: 'invalid configuration' },
  GW_ERR_BAD_REQUEST: { retryable: false, text: 'bad request' },
  GW_ERR_UNAUTHORIZED: { retryable: false, text: 'missing or wrong API token' },
  GW_ERR_DEVICE_EXISTS: { retryable: false, text: 'a device with this id already exists' },
  GW_ERR_DEVICE_NOT_FOUND: { retryable: false, text: 'no such device' },
  GW_ERR_DEVICE_ID: { retryable: false, text: 'invalid device id' },
  GW_ERR_AUTH: { retryable: false, text: 'authentication failed' },
  GW_ERR_ACL: { retryable: false, text: 'not allowed by the access control list' },
  GW_ERR_STORE_FULL: { retryable: true, text: 'store disk budget exhausted' },
  GW_ERR_STORE_WRITE: { retryable: true, text: 'store write failed' },
  GW_ERR_STORE_CLOSED: { retryable: true, text: 'store is closed' },
  GW_ERR_RATE_LIMITED: { retryable: true, text: 'rate limit exceeded' },
  GW_ERR_LISTEN: { retryable: false, text: 'could not open a listening socket' },
  GW_ERR_TLS: { retryable: false, text: 'TLS certificate or key could not be loaded' },
  GW_ERR_LOGIN: { retryable: false, text: 'login failed' },
  GW_ERR_ACCOUNT_LOCKED: { retryable: true, text: 'account locked' },
  GW_ERR_FORBIDDEN: { retryable: false, text: 'not allowed for this role' },
  GW_ERR_CSRF: { retryable: false, text: 'missing or invalid CSRF token' },
  GW_ERR_USER_EXISTS: { retryable: false, text: 'a user with this name already exists' },
  GW_ERR_NOT_FOUND: { retryable: false, text: 'not found' },
  GW_ERR_RUNTIME_UNAVAILABLE: { retryable: true, text: 'edge-runtime is not running' },
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly retryable: boolean;
  /** The wire code a device sees for this error, when it reaches a device. */
  readonly wireCode: WireErrorCode | undefined;
  /** MQTT CONNACK return code, for errors raised while a device connects. */
  returnCode?: number;

  constructor(code: GatewayErrorCode, detail?: string, options?: { cause?: unknown; wireCode?: WireErrorCode; returnCode?: number }) {
    super(detail ? `${GATEWAY_ERRORS[code].text}: ${detail}` : GATEWAY_ERRORS[code].text, { cause: options?.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.retryable = GATEWAY_ERRORS[code].retryable;
    this.wireCode = options?.wireCode;
    if (options?.returnCode !== undefined) this.returnCode = options.returnCode;
  }
}
