import { randomUUID } from 'node:crypto';
import { createServerOptimizer, decodeVector, encodeVector, initialParameters, parameterCount, privacySpent } from '@outpost/models/federated';
import type { FlPhase } from '@outpost/protocols';
import { HubError } from '../errors.js';
import { DEFAULT_TENANT } from '../store/hub-store.js';
import type { Logger } from '../observability/logger.js';
import { type FederationConfig, parseFederationConfig } from './federation-config.js';
import type { Checkpoint, FederationRow, FederationStore, RoundRecord } from './federation-store.js';
import { type HeldOutSource, evaluateGlobal } from './held-out.js';
import type { FlReplyMessage, PhaseCall } from './phase-call.js';
import { type FlTransport, runRound } from './round-runner.js';

/** Running federations one hub process drives at once; more are refused (HUB_ERR_FL_LIMIT). */
export const MAX_RUNNING_FEDERATIONS = 8;

export interface CoordinatorDeps {
  store: FederationStore;
  transport: FlTransport;
  heldOut: HeldOutSource;
  logger: Logger;
  now: () => number;
}

interface Running {
  config: FederationConfig;
  transport: FlTransport;
  abort: AbortController;
  loop: Promise<void>;
  phase: PhaseCall<FlPhase> | null;
  round: number;
}

export interface FederationView extends Omit<FederationRow, 'config'> {
  config: FederationConfig;
  /** Last finished round (completed or failed); 0 before the first. */
  round: number;
  rounds: RoundRecord[];
  privacy: { epsilon: number; delta: number } | null;
  latestAuc: number | null;
}

/**
 * The hub's federated-learning coordinator: one loop per running federation, one round at a time, a
 * checkpoint after every round (completed or failed) so a restarted hub resumes after the last one.
 * Replies from gateways reach the federation's open phase; any other reply is late and only counted.
 */
