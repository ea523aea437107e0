import { SecAggClient, decodeVector, encodeVector, parameterCount } from '@outpost/models/federated';
import type { SecAggAdvertisement, SecAggConfig, SecAggEncryptedShare } from '@outpost/models/federated';
import { type FlPhase, type FlReplyErrorCode, type LocalFlReply, type LocalFlTask, PROTOCOL_VERSION, flPhaseTaskSchemas } from '@outpost/protocols';
import type { Logger } from '../observability/logger.js';
import type { TrainWorkerClient } from './train-worker-client.js';
import type { WindowReservoir } from './window-reservoir.js';

/** Secure-aggregation rounds whose client state is kept; the oldest is forgotten beyond it. */
const MAX_SECAGG_ROUNDS = 4;

export interface FlTrainerDeps {
  reservoir: WindowReservoir;
  worker: Pick<TrainWorkerClient, 'train' | 'busy'>;
  /** The power mode's verdict (performance only): asked at the offer and again before training. */
  trainingAllowed: () => boolean;
  tags: readonly string[];
  reply: (reply: LocalFlReply) => void;
  log: Logger;
}

class TaskRefused extends Error {
  constructor(
    readonly code: FlReplyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * edge-runtime's side of a federated round. Answers each task on `local/v1/fl/tasks` with one reply on
 * `local/v1/fl/replies`: the window count for an offer, a clipped and noised update (plain) or a masked one
 * (secure aggregation) for training, the secure-aggregation messages otherwise; or an error code the hub
 * counts. Only parameter updates and counts leave: never a window or a reading.
 */
export function createFlTrainer(deps: FlTrainerDeps) {
  const secAgg = new Map<string, SecAggClient>();
  const counts = { tasks: 0, replies: 0, refused: 0, trained: 0 };

  function refuseUnlessAllowed(): void {
    if (!deps.trainingAllowed()) throw new TaskRefused('E_FL_TRAINING_NOT_ALLOWED', 'the power mode is not performance');
  }

  async function train(t: { profile: string; shape: { inputSize: number; hidden: number[]; activations: ('relu' | 'tanh')[] }; global: string; training: Parameters<TrainWorkerClient['train']>[3]; dp: { clipNorm: number; noiseMultiplier: number } | null }) {
    refuseUnlessAllowed();
    if (deps.worker.busy) throw new TaskRefused('E_FL_BUSY', 'a training job is already running');
    const global = decodeVector(t.global, parameterCount(t.shape));
    const windows = deps.reservoir.windows(t.profile, t.shape.inputSize);
    if (windows.length === 0) throw new TaskRefused('E_FL_NO_DATA', `no ${t.profile} windows of ${t.shape.inputSize} inputs`);
    const result = await deps.worker.train(t.shape, global, windows, t.training, t.dp);
    deps.reservoir.trained(t.profile);
    counts.trained++;
    return result;
  }

  function secAggOf(roundId: string): SecAggClient {
    const c = secAgg.get(roundId);
    if (!c) throw new TaskRefused('E_FL_BAD_TASK', `no secure-aggregation state for round ${roundId}`);
    return c;
  }

  async function answer(task: LocalFlTask, json: unknown): Promise<unknown> {
    const phase: FlPhase = task.phase;
    switch (phase) {
      case 'offer': {
        const t = flPhaseTaskSchemas.offer.parse(json);
        refuseUnlessAllowed();
        return { samples: deps.reservoir.fresh(t.profile, t.inputSize), tags: [...deps.tags] };
      }
      case 'train': {
        const r = await train(flPhaseTaskSchemas.train.parse(json));
        return { delta: encodeVector(r.delta), samples: r.samples, loss: r.loss };
      }
      case 'advertise': {
        const t = flPhaseTaskSchemas.advertise.parse(json);
        refuseUnlessAllowed();
        const client = new SecAggClient(t.clientId, t.secAgg as SecAggConfig);
        secAgg.set(task.roundId, client);
        while (secAgg.size > MAX_SECAGG_ROUNDS) secAgg.delete(secAgg.keys().next().value!);
        return { advertisement: client.advertise() };
      }
      case 'share-keys': {
        const t = flPhaseTaskSchemas['share-keys'].parse(json);
        return { shares: secAggOf(task.roundId).shareKeys(t.roster as unknown as SecAggAdvertisement[]) };
      }
      case 'masked-input': {
        const t = flPhaseTaskSchemas['masked-input'].parse(json);
        const client = secAggOf(task.roundId);
        const r = await train(t);
        return { masked: client.maskedInput(r.delta, Math.min(r.samples, t.maxWeight), t.shares as unknown as SecAggEncryptedShare[]), loss: r.loss };
      }
      case 'unmask': {
        const t = flPhaseTaskSchemas.unmask.parse(json);
        return { unmask: secAggOf(task.roundId).unmask(t.survivors, t.dropped) };
      }
      case 'end':
        secAgg.delete(task.roundId);
        return null;
    }
  }

  return {
    counts,
    /** Handle one task; resolves once its reply was handed to `reply` (never rejects). */
    async handle(task: LocalFlTask): Promise<void> {
      counts.tasks++;
      const base = { v: PROTOCOL_VERSION, federationId: task.federationId, roundId: task.roundId, phase: task.phase } as const;
      try {
        const body = await answer(task, JSON.parse(task.body));
        if (task.phase === 'end') return;
        counts.replies++;
        deps.reply({ ...base, body: JSON.stringify(body) });
      } catch (err) {
        if (task.phase === 'end') return;
        counts.refused++;
        const code: FlReplyErrorCode = err instanceof TaskRefused ? err.code : err instanceof SyntaxError || (err as Error).name === 'ZodError' ? 'E_FL_BAD_TASK' : 'E_FL_FAILED';
        if (code === 'E_FL_FAILED') deps.log.warn({ err, phase: task.phase }, 'federated-learning task failed');
        else deps.log.info({ code, phase: task.phase }, `federated-learning task refused: ${code}`);
        deps.reply({ ...base, errorCode: code, errorMessage: (err as Error).message.slice(0, 500) });
      }
    },
  };
}

export type FlTrainer = ReturnType<typeof createFlTrainer>;
