import type { ModelIo, SessionInfo } from '../scoring-backend.js';

/** Main thread → scoring worker. Buffers (`onnx`, `data`) are transferred. */
export type WorkerRequest =
  | { id: number; op: 'load'; key: string; onnx: ArrayBuffer; io: ModelIo }
  | { id: number; op: 'run'; key: string; data: ArrayBuffer; rows: number; cols: number }
  | { id: number; op: 'unload'; key: string };

/** Scoring worker → main thread, one reply per request id. Output buffers are transferred. */
export type WorkerReply =
  | { id: number; ok: true; op: 'load'; info: SessionInfo }
  | { id: number; ok: true; op: 'run'; score: ArrayBuffer; featureError: ArrayBuffer }
  | { id: number; ok: true; op: 'unload' }
  | { id: number; ok: false; error: { name: string; message: string } };