export function createFederationCoordinator(deps: CoordinatorDeps) {
  const { store, transport, logger, now } = deps;
  const log = logger.child({ module: 'federation' });
  const running = new Map<string, Running>();
  const counts = { lateReplies: 0, roundsCompleted: 0, roundsFailed: 0 };
  let closed = false;

  function configOf(row: FederationRow): FederationConfig {
    return parseFederationConfig(row.config);
  }

  // A federation's candidates are the connected gateways of its own tenant (a transport that names no
  // tenant, as in tests, is the default tenant's).
  function transportOf(tenantId: string): FlTransport {
    return { connected: () => transport.connected().filter((c) => (c.tenantId ?? DEFAULT_TENANT) === tenantId), send: (gatewayId, task) => transport.send(gatewayId, task) };
  }

  function launch(id: string, tenantId: string, config: FederationConfig): void {
    const abort = new AbortController();
    const entry: Running = { config, transport: transportOf(tenantId), abort, phase: null, round: 0, loop: Promise.resolve() };
    running.set(id, entry);
    entry.loop = loop(id, entry).catch((err: unknown) => {
      log.error({ err, federationId: id }, 'federation failed');
      store.setStatus(id, 'failed', `internal error: ${(err as Error).message}`.slice(0, 512), now());
    });
    void entry.loop.finally(() => running.delete(id));
  }

  async function loop(id: string, entry: Running): Promise<void> {
    const { config, abort, transport } = entry;
    const n = parameterCount(config.shape);
    const cp = store.checkpoint(id)!;
    let global = decodeVector(cp.globalParams, n);
    const optimizer = createServerOptimizer(config.serverOptimizer, cp.round > 0 ? cp.optimizerState : undefined);
    const privacyRounds = store
      .rounds(id)
      .filter((r) => r.status === 'completed')
      .map((r) => ({ noiseMultiplier: r.summary.noiseMultiplier, samplingRate: r.summary.samplingRate }));
    if (cp.round > 0) log.info({ event: 'federation-resumed', federationId: id, round: cp.round }, `federation resumed after round ${cp.round}`);
    for (let round = cp.round + 1; round <= config.rounds; round++) {
      if (abort.signal.aborted || closed) return;
      entry.round = round;
      const startedAt = now();
      const result = await runRound({ config, federationId: id, round, global, transport, signal: abort.signal, open: (call) => (entry.phase = call) });
      entry.phase = null;
      // A stop or a hub shutdown mid-round: the round is not recorded, so a resumed federation runs it again.
      if (abort.signal.aborted || closed) return;
      if (result.aggregated) {
        global = optimizer.step(global, result.aggregated);
        if (config.dp) privacyRounds.push({ noiseMultiplier: config.dp.noiseMultiplier, samplingRate: result.summary.samplingRate });
      }
      const auc = evaluateGlobal(deps.heldOut, config, global, log);
      const spent = config.dp && privacyRounds.length > 0 ? privacySpent(privacyRounds, config.dp.delta) : null;
      const record: RoundRecord = {
        round,
        status: result.status,
        reason: result.reason,
        summary: { ...result.summary, auc, epsilon: spent?.epsilon ?? null, delta: spent?.delta ?? null },
        startedAt,
        endedAt: now(),
      };
      const checkpoint: Checkpoint = { round, globalParams: encodeVector(global), optimizerState: optimizer.state(), savedAt: now() };
      store.finishRound(id, record, checkpoint);
      if (result.status === 'completed') counts.roundsCompleted++;
      else counts.roundsFailed++;
      const s = record.summary;
      log.info(
        { event: 'federation-round', federationId: id, round, status: result.status, reason: result.reason, selected: s.selected, completed: s.completed, dropped: s.dropped, auc, epsilon: s.epsilon, bytesPerGateway: s.bytesPerGateway },
        `federation ${id} round ${round} ${result.status}${result.reason ? `: ${result.reason}` : ''}`,
      );
      if (result.status === 'completed' && config.targetAuc !== null && auc !== null && auc >= config.targetAuc) {
        store.setStatus(id, 'completed', `target AUC ${config.targetAuc} reached in round ${round}`, now());
        return;
      }
      if (result.status === 'failed' && round < config.rounds) await sleep(config.retryDelayMs, abort.signal);
    }
    if (!abort.signal.aborted && !closed) store.setStatus(id, 'completed', `${config.rounds} rounds run`, now());
  }

  function view(row: FederationRow): FederationView {
    const config = configOf(row);
    const rounds = store.rounds(row.id);
    const last = [...rounds].reverse().find((r) => r.summary.epsilon !== null);
    const lastAuc = [...rounds].reverse().find((r) => r.summary.auc !== null);
    return {
      ...row,
      config,
      round: store.checkpoint(row.id)?.round ?? 0,
      rounds,
      privacy: last ? { epsilon: last.summary.epsilon!, delta: last.summary.delta! } : null,
      latestAuc: lastAuc?.summary.auc ?? null,
    };
  }

  // `tenantId` set: another tenant's federation is "not found", never "forbidden" (existence must not leak).
  function requireRow(id: string, tenantId?: string): FederationRow {
    const row = store.get(id);
    if (!row || (tenantId !== undefined && row.tenantId !== tenantId)) throw new HubError('HUB_ERR_FL_NOT_FOUND', id);
    return row;
  }

  return {
    counts,
    /** Resume every federation that was running when the hub stopped. */
    start(): void {
      for (const row of store.list()) {
        if (row.status !== 'running') continue;
        let config: FederationConfig;
        try {
          config = configOf(row);
        } catch (err) {
          store.setStatus(row.id, 'failed', `stored configuration no longer valid: ${(err as Error).message}`.slice(0, 512), now());
          continue;
        }
        launch(row.id, row.tenantId, config);
      }
    },

    /** Create and start a federation of `tenantId` (default: the default tenant). */
    create(input: unknown, tenantId: string = DEFAULT_TENANT): FederationView {
      const config = parseFederationConfig(input);
      if (running.size >= MAX_RUNNING_FEDERATIONS) throw new HubError('HUB_ERR_FL_LIMIT', `${running.size} running; stop one first`);
      const id = `fed-${randomUUID()}`;
      const createdAt = now();
      const initial = initialParameters(config.shape, config.seed);
      const optimizer = createServerOptimizer(config.serverOptimizer);
      store.create({ id, tenantId, name: config.name, config, status: 'running', createdAt }, { round: 0, globalParams: encodeVector(initial), optimizerState: optimizer.state(), savedAt: createdAt });
      log.info({ event: 'federation-created', federationId: id, profile: config.profile, rounds: config.rounds, secureAggregation: config.secureAggregation.enabled, dp: config.dp !== null }, 'federation created');
      launch(id, tenantId, config);
      return view(requireRow(id));
    },

    /** `tenantId` scopes every read and change to one tenant; undefined: all (the hub API token). */
    list(tenantId?: string): FederationView[] {
      return store.list(tenantId).map(view);
    },

    get(id: string, tenantId?: string): FederationView {
      return view(requireRow(id, tenantId));
    },

    /** Stop a running federation; its current round is abandoned (not recorded). */
    async stop(id: string, tenantId?: string): Promise<FederationView> {
      const row = requireRow(id, tenantId);
      if (row.status !== 'running') throw new HubError('HUB_ERR_FL_STATE', `${id} is ${row.status}`);
      store.setStatus(id, 'stopped', 'stopped by an operator', now());
      const entry = running.get(id);
      entry?.abort.abort();
      await entry?.loop;
      log.info({ event: 'federation-stopped', federationId: id }, 'federation stopped');
      return view(requireRow(id));
    },

    /** The global parameters after the last finished round, with the configuration. */
    globalModel(id: string, tenantId?: string): { config: FederationConfig; round: number; params: Float32Array; view: FederationView } {
      const row = requireRow(id, tenantId);
      const config = configOf(row);
      const cp = store.checkpoint(id)!;
      return { config, round: cp.round, params: decodeVector(cp.globalParams, parameterCount(config.shape)), view: view(row) };
    },

    /** A reply from a gateway's stream. */
    onReply(gatewayId: string, reply: FlReplyMessage): void {
      const entry = running.get(reply.federationId);
      if (!entry?.phase?.offer(gatewayId, reply)) {
        counts.lateReplies++;
        log.debug({ event: 'federation-late-reply', gatewayId, federationId: reply.federationId.slice(0, 128), phase: reply.phase.slice(0, 32) }, 'federated-learning reply dropped: its phase is over');
      }
    },

    /** A gateway's stream closed: it cannot answer the open phases any more. */
    onDisconnected(gatewayId: string): void {
      for (const entry of running.values()) entry.phase?.unreachable(gatewayId);
    },

    /** Stop driving rounds (hub shutdown); running federations stay `running` and resume at the next start. */
    async close(): Promise<void> {
      closed = true;
      const loops = [...running.values()].map((e) => {
        e.abort.abort();
        return e.loop;
      });
      await Promise.all(loops);
    },
  };
}

export type FederationCoordinator = ReturnType<typeof createFederationCoordinator>;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
