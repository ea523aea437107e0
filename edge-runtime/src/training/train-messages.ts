import type { DpConfig, FlModelShape, LocalTrainingConfig } from '@outpost/models/federated';

/** main thread → training worker. */
export interface TrainJob {
  id: number;
  shape: FlModelShape;
  global: Float32Array;
  windows: Float32Array[];
  training: LocalTrainingConfig;
  dp: DpConfig | null;
  /** Fresh randomness for the noise, drawn in the main thread: never derived from anything the hub sent. */
  noiseSeed: string;
}

/** training worker → main thread. */
export type TrainResult = { id: number; ok: true; delta: Float32Array; samples: number; loss: number; clipped: boolean } | { id: number; ok: false; error: string };
