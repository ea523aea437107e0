import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { SecAggClient, clipAndNoise, decodeVector, encodeVector, trainLocally } from '@outpost/models/federated';
import type { SecAggAdvertisement, SecAggConfig, SecAggEncryptedShare } from '@outpost/models/federated';
import { type FlPhase, SYNC_PROTOCOL_VERSION, flPhaseTaskSchemas } from '@outpost/protocols';
import { SIM_SOFTWARE_VERSION, type SyncClient, type SyncStream } from '../gateways/sync-client.js';

/** An FlTask as the sync stream delivers it (sync.proto, loader options of docs/sync-protocol.md). */
interface FlTaskMessage {
  federationId: string;
  roundId: string;
  phase: FlPhase;
  body: Buffer;
  timeoutMs: number;
}

/** Secure-aggregation rounds whose state a simulated gateway keeps. */
const MAX_ROUNDS_KEPT = 4;

export interface FlSimGatewayOptions {
  name: string;
  client: SyncClient;
  credential: string;
  windows: Float32Array[];
  /** Asked once per round: true makes this gateway drop out mid-round (it stops answering that round). */
  dropsOut: (roundId: string) => boolean;
}

/** What one simulated gateway sent and received, per round (task and reply bodies, in bytes). */
export interface FlSimGatewayStats {
  bytesByRound: Map<string, number>;
  trainedRounds: number;
  droppedRounds: number;
}

/**
 * One simulated gateway in a federation: a real sync stream to the hub (Hello with a performance power mode,
 * as a gateway on mains reports), answering every FlTask with the models library's client code on its own
 * windows, in this process. Only what a real trainer sends leaves it: counts, updates, secure-aggregation
 * messages.
 */
export class FlSimGateway {
  readonly stats: FlSimGatewayStats = { bytesByRound: new Map(), trainedRounds: 0, droppedRounds: 0 };
  #call: SyncStream | null = null;
  readonly #secAgg = new Map<string, SecAggClient>();
  readonly #dropped = new Set<string>();
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: FlSimGatewayOptions) {}

  /** Open the stream and wait for Welcome (bounded). */
  connect(timeoutMs = 15_000): Promise<void> {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${this.options.credential}`);
    const call = this.options.client.Stream(metadata);
    this.#call = call;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.options.name}: no Welcome within ${timeoutMs} ms`)), timeoutMs);
      call.on('data', (m: { body?: string; flTask?: FlTaskMessage }) => {
        if (m.body === 'welcome') {
          clearTimeout(timer);
          resolve();
        } else if (m.body === 'flTask' && m.flTask) {
          const task = m.flTask;
          // One task at a time, in order: training is CPU-bound anyway.
          this.#queue = this.#queue.then(() => this.#onTask(task)).catch(() => {});
        }
      });
      call.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      const now = Date.now();
      call.write({
        hello: {
          protocolVersion: SYNC_PROTOCOL_VERSION,
          softwareVersion: SIM_SOFTWARE_VERSION,
          wallMs: now,
          hlc: { wallMs: now, logical: 0 },
          backlogRecords: 0,
          backlogOldestMs: 0,
          power: { mode: 'performance', simulated: true, sinceMs: now, source: 'ac' },
        },
      } as never);
    });
  }

  close(): void {
    this.#call?.cancel();
    this.#call = null;
  }

  #count(roundId: string, bytes: number): void {
    this.stats.bytesByRound.set(roundId, (this.stats.bytesByRound.get(roundId) ?? 0) + bytes);
  }

  #reply(task: FlTaskMessage, body: unknown): void {
    const bytes = Buffer.from(JSON.stringify(body));
    this.#count(task.roundId, bytes.length);
    this.#call?.write({ flReply: { federationId: task.federationId, roundId: task.roundId, phase: task.phase, body: bytes, errorCode: '', errorMessage: '' } });
  }

  /** Local training, then clipping and noise when the federation asks for differential privacy (as edge-runtime does). */
  async #train(t: { shape: Parameters<typeof trainLocally>[0]; global: string; training: Parameters<typeof trainLocally>[3]; dp: { clipNorm: number; noiseMultiplier: number } | null }) {
    const update = await trainLocally(t.shape, decodeVector(t.global), this.options.windows, t.training);
    this.stats.trainedRounds++;
    if (!t.dp) return update;
    return { ...update, delta: clipAndNoise(update.delta, t.dp, randomBytes(16).toString('hex')).delta };
  }

  async #onTask(task: FlTaskMessage): Promise<void> {
    this.#count(task.roundId, task.body.length);
    if (task.phase === 'end') {
      this.#secAgg.delete(task.roundId);
      this.#dropped.delete(task.roundId);
      return;
    }
    // A dropout happens mid-round: after the offer (and, with secure aggregation, after sharing keys).
    if ((task.phase === 'train' || task.phase === 'masked-input') && this.options.dropsOut(task.roundId)) {
      this.#dropped.add(task.roundId);
      this.stats.droppedRounds++;
    }
    if (this.#dropped.has(task.roundId)) return;
    const json: unknown = JSON.parse(task.body.toString('utf8'));
    switch (task.phase) {
      case 'offer':
        return this.#reply(task, { samples: this.options.windows.length, tags: [] });
      case 'train': {
        const t = flPhaseTaskSchemas.train.parse(json);
        const update = await this.#train(t);
        return this.#reply(task, { delta: encodeVector(update.delta), samples: update.samples, loss: update.loss });
      }
      case 'advertise': {
        const t = flPhaseTaskSchemas.advertise.parse(json);
        const client = new SecAggClient(t.clientId, t.secAgg as SecAggConfig);
        this.#secAgg.set(task.roundId, client);
        while (this.#secAgg.size > MAX_ROUNDS_KEPT) this.#secAgg.delete(this.#secAgg.keys().next().value!);
        return this.#reply(task, { advertisement: client.advertise() });
      }
      case 'share-keys': {
        const t = flPhaseTaskSchemas['share-keys'].parse(json);
        const client = this.#secAgg.get(task.roundId);
        if (client) this.#reply(task, { shares: client.shareKeys(t.roster as unknown as SecAggAdvertisement[]) });
        return;
      }
      case 'masked-input': {
        const t = flPhaseTaskSchemas['masked-input'].parse(json);
        const client = this.#secAgg.get(task.roundId);
        if (!client) return;
        const update = await this.#train(t);
        return this.#reply(task, { masked: client.maskedInput(update.delta, Math.min(update.samples, t.maxWeight), t.shares as unknown as SecAggEncryptedShare[]), loss: update.loss });
      }
      case 'unmask': {
        const t = flPhaseTaskSchemas.unmask.parse(json);
        const client = this.#secAgg.get(task.roundId);
        if (client) this.#reply(task, { unmask: client.unmask(t.survivors, t.dropped) });
        return;
      }
    }
  }
}
