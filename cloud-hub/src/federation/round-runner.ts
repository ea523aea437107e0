import { createHash } from 'node:crypto';
import { SecAggServer, aggregate, decodeVector, encodeVector, maxTotalWeight, parameterCount } from '@outpost/models/federated';
import type { SecAggAdvertisement, SecAggEncryptedShare, SecAggMaskedInput, SecAggUnmaskShares } from '@outpost/models/federated';
import type { FlPhase, FlPhaseTask, PowerMode } from '@outpost/protocols';
import type { FederationConfig } from './federation-config.js';
import type { RoundSummary } from './federation-store.js';
import { type FlTaskMessage, PhaseCall } from './phase-call.js';

/** How the coordinator reaches gateways: only those connected now (tasks are never queued for later). */
export interface FlTransport {
  connected(): { gatewayId: string; powerMode: PowerMode | null; tenantId?: string }[];
  /** Send now; false when the gateway is not connected or its stream is backed up (the task is not kept). */
  send(gatewayId: string, task: FlTaskMessage): boolean;
}

export interface RoundDeps {
  config: FederationConfig;
  federationId: string;
  round: number;
  global: Float32Array;
  transport: FlTransport;
  /** Make `call` the federation's open phase: replies are routed to it until it closes. */
  open(call: PhaseCall<FlPhase>): void;
  signal: AbortSignal;
}

export interface RoundResult {
  status: 'completed' | 'failed';
  reason: string | null;
  /** The aggregated update (the weighted mean, or the robust aggregate); null when the round failed. */
  aggregated: Float32Array | null;
  summary: Omit<RoundSummary, 'auc' | 'epsilon' | 'delta'>;
}

class RoundFailed extends Error {}

/** The most clients one secure-aggregation round takes (the library's bound). */
const MAX_SECAGG_CLIENTS = 1000;

const CANDIDATE_POLL_MS = 100;

/**
 * One round: wait (bounded) for candidates, offer, select, then train (plain) or the four secure-aggregation
 * steps, each phase with the configured deadline. Individual updates exist only inside this function, in
 * memory, until they are aggregated (plain) or never in the clear at all (secure aggregation).
 */
