/**
 * The device-sim error catalogue. Every error the simulator raises on purpose has a stable code,
 * says whether trying again can help, and keeps the underlying error as `cause`.
 */
export const SIM_ERRORS = {
  SIM_ERR_BAD_OPTION: { retryable: false, summary: 'an option has a value the simulator cannot use' },
  SIM_ERR_FD_LIMIT: { retryable: false, summary: 'the file-descriptor limit is too low for the requested connections' },
  SIM_ERR_PORT_RANGE: { retryable: false, summary: 'not enough local ports for the requested connections' },
  SIM_ERR_CREDENTIALS_FILE: { retryable: false, summary: 'the credentials file cannot be read or is not a list of {id, secret}' },
  SIM_ERR_WORKER_FAILED: { retryable: true, summary: 'a load worker thread failed' },
  SIM_ERR_MOSQUITTO_MISSING: { retryable: false, summary: 'the mosquitto binary is not installed' },
  SIM_ERR_MOSQUITTO_START: { retryable: true, summary: 'mosquitto did not start' },
  SIM_ERR_GATEWAY_PROVISION: { retryable: true, summary: 'the gateway CLI did not provision the devices' },
  SIM_ERR_GATEWAY_START: { retryable: true, summary: 'the gateway did not become ready' },
  SIM_ERR_HUB_START: { retryable: true, summary: 'the hub did not become ready, or its CLI failed' },
  SIM_ERR_AUDIT: { retryable: true, summary: "the gateway's audit API could not be read" },
  SIM_ERR_SCENARIO: { retryable: false, summary: 'the scenario file cannot be read or is not a valid scenario' },
  SIM_ERR_PROXY: { retryable: true, summary: 'the fault proxy could not listen' },
  SIM_ERR_LABELS_FILE: { retryable: false, summary: 'the labels file cannot be written' },
  SIM_ERR_BENCH: { retryable: true, summary: 'a benchmark step failed (enrollment, or an API of the gateway or hub)' },
  SIM_ERR_HUB_UNREACHABLE: { retryable: true, summary: "the hub's gRPC port or HTTP API did not answer" },
  SIM_ERR_HUB_API: { retryable: false, summary: 'the hub API refused a request (a wrong API token, or an unexpected answer)' },
  SIM_ERR_ENROLL_TOKEN: { retryable: false, summary: 'the hub refused an enrollment token: unknown, expired or already used' },
  SIM_ERR_ENROLL: { retryable: true, summary: 'a simulated gateway could not enroll (not a refused token)' },
  SIM_ERR_TOKENS_FILE: { retryable: false, summary: 'the enrollment tokens file cannot be read or holds too few tokens' },
  SIM_ERR_GATEWAY_CREDENTIALS_FILE: { retryable: false, summary: 'the gateway credentials file cannot be read or written, or is not a list of {gatewayId, credential}' },
} as const;

export type SimErrorCode = keyof typeof SIM_ERRORS;

export class SimError extends Error {
  readonly code: SimErrorCode;
  readonly retryable: boolean;

  constructor(code: SimErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'SimError';
    this.code = code;
    this.retryable = SIM_ERRORS[code].retryable;
  }
}
