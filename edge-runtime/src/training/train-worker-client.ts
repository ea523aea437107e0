import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import type { DpConfig, FlModelShape, LocalTrainingConfig } from '@outpost/models/federated';
import { RuntimeError } from '../errors.js';
import { startWorker } from '../scoring/start-worker.js';
import type { TrainJob, TrainResult } from './train-messages.js';

const WORKER_URL = new URL(`./train-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The training worker thread, started on the first job and kept (tfjs takes a moment to load). One job at
 * a time: the trainer refuses a second one with E_FL_BUSY before it gets here. A crashed worker fails its
 * job with RT_ERR_TRAINING and is started again on the next one.
 */
export class TrainWorkerClient {
  #worker: Worker | null = null;
  #nextId = 1;
  #pending: { id: number; resolve: (r: Extract<TrainResult, { ok: true }>) => void; reject: (e: Error) => void } | null = null;

  #spawn(): Worker {
    const worker = startWorker(WORKER_URL);
    worker.on('message', (r: TrainResult) => {
      const p = this.#pending;
      if (!p || p.id !== r.id) return;
      this.#pending = null;
      worker.unref();
      if (r.ok) p.resolve(r);
      else p.reject(new RuntimeError('RT_ERR_TRAINING', r.error));
    });
    const died = (err: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#pending?.reject(new RuntimeError('RT_ERR_TRAINING', `training worker died: ${err.message}`, { cause: err }));
      this.#pending = null;
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    worker.unref();
    return worker;
  }

  get busy(): boolean {
    return this.#pending !== null;
  }

  train(shape: FlModelShape, global: Float32Array, windows: Float32Array[], training: LocalTrainingConfig, dp: DpConfig | null): Promise<Extract<TrainResult, { ok: true }>> {
    if (this.#pending) return Promise.reject(new RuntimeError('RT_ERR_TRAINING', 'a training job is already running'));
    this.#worker ??= this.#spawn();
    const job: TrainJob = { id: this.#nextId++, shape, global, windows, training, dp, noiseSeed: randomBytes(16).toString('hex') };
    return new Promise((resolve, reject) => {
      this.#pending = { id: job.id, resolve, reject };
      // Referenced only while a job runs: an idle worker never keeps the process alive.
      this.#worker!.ref();
      this.#worker!.postMessage(job);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#pending?.reject(new RuntimeError('RT_ERR_TRAINING', 'edge-runtime is stopping'));
    this.#pending = null;
    await worker?.terminate();
  }
}