export async function runRound(deps: RoundDeps): Promise<RoundResult> {
  const { config, federationId, round, transport, signal } = deps;
  const roundId = `${federationId}:${round}`;
  const n = parameterCount(config.shape);
  const s: RoundResult['summary'] = {
    candidates: 0,
    offered: 0,
    eligible: 0,
    selected: 0,
    completed: 0,
    dropped: 0,
    refusals: {},
    lateOrInvalid: 0,
    secureAggregation: config.secureAggregation.enabled,
    aggregateNorm: null,
    meanLoss: null,
    noiseMultiplier: config.dp?.noiseMultiplier ?? 0,
    samplingRate: 0,
    bytesDown: 0,
    bytesUp: 0,
    bytesPerGateway: 0,
  };
  let selected: string[] = [];

  const send = (gatewayId: string, phase: FlPhase, body: Buffer, call: PhaseCall<FlPhase> | null): void => {
    const ok = transport.send(gatewayId, { federationId, roundId, phase, body, timeoutMs: config.phaseTimeoutMs });
    if (ok) s.bytesDown += body.length;
    else call?.unreachable(gatewayId);
  };

  async function phase<P extends FlPhase>(name: P, bodies: Map<string, FlPhaseTask<P>>) {
    if (signal.aborted) throw new RoundFailed('the federation was stopped');
    const call = new PhaseCall(name, roundId, new Set(bodies.keys()), config.phaseTimeoutMs);
    deps.open(call as unknown as PhaseCall<FlPhase>);
    const onAbort = () => call.close();
    signal.addEventListener('abort', onAbort, { once: true });
    // Identical bodies are serialised once: a train task is the whole parameter vector.
    const cache = new Map<unknown, Buffer>();
    for (const [gatewayId, body] of bodies) {
      let bytes = cache.get(body);
      if (!bytes) cache.set(body, (bytes = Buffer.from(JSON.stringify(body))));
      send(gatewayId, name, bytes, call as unknown as PhaseCall<FlPhase>);
    }
    const replies = await call.done();
    signal.removeEventListener('abort', onAbort);
    s.bytesUp += call.bytesUp;
    s.lateOrInvalid += call.invalid;
    for (const [code, count] of Object.entries(call.refusals())) s.refusals[code] = (s.refusals[code] ?? 0) + count;
    if (signal.aborted) throw new RoundFailed('the federation was stopped');
    return replies;
  }

  const same = <T>(ids: readonly string[], body: T) => new Map(ids.map((id) => [id, body]));

  try {
    const candidates = await waitForCandidates(transport, config.minClients, config.phaseTimeoutMs, signal);
    s.candidates = candidates.length;
    if (candidates.length < config.minClients) {
      throw new RoundFailed(`${candidates.length} connected gateway(s) in performance mode within ${config.phaseTimeoutMs} ms; minClients is ${config.minClients}`);
    }
    s.offered = candidates.length;
    const offers = await phase('offer', same(candidates, { profile: config.profile, inputSize: config.shape.inputSize, minSamples: config.minSamples, tags: config.tags }));
    const eligible = [...offers].filter(([, o]) => o.samples >= config.minSamples && config.tags.every((t) => o.tags.includes(t))).map(([id]) => id);
    s.eligible = eligible.length;
    if (eligible.length < config.minClients) throw new RoundFailed(`${eligible.length} eligible gateway(s) answered the offer; minClients is ${config.minClients}`);

    // Secure aggregation is quadratic in the clients of a round: the library takes at most MAX_SECAGG_CLIENTS.
    const cap = config.secureAggregation.enabled ? MAX_SECAGG_CLIENTS : Number.MAX_SAFE_INTEGER;
    const k = Math.min(eligible.length, cap, Math.max(config.minClients, Math.ceil(config.sampleFraction * eligible.length)));
    selected = sample(eligible, k, `${String(config.seed)}:${round}`);
    s.selected = selected.length;
    s.samplingRate = selected.length / candidates.length;
    const required = Math.max(config.minClients, Math.ceil(config.minCompletionRate * selected.length));
    const training = { ...config.training, seed: `${String(config.seed)}:${round}` };
    const dp = config.dp ? { clipNorm: config.dp.clipNorm, noiseMultiplier: config.dp.noiseMultiplier } : null;
    const global = encodeVector(deps.global);

    let aggregated: Float32Array;
    if (!config.secureAggregation.enabled) {
      const replies = await phase('train', same(selected, { profile: config.profile, shape: config.shape, global, training, dp }));
      const updates: { delta: Float32Array; samples: number; loss: number }[] = [];
      for (const [, r] of replies) {
        try {
          updates.push({ delta: decodeVector(r.delta, n), samples: r.samples, loss: r.loss });
        } catch {
          s.lateOrInvalid++;
        }
      }
      s.completed = updates.length;
      s.dropped = selected.length - updates.length;
      if (updates.length < required) throw new RoundFailed(`${updates.length} of ${selected.length} selected gateway(s) reported an update before the deadline; ${required} needed`);
      aggregated = aggregate(updates, config.aggregator);
      const weight = updates.reduce((a, u) => a + u.samples, 0);
      s.meanLoss = updates.reduce((a, u) => a + u.loss * u.samples, 0) / weight;
    } else {
      const { range, fractionalBits } = config.secureAggregation;
      const secAgg = { threshold: required, range, fractionalBits, vectorLength: n, roundId };
      const server = new SecAggServer(secAgg);
      const adverts = await phase('advertise', new Map(selected.map((id) => [id, { clientId: id, secAgg }])));
      for (const [id, a] of adverts) tryAdd(() => server.addAdvertisement(asClient<SecAggAdvertisement>(a.advertisement, id)), s);
      const roster = tryRoster(server, selected.length);
      const rosterIds = roster.map((a) => a.clientId);
      const shareReplies = await phase('share-keys', same(rosterIds, { roster: roster as unknown as Record<string, unknown>[] }));
      const shares: SecAggEncryptedShare[] = [];
      for (const [id, r] of shareReplies) for (const sh of r.shares) if (sh.clientId === id) shares.push(sh as unknown as SecAggEncryptedShare);
      let routed: Map<string, SecAggEncryptedShare[]>;
      try {
        routed = server.routeShares(shares);
      } catch (err) {
        throw new RoundFailed(`the key shares could not be routed: ${(err as Error).message}`);
      }
      const u2 = [...shareReplies.keys()];
      if (u2.length < required) throw new RoundFailed(`${u2.length} gateway(s) shared keys; the threshold is ${required}`);
      // Each gateway's weight is capped so that the sum of all of them fits the fixed-point ring.
      const maxWeight = Math.max(1, Math.floor(maxTotalWeight(secAgg) / u2.length));
      const maskedBodies = new Map(u2.map((id) => [id, { profile: config.profile, shape: config.shape, global, training, dp, shares: (routed.get(id) ?? []) as unknown as Record<string, unknown>[], maxWeight }]));
      const masked = await phase('masked-input', maskedBodies);
      let lossSum = 0;
      for (const [id, m] of masked) {
        if (tryAdd(() => server.addMaskedInput(asClient<SecAggMaskedInput>(m.masked, id)), s)) lossSum += m.loss;
      }
      s.completed = masked.size;
      s.dropped = selected.length - masked.size;
      let survivors: string[];
      try {
        survivors = server.survivors(); // throws below the threshold
      } catch (err) {
        throw new RoundFailed(`${masked.size} of ${selected.length} selected gateway(s) sent a masked update before the deadline; ${required} needed (${(err as Error).message})`);
      }
      if (survivors.length < required) throw new RoundFailed(`${survivors.length} of ${selected.length} selected gateway(s) sent a masked update before the deadline; ${required} needed`);
      const unmask = await phase('unmask', same(survivors, { survivors, dropped: server.dropped() }));
      for (const [id, u] of unmask) tryAdd(() => server.addUnmaskShares(asClient<SecAggUnmaskShares>(u.unmask, id)), s);
      let result;
      try {
        result = server.result();
      } catch (err) {
        throw new RoundFailed(`secure aggregation could not unmask the sum: ${(err as Error).message}`);
      }
      aggregated = result.mean;
      s.completed = result.survivors.length;
      s.dropped = selected.length - result.survivors.length;
      // Gateways do not reveal their sample counts to the hub here: the loss mean is unweighted.
      s.meanLoss = survivors.length > 0 ? lossSum / survivors.length : null;
    }
    s.aggregateNorm = Math.sqrt(aggregated.reduce((a, v) => a + v * v, 0));
    return { status: 'completed', reason: null, aggregated, summary: finish(s) };
  } catch (err) {
    // Anything else that goes wrong in a round (a library refusal included) fails that round, not the federation.
    const reason = err instanceof RoundFailed ? err.message : `unexpected error: ${(err as Error).message}`.slice(0, 512);
    return { status: 'failed', reason, aggregated: null, summary: finish(s) };
  } finally {
    // Tell the selected gateways the round is over so they drop its state (no reply expected).
    const end = Buffer.from(JSON.stringify({ outcome: signal.aborted ? 'stopped' : 'completed' }));
    for (const id of selected) transport.send(id, { federationId, roundId, phase: 'end', body: end, timeoutMs: 0 });
  }
}

