/**
 * The models package's error catalogue. Codes are stable: edge-runtime logs them and operators search by them.
 * `retryable` says whether the same operation can succeed later without a change to its inputs.
 */
export const MODEL_ERRORS = {
  /** The manifest is unreadable, not JSON, or fails the schema; the message names the field. */
  MODEL_ERR_MANIFEST: { retryable: false, text: 'invalid model manifest' },
  /** The manifest names an .onnx file that is not there; it may still be arriving (copy, sync), so a later read can succeed. */
  MODEL_ERR_ONNX_MISSING: { retryable: true, text: 'model file missing' },
  /** The .onnx bytes differ from the manifest's sha256 or length: a corrupt or swapped file. */
  MODEL_ERR_SHA256_MISMATCH: { retryable: false, text: 'model file does not match its manifest' },
  /** `preprocessing` parameters are invalid or inconsistent with `metrics`/`window`/`inputSize`. */
  MODEL_ERR_PREPROCESSING: { retryable: false, text: 'invalid preprocessing parameters' },
  /** A persisted featurizer state does not fit the model it is restored into. */
  MODEL_ERR_FEATURIZER_STATE: { retryable: false, text: 'invalid featurizer state' },
  /** The layers handed to the ONNX exporter do not chain (shapes, lengths, opset). */
  MODEL_ERR_ONNX_EXPORT: { retryable: false, text: 'cannot export the model to ONNX' },
  /** Writing an artifact failed (disk full, permissions): nothing half-written is left behind a manifest. */
  MODEL_ERR_ARTIFACT_WRITE: { retryable: true, text: 'could not write the model artifact' },
  /** The shipped-models index (`artifacts/index.json`) is missing or malformed. */
  MODEL_ERR_INDEX: { retryable: false, text: 'invalid shipped-models index' },
  /** At build time, onnxruntime's output differs from the trained tfjs model's beyond the tolerance. */
  MODEL_ERR_PARITY: { retryable: false, text: 'ONNX output does not match the trained model' },
  /** Training or evaluation input is unusable (no windows, no positives, a bad option). */
  MODEL_ERR_TRAINING: { retryable: false, text: 'cannot train or evaluate the model' },
} as const;

export type ModelErrorCode = keyof typeof MODEL_ERRORS;

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly retryable: boolean;

  constructor(code: ModelErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${MODEL_ERRORS[code].text}: ${detail}` : MODEL_ERRORS[code].text, { cause: options?.cause });
    this.name = 'ModelError';
    this.code = code;
    this.retryable = MODEL_ERRORS[code].retryable;
  }
}

export const isModelError = (err: unknown, code?: ModelErrorCode): err is ModelError => err instanceof ModelError && (code === undefined || err.code === code);
