import type { WireErrorCode } from '@outpost/protocols';

/**
 * The hub's error catalogue. Codes are stable: operators search logs and docs by them.
 * `retryable` says whether the same operation can succeed later without a change.
 */
export const HUB_ERRORS = {
  HUB_ERR_CONFIG: { retryable: false, text: 'invalid configuration' },
  HUB_ERR_BAD_REQUEST: { retryable: false, text: 'bad request' },
  HUB_ERR_UNAUTHORIZED: { retryable: false, text: 'missing or wrong API token' },
  HUB_ERR_CSRF: { retryable: false, text: 'missing or wrong CSRF token for a console session' },
  HUB_ERR_FORBIDDEN: { retryable: false, text: "the API token's role does not allow this" },
  HUB_ERR_TENANT_NOT_FOUND: { retryable: false, text: 'no such tenant' },
  HUB_ERR_TENANT_EXISTS: { retryable: false, text: 'a tenant with this id exists already' },
  HUB_ERR_API_TOKEN_NOT_FOUND: { retryable: false, text: 'no such API token' },
  HUB_ERR_GATEWAY_NOT_FOUND: { retryable: false, text: 'no such gateway' },
  HUB_ERR_COMMAND_NOT_FOUND: { retryable: false, text: 'no such command' },
  HUB_ERR_TOO_MANY_COMMANDS: { retryable: true, text: 'too many pending commands for this gateway' },
  HUB_ERR_GATEWAY_REVOKED: { retryable: false, text: 'the gateway is revoked' },
  HUB_ERR_LISTEN: { retryable: false, text: 'could not open a listening socket' },
  HUB_ERR_TLS: { retryable: false, text: 'TLS certificate or key could not be loaded' },
  HUB_ERR_FL_CONFIG: { retryable: false, text: 'invalid federation configuration' },
  HUB_ERR_FL_NOT_FOUND: { retryable: false, text: 'no such federation' },
  HUB_ERR_FL_STATE: { retryable: false, text: 'the federation is not in a state that allows this' },
  HUB_ERR_FL_LIMIT: { retryable: true, text: 'too many running federations' },
  HUB_ERR_INGEST_LOG_CONNECT: { retryable: true, text: 'the ingest log (Kafka) could not be reached' },
  HUB_ERR_INGEST_LOG_APPEND: { retryable: true, text: 'a batch could not be appended to the ingest log' },
  HUB_ERR_INGEST_LOG_FULL: { retryable: true, text: 'too many appends are waiting for the ingest log' },
  HUB_ERR_INGEST_LOG_BAD_BATCH: { retryable: false, text: 'a batch for the ingest log must hold records of one gateway in ascending sequence' },
  HUB_ERR_INGEST_LOG_DECODE: { retryable: false, text: 'an ingest log message could not be decoded' },
  HUB_ERR_INGEST_LOG_APPLY: { retryable: true, text: 'a batch from the ingest log could not be applied' },
  HUB_ERR_INGEST_LOG_CLOSED: { retryable: false, text: 'the ingest log is closed' },
  HUB_ERR_INGEST_LOG_LAG: { retryable: true, text: 'the workers have not applied the ingest log up to date yet' },
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