function finish(s: RoundResult['summary']): RoundResult['summary'] {
  s.bytesPerGateway = s.selected > 0 ? Math.round((s.bytesDown + s.bytesUp) / s.selected) : 0;
  return s;
}

/** A secure-aggregation message must name the gateway that sent it. */
function asClient<T extends { clientId: string }>(message: Record<string, unknown>, gatewayId: string): T {
  if (message.clientId !== gatewayId) throw new Error(`message for ${String(message.clientId)} came from ${gatewayId}`);
  return message as unknown as T;
}

function tryAdd(add: () => void, s: RoundResult['summary']): boolean {
  try {
    add();
    return true;
  } catch {
    s.lateOrInvalid++;
    return false;
  }
}

function tryRoster(server: SecAggServer, selected: number): SecAggAdvertisement[] {
  try {
    return server.roster();
  } catch (err) {
    throw new RoundFailed(`too few of ${selected} selected gateway(s) advertised keys: ${(err as Error).message}`);
  }
}

/** k of the ids, in an order fixed by the seed (sha256 of seed and id): reproducible selection. */
export function sample(ids: readonly string[], k: number, seed: string): string[] {
  const key = (id: string) => createHash('sha256').update(`${seed}\0${id}`).digest('hex');
  return ids
    .map((id) => ({ id, key: key(id) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, k)
    .map((x) => x.id);
}

/** Connected gateways in performance mode, waiting up to `timeoutMs` for `min` of them (never forever). */
async function waitForCandidates(transport: FlTransport, min: number, timeoutMs: number, signal: AbortSignal): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ids = transport
      .connected()
      .filter((g) => g.powerMode === 'performance')
      .map((g) => g.gatewayId)
      .sort();
    if (ids.length >= min || performance.now() >= deadline || signal.aborted) return ids;
    await new Promise((resolve) => setTimeout(resolve, CANDIDATE_POLL_MS));
  }
}
