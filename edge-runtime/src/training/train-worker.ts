import { parentPort } from 'node:worker_threads';
import { clipAndNoise, trainLocally } from '@outpost/models/federated';
import type { TrainJob, TrainResult } from './train-messages.js';

// The training worker: tfjs (cpu backend) runs here, off the event loop that scores readings. One job at a
// time; clipping and noise are applied before anything goes back, so the raw update never leaves the worker.
parentPort!.on('message', (job: TrainJob) => {
  void run(job).then(
    (result) => parentPort!.postMessage(result, [result.delta.buffer as ArrayBuffer]),
    (err: unknown) => parentPort!.postMessage({ id: job.id, ok: false, error: (err as Error).message } satisfies TrainResult),
  );
});

async function run(job: TrainJob): Promise<Extract<TrainResult, { ok: true }>> {
  const update = await trainLocally(job.shape, job.global, job.windows, job.training);
  let delta = update.delta;
  let clipped = false;
  if (job.dp) {
    const noisy = clipAndNoise(delta, job.dp, job.noiseSeed);
    delta = noisy.delta;
    clipped = noisy.clipped;
  }
  return { id: job.id, ok: true, delta, samples: update.samples, loss: update.loss, clipped };
}
