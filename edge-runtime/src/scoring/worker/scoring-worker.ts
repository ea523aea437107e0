// The scoring worker: owns the onnxruntime sessions, so model runs never block the MQTT and rules thread.
// Messages in and out are defined in worker-messages.ts; buffers are transferred both ways.
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ModelIo, SessionInfo, ValueInfo } from '../scoring-backend.js';
import type { WorkerReply, WorkerRequest } from './worker-messages.js';

type Session = Awaited<ReturnType<typeof InferenceSession.create>>;

const { intraOpThreads } = workerData as { intraOpThreads: number };

// One thread per session, no spinning: the box has 2 cores shared with the gateway, and a spinning
// onnxruntime thread pool burns a core while it waits for the next batch.
const sessionOptions = {
  intraOpNumThreads: intraOpThreads,
  interOpNumThreads: 1,
  executionMode: 'sequential' as const,
  graphOptimizationLevel: 'all' as const,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

const sessions = new Map<string, { session: Session; io: ModelIo }>();

function describe(meta: Session['inputMetadata']): ValueInfo[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: null, shape: [] }));
}

/** A Float32Array's own buffer when it fills it, else a copy: either can be transferred. */
function ownBuffer(data: Float32Array): ArrayBuffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) return data.buffer;
  return data.slice().buffer;
}

async function handle(msg: WorkerRequest): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  switch (msg.op) {
    case 'load': {
      const session = await InferenceSession.create(new Uint8Array(msg.onnx), sessionOptions);
      const previous = sessions.get(msg.key);
      sessions.set(msg.key, { session, io: msg.io });
      await previous?.session.release();
      const info: SessionInfo = { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
      return { reply: { id: msg.id, ok: true, op: 'load', info }, transfer: [] };
    }
    case 'run': {
      const entry = sessions.get(msg.key);
      if (!entry) throw new Error(`no session ${msg.key}`);
      const input = new Tensor('float32', new Float32Array(msg.data), [msg.rows, msg.cols]);
      const out = await entry.session.run({ [entry.io.input]: input }, [entry.io.score, entry.io.featureError]);
      const score = out[entry.io.score]?.data;
      const featureError = out[entry.io.featureError]?.data;
      if (!(score instanceof Float32Array) || !(featureError instanceof Float32Array)) throw new Error('the model did not return float32 score and featureError');
      if (score.length !== msg.rows || featureError.length !== msg.rows * msg.cols) {
        throw new Error(`output sizes ${score.length} and ${featureError.length}, expected ${msg.rows} and ${msg.rows * msg.cols}`);
      }
      const scoreBuf = ownBuffer(score);
      const errBuf = ownBuffer(featureError);
      return { reply: { id: msg.id, ok: true, op: 'run', score: scoreBuf, featureError: errBuf }, transfer: [scoreBuf, errBuf] };
    }
    case 'unload': {
      const entry = sessions.get(msg.key);
      sessions.delete(msg.key);
      await entry?.session.release();
      return { reply: { id: msg.id, ok: true, op: 'unload' }, transfer: [] };
    }
  }
}

const port = parentPort!;
port.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (err: unknown) => port.postMessage({ id: msg.id, ok: false, error: { name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) } } satisfies WorkerReply),
  );
});
