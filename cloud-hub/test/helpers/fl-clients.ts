import type * as grpc from '@grpc/grpc-js';
import { SecAggClient, decodeVector, encodeVector, trainLocally } from '@outpost/models/federated';
import type { SecAggAdvertisement, SecAggConfig, SecAggEncryptedShare } from '@outpost/models/federated';
import { type FlPhase, flPhaseTaskSchemas } from '@outpost/protocols';
import { TestStream } from './sync-client.js';

// A simulated gateway for federation tests: a real sync stream to the hub that answers FlTasks with the
// library's client code, in this process. Behaviours let a test make it refuse, go silent or drop out.

export interface FlTask {
  federationId: string;
  roundId: string;
  phase: FlPhase;
  body: Buffer;
  timeoutMs: number;
}

export interface FlClientOptions {
  windows: Float32Array[];
  /** Stop answering (stay connected) from this phase on. */
  silentFrom?: FlPhase;
  /** Cancel the stream when a task of this phase arrives. */
  dropAt?: FlPhase;
  /** Answer every offer with this error code. */
  refuseWith?: string;
  tags?: string[];
}

export class FlTestClient {
  stream: TestStream | null = null;
  readonly tasks: FlTask[] = [];
  /** The updates this client sent, by round: what a plain average must equal. */
  readonly sent = new Map<string, { delta: Float32Array; samples: number; global: Float32Array }>();
  readonly #secAgg = new Map<string, SecAggClient>();
  #silent = false;

  constructor(
    private readonly client: grpc.Client,
    readonly gatewayId: string,
    private readonly credential: string,
    private readonly options: FlClientOptions,
  ) {}

  async connect(): Promise<void> {
    this.#silent = false;
    this.stream = new TestStream(this.client, this.credential);
    this.stream.call.on('data', (m: { body?: string; flTask?: FlTask }) => {
      if (m.body === 'flTask' && m.flTask) void this.#onTask(m.flTask);
    });
    await this.stream.welcome({ power: { mode: 'performance', simulated: true, sinceMs: Date.now(), source: 'ac' } });
  }

  disconnect(): void {
    this.stream?.cancel();
    this.stream = null;
  }

  #reply(task: FlTask, body: unknown, errorCode = ''): void {
    const message = { federationId: task.federationId, roundId: task.roundId, phase: task.phase, body: errorCode ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)), errorCode, errorMessage: '' };
    this.stream?.call.write({ flReply: message });
  }

  async #onTask(task: FlTask): Promise<void> {
    this.tasks.push(task);
    if (task.phase === this.options.dropAt) return this.disconnect();
    if (task.phase === this.options.silentFrom) this.#silent = true;
    if (this.#silent || task.phase === 'end') return;
    const json: unknown = JSON.parse(task.body.toString('utf8'));
    switch (task.phase) {
      case 'offer': {
        if (this.options.refuseWith) return this.#reply(task, null, this.options.refuseWith);
        return this.#reply(task, { samples: this.options.windows.length, tags: this.options.tags ?? [] });
      }
      case 'train': {
        const t = flPhaseTaskSchemas.train.parse(json);
        const global = decodeVector(t.global);
        const update = await trainLocally(t.shape, global, this.options.windows, t.training);
        this.sent.set(task.roundId, { delta: update.delta, samples: update.samples, global });
        return this.#reply(task, { delta: encodeVector(update.delta), samples: update.samples, loss: update.loss });
      }
      case 'advertise': {
        const t = flPhaseTaskSchemas.advertise.parse(json);
        const c = new SecAggClient(t.clientId, t.secAgg as SecAggConfig);
        this.#secAgg.set(task.roundId, c);
        return this.#reply(task, { advertisement: c.advertise() });
      }
      case 'share-keys': {
        const t = flPhaseTaskSchemas['share-keys'].parse(json);
        const shares = this.#secAgg.get(task.roundId)!.shareKeys(t.roster as unknown as SecAggAdvertisement[]);
        return this.#reply(task, { shares });
      }
      case 'masked-input': {
        const t = flPhaseTaskSchemas['masked-input'].parse(json);
        const global = decodeVector(t.global);
        const update = await trainLocally(t.shape, global, this.options.windows, t.training);
        this.sent.set(task.roundId, { delta: update.delta, samples: update.samples, global });
        const masked = this.#secAgg.get(task.roundId)!.maskedInput(update.delta, Math.min(update.samples, t.maxWeight), t.shares as unknown as SecAggEncryptedShare[]);
        return this.#reply(task, { masked, loss: update.loss });
      }
      case 'unmask': {
        const t = flPhaseTaskSchemas.unmask.parse(json);
        return this.#reply(task, { unmask: this.#secAgg.get(task.roundId)!.unmask(t.survivors, t.dropped) });
      }
    }
  }
}

/** Seeded normal-looking windows (smooth, small noise): enough for local training to move the model. */
export function syntheticWindows(count: number, inputSize: number, seed: number): Float32Array[] {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const level = rand() * 2 - 1;
    return Float32Array.from({ length: inputSize }, (_, i) => level * Math.cos(i / 3) + (rand() - 0.5) * 0.1);
  });
}

/** Poll until `check` returns a value (not undefined), bounded in time. */
export async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
