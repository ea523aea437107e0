import type { WireErrorCode } from '@outpost/protocols';

/**
 * The hub's error catalogue. Codes are stable: operators search logs and docs by them.
 * `retryable` says whether the same operation can succeed later without a change.
 */
export const HUB_ERRORS = {
  HUB_ERR_CONFIG: { retryable: false, text: 'invalid configuration' },
  HUB_ERR_BAD_REQUEST: { retryable: false, text: 'bad request' },
  HUB_ERR_UNAUTHORIZED: { retryable: false, text: 'missing or wrong API token' },
  HUB_ERR_GATEWAY_NOT_FOUND: { retryable: false, text: 'no such gateway' },
  HUB_ERR_COMMAND_NOT_FOUND: { retryable: false, text: 'no such command' },
  HUB_ERR_TOO_MANY_COMMANDS: { retryable: true, text: 'too many pending commands for this gateway' },
  HUB_ERR_GATEWAY_REVOKED: { retryable: false, text: 'the gateway is revoked' },
  HUB_ERR_LISTEN: { retryable: false, text: 'could not open a listening socket' },
  HUB_ERR_TLS: { retryable: false, text: 'TLS certificate or key could not be loaded' },
  HUB_ERR_INTERNAL: { retryable: true, text: 'internal hub error' },
} as const;

export type HubErrorCode = keyof typeof HUB_ERRORS;

export class HubError extends Error {
  readonly code: HubErrorCode;
  readonly retryable: boolean;
  /** The wire code a gateway sees for this error on the sync service, when it reaches one. */
  readonly wireCode: WireErrorCode | undefined;

  constructor(code: HubErrorCode, detail?: string, options?: { cause?: unknown; wireCode?: WireErrorCode }) {
    super(detail ? `${HUB_ERRORS[code].text}: ${detail}` : HUB_ERRORS[code].text, { cause: options?.cause });
    this.name = 'HubError';
    this.code = code;
    this.retryable = HUB_ERRORS[code].retryable;
    this.wireCode = options?.wireCode;
  }
}
