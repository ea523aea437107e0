/**
 * The edge-runtime's error catalogue. Codes are stable: operators search logs, the runtime status detail
 * and docs/edge-runtime-configuration.md by them. `retryable` says whether the same operation can succeed
 * later without a change to its inputs.
 */
export const RUNTIME_ERRORS = {
  RT_ERR_CONFIG: { retryable: false, text: 'invalid configuration', help: 'the process exits with code 78; fix the named key' },
  RT_ERR_RULES: { retryable: false, text: 'invalid rules file', help: 'the process exits with code 78; every bad rule is listed with its id, path and what was expected' },
  RT_ERR_SECRET: { retryable: false, text: 'internal broker credential unavailable', help: 'the process exits with code 78; point internalSecretFile at the gateway\'s <dataDir>/internal-secret' },
  RT_ERR_MQTT: { retryable: true, text: 'broker connection failed', help: 'the runtime reconnects with backoff; check that the gateway runs and the internal secret matches' },
  RT_ERR_PAYLOAD: { retryable: false, text: 'invalid message on a local topic', help: 'the message is counted, logged (sampled) and acknowledged; fix the publisher' },
  RT_ERR_MODEL_INVALID: { retryable: false, text: 'model manifest or preprocessing invalid', help: 'the model is refused and the current one keeps serving; rebuild the artifact' },
  RT_ERR_MODEL_SHA256: { retryable: false, text: 'model file does not match its sha256', help: 'the model is refused; the file is corrupt, swapped, or the offer names another build' },
  RT_ERR_MODEL_MISSING: { retryable: true, text: 'model file missing', help: 'the model is refused; offer it again once the file is in place' },
  RT_ERR_MODEL_LOAD: { retryable: false, text: 'model could not be loaded or smoke-run', help: 'the model is refused and the current one keeps serving; the ONNX graph is broken or unsupported' },
  RT_ERR_MODEL_SHAPE: { retryable: false, text: 'model inputs or outputs differ from its manifest', help: 'the model is refused; the manifest and the .onnx file disagree' },
  RT_ERR_MODEL_RUN: { retryable: true, text: 'model failed while scoring', help: 'the runtime rolls back to the previous model and reports degraded' },
  RT_ERR_MODEL_BUSY: { retryable: true, text: 'too many model offers pending', help: 'the oldest pending offer is refused; offer again later' },
  RT_ERR_WORKER: { retryable: true, text: 'scoring worker failed', help: 'the worker is restarted with the current models' },
  RT_ERR_DETECTOR_STREAMS_FULL: { retryable: false, text: 'the online detector holds its maximum of streams', help: 'new device/metric streams are not scored by the online detector; raise detector.maxStreams' },
  RT_ERR_STATE_CORRUPT: { retryable: false, text: 'saved state unreadable', help: 'logged and ignored: the detector and featurizers start fresh' },
  RT_ERR_STATE_WRITE: { retryable: true, text: 'state could not be saved', help: 'the previous saved state stays; check disk space and permissions of dataDir' },
  RT_ERR_ALERT_INVALID: { retryable: false, text: 'an alert failed the protocol schema', help: 'a bug: the alert is logged and counted, not sent' },
  RT_ERR_POWER_SOURCE: { retryable: true, text: 'power readings unavailable', help: 'the power mode stays as it was and the source is read again at the next sample; check power.file (simulated) or the box\'s battery driver' },
  RT_ERR_TRAINING: { retryable: true, text: 'federated training failed', help: 'the hub gets E_FL_FAILED for the task and counts the gateway as dropped; the next round tries again' },
  RT_ERR_CLOSED: { retryable: true, text: 'the runtime is closing', help: 'work still queued is drained; new work is refused' },
} as const;

export type RuntimeErrorCode = keyof typeof RUNTIME_ERRORS;

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  readonly retryable: boolean;

  constructor(code: RuntimeErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${RUNTIME_ERRORS[code].text}: ${detail}` : RUNTIME_ERRORS[code].text, { cause: options?.cause });
    this.name = 'RuntimeError';
    this.code = code;
    this.retryable = RUNTIME_ERRORS[code].retryable;
  }
}

export const isRuntimeError = (err: unknown, code?: RuntimeErrorCode): err is RuntimeError =>
  err instanceof RuntimeError && (code === undefined || err.code === code);

/** Exit code for a start that failed on configuration (EX_CONFIG), so a supervisor does not restart in a loop. */
export const EXIT_CONFIG = 78;
