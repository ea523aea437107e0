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
  /** A federated model shape is invalid (sizes, activations) or does not match the layers given. */
  MODEL_ERR_FL_SHAPE: { retryable: false, text: 'invalid federated model shape' },
  /** An encoded parameter or update vector is not canonical base64 of float32 values, has the wrong length, or holds NaN/Infinity. */
  MODEL_ERR_FL_VECTOR: { retryable: false, text: 'invalid parameter vector' },
  /** A federated-learning option is out of range (epochs, learning rate, clip norm, noise, trim fraction, delta, weights). */
  MODEL_ERR_FL_CONFIG: { retryable: false, text: 'invalid federated-learning configuration' },
  /** A saved server-optimizer state does not fit (kind, version, vector lengths): the coordinator cannot resume from it. */
  MODEL_ERR_FL_OPTIMIZER_STATE: { retryable: false, text: 'invalid server optimizer state' },
  /** A secure-aggregation message is malformed, from another round or version, unexpected at this step, or fails authentication. */
  MODEL_ERR_SECAGG_MESSAGE: { retryable: false, text: 'invalid secure-aggregation message' },
  /** Fewer clients than the threshold remain: the round cannot be unmasked and must be abandoned (a new round may succeed). */
  MODEL_ERR_SECAGG_THRESHOLD: { retryable: true, text: 'too few secure-aggregation clients' },
  /** The weighted sum would not fit in Z_2^32 (total weight × range × 2^fractionalBits ≥ 2^31): choose smaller weights or fewer fractional bits. */
  MODEL_ERR_SECAGG_OVERFLOW: { retryable: false, text: 'secure-aggregation sum would overflow' },
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
