/** Names of a model's graph input and outputs, as its manifest states them. */
export interface ModelIo {
  input: string;
  score: string;
  featureError: string;
}

/** One graph input or output as onnxruntime reports it. Symbolic dimensions are strings. */
export interface ValueInfo {
  name: string;
  type: string | null;
  shape: readonly (number | string)[];
}

export interface SessionInfo {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** One run's outputs: `score` [rows], `featureError` [rows × inputSize], row-major. */
export interface RunOutput {
  score: Float32Array;
  featureError: Float32Array;
}

/**
 * Where model sessions live and run. The real one is a worker thread owning onnxruntime sessions
 * (worker-backend.ts); tests may wrap it (e.g. to inject a run failure) behind this same interface.
 * Lifecycle: load sessions, run them, unload them, close once.
 */
export interface ScoringBackend {
  /** Create a session from ONNX bytes under `key`; resolves with its inputs and outputs. Replaces nothing: keys are unique. */
  load(key: string, onnx: Uint8Array, io: ModelIo): Promise<SessionInfo>;
  /** Score `rows` windows of `inputSize` floats. The input buffer is transferred: do not use it afterwards. */
  run(key: string, input: Float32Array, rows: number, inputSize: number): Promise<RunOutput>;
  unload(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** onnxruntime intra-op threads, 1 or 2. */
  intraOpThreads: number;
}
