import type { Worker } from 'node:worker_threads';
import { RuntimeError } from '../errors.js';
import type { ModelIo, RunOutput, ScoringBackend, SessionInfo, SessionOptions } from './scoring-backend.js';
import { startWorker } from './start-worker.js';
import type { WorkerReply, WorkerRequest } from './worker/worker-messages.js';

type Pending = { resolve: (reply: WorkerReply & { ok: true }) => void; reject: (err: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

// Beside this file in src/ (run through tsx) and in dist/ alike.
const WORKER_URL = new URL(`./worker/scoring-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The scoring backend that runs onnxruntime in one worker thread. Requests are answered in order of
 * completion by id. If the worker dies, every pending request fails with RT_ERR_WORKER, a new worker is
 * started and every loaded session is created in it again before the next request goes through.
 */
export class WorkerScoringBackend implements ScoringBackend {
  private worker!: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** What to load again after a worker restart; the ONNX bytes are kept here, a few MB at most per model. */
  private readonly loaded = new Map<string, { onnx: Uint8Array; io: ModelIo }>();
  private ready: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly onRestart: (err: Error) => void = () => {},
  ) {
    this.spawn();
  }

  private spawn(): void {
    const worker = startWorker(WORKER_URL, { workerData: { intraOpThreads: this.options.intraOpThreads } });
    this.worker = worker;
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const died = (cause: Error) => {
      if (this.worker !== worker || this.closed) return;
      const err = new RuntimeError('RT_ERR_WORKER', cause.message, { cause });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.spawn();
      this.ready = this.reloadAll();
      this.onRestart(err);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`scoring worker exited with code ${code}`)));
  }

  private async reloadAll(): Promise<void> {
    for (const [key, { onnx, io }] of this.loaded) {
      await this.send({ op: 'load', key, onnx: onnx.slice().buffer, io }, []).catch(() => this.loaded.delete(key));
    }
  }

  private send(request: Request, transfer: ArrayBuffer[]): Promise<WorkerReply & { ok: true }> {
    if (this.closed) return Promise.reject(new RuntimeError('RT_ERR_CLOSED'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } as WorkerRequest, transfer);
    });
  }

  async load(key: string, onnx: Uint8Array, io: ModelIo): Promise<SessionInfo> {
    await this.ready;
    const copy = onnx.slice();
    const reply = await this.send({ op: 'load', key, onnx: copy.slice().buffer, io }, []);
    this.loaded.set(key, { onnx: copy, io });
    return (reply as { info: SessionInfo }).info;
  }

  async run(key: string, input: Float32Array, rows: number, inputSize: number): Promise<RunOutput> {
    await this.ready;
    const whole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength && input.buffer instanceof ArrayBuffer;
    const data = whole ? (input.buffer as ArrayBuffer) : input.slice().buffer;
    const reply = (await this.send({ op: 'run', key, data, rows, cols: inputSize }, [data])) as { score: ArrayBuffer; featureError: ArrayBuffer };
    return { score: new Float32Array(reply.score), featureError: new Float32Array(reply.featureError) };
  }

  async unload(key: string): Promise<void> {
    this.loaded.delete(key);
    await this.ready;
    await this.send({ op: 'unload', key }, []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new RuntimeError('RT_ERR_CLOSED'));
    this.pending.clear();
    await this.worker.terminate();
  }
}
