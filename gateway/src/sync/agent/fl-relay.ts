import type { Aedes } from 'aedes';
import { type FlTaskMessage, type GatewayMessage, type LocalFlTask, MAX_FL_BODY_BYTES, PROTOCOL_VERSION, localFlReplySchema, localFlTaskSchema, localTopics } from '@outpost/protocols';
import type { Logger } from '../../observability/logger.js';

/** Tasks relayed to edge-runtime and not answered yet. Policy when full: answer E_FL_BUSY at once. */
export const MAX_PENDING_FL_TASKS = 16;
/** A pending task is forgotten this long after the hub's own deadline for it. */
const GRACE_MS = 5000;
const SWEEP_MS = 1000;

export interface FlRelayDeps {
  broker: Pick<Aedes, 'publish' | 'subscribe' | 'unsubscribe'>;
  log: Logger;
  /** False when no edge-runtime runs beside this gateway: tasks are refused with E_FL_NO_TRAINER. */
  trainerEnabled: boolean;
}

interface Pending {
  send: (m: GatewayMessage) => boolean;
  expiresAt: number;
}

/**
 * Hub → gateway → edge-runtime and back for federated learning. An FlTask from the sync stream is published
 * (QoS 1) on `local/v1/fl/tasks`; edge-runtime's answer on `local/v1/fl/replies` goes back as an FlReply on
 * the stream the task came from (if that stream ended, the reply is dropped: the hub has moved on). The
 * gateway only relays: it never reads or keeps a task's or a reply's body.
 */
export function createFlRelay(deps: FlRelayDeps) {
  const pending = new Map<string, Pending>();
  const counts = { tasks: 0, replies: 0, busy: 0, noTrainer: 0, unmatched: 0, invalid: 0, expired: 0 };
  const key = (t: { federationId: string; roundId: string; phase: string }) => `${t.federationId}\0${t.roundId}\0${t.phase}`;

  const refuse = (task: FlTaskMessage, send: (m: GatewayMessage) => boolean, code: string, message: string) =>
    send({ flReply: { federationId: task.federationId, roundId: task.roundId, phase: task.phase, body: Buffer.alloc(0), errorCode: code, errorMessage: message } });

  const onReply = (packet: { payload: Buffer | string }, cb: () => void) => {
    cb();
    let reply;
    try {
      reply = localFlReplySchema.parse(JSON.parse(Buffer.from(packet.payload).toString('utf8')));
    } catch (err) {
      counts.invalid++;
      return deps.log.warn({ err }, 'invalid federated-learning reply from edge-runtime ignored');
    }
    const k = key(reply);
    const waiting = pending.get(k);
    if (!waiting) return void counts.unmatched++;
    pending.delete(k);
    counts.replies++;
    waiting.send({
      flReply: {
        federationId: reply.federationId,
        roundId: reply.roundId,
        phase: reply.phase,
        body: reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body),
        errorCode: reply.errorCode ?? '',
        errorMessage: reply.errorMessage ?? '',
      },
    });
  };
  deps.broker.subscribe(localTopics.flReplies(), onReply, () => {});

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, p] of pending) {
      if (p.expiresAt > now) continue;
      pending.delete(k);
      counts.expired++;
    }
  }, SWEEP_MS);
  sweep.unref();

  return {
    counts,
    get pending(): number {
      return pending.size;
    },
    /** An FlTask from the hub; `send` writes on the stream it came from. */
    handle(task: FlTaskMessage, send: (m: GatewayMessage) => boolean): void {
      counts.tasks++;
      const isEnd = task.phase === 'end';
      if (!deps.trainerEnabled) {
        counts.noTrainer++;
        if (!isEnd) refuse(task, send, 'E_FL_NO_TRAINER', 'edge-runtime is disabled on this gateway');
        return;
      }
      let local: LocalFlTask;
      try {
        if (task.body.length > MAX_FL_BODY_BYTES) throw new Error(`body of ${task.body.length} bytes`);
        local = localFlTaskSchema.parse({ v: PROTOCOL_VERSION, federationId: task.federationId, roundId: task.roundId, phase: task.phase, body: task.body.toString('utf8'), timeoutMs: task.timeoutMs });
      } catch (err) {
        counts.invalid++;
        if (!isEnd) refuse(task, send, 'E_FL_BAD_TASK', (err as Error).message.slice(0, 500));
        return;
      }
      if (!isEnd) {
        if (pending.size >= MAX_PENDING_FL_TASKS) {
          counts.busy++;
          return void refuse(task, send, 'E_FL_BUSY', `${pending.size} tasks in flight`);
        }
        pending.set(key(task), { send, expiresAt: Date.now() + task.timeoutMs + GRACE_MS });
      }
      deps.broker.publish({ cmd: 'publish', topic: localTopics.flTasks(), payload: Buffer.from(JSON.stringify(local)), qos: 1, retain: false, dup: false }, (err) => {
        if (!err) return;
        pending.delete(key(task));
        deps.log.warn({ err, phase: task.phase }, 'federated-learning task not relayed');
      });
    },
    close(): void {
      clearInterval(sweep);
      pending.clear();
      deps.broker.unsubscribe(localTopics.flReplies(), onReply, () => {});
    },
  };
}

export type FlRelay = ReturnType<typeof createFlRelay>;
