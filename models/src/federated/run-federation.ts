import { ModelError } from '../errors.js';
import { Prng } from '../signals/index.js';
import { type AggregatorConfig, aggregate } from './aggregators.js';
import { clipAndNoise, type DpConfig, l2Norm } from './differential-privacy.js';
import { evaluateParameters } from './evaluate-parameters.js';
import type { ClientDataset, LabelledEvalSet } from './federated-datasets.js';
import { type LocalTrainingConfig, trainLocally } from './local-training.js';
import { type FlModelShape, initialParameters } from './parameters.js';
import { privacySpent } from './privacy-accountant.js';
import { SecAggClient } from './secure-aggregation/secagg-client.js';
import { SecAggServer } from './secure-aggregation/secagg-server.js';
import { createServerOptimizer, type ServerOptimizerConfig } from './server-optimizer.js';
import { encodeVector } from './vector-codec.js';

/** An in-process federation: what the evaluation and the tests run; the hub and gateways run the same steps over sync messages. */
export interface FederationConfig {
  seed: string;
  rounds: number;
  /** Clients per round: max(minClients, round(sampleFraction · clients)), drawn without replacement, seeded. */
  sampleFraction: number;
  minClients: number;
  local: Omit<LocalTrainingConfig, 'seed'>;
  aggregator: AggregatorConfig;
  server: ServerOptimizerConfig;
  /** Client-side clipping and noise; clients then weigh equally (weight 1) so one client's influence is bounded by clipNorm. */
  dp?: DpConfig;
  /** Bonawitz secure aggregation (weighted FedAvg only); the threshold is a fraction of the clients selected. */
  secureAggregation?: { thresholdFraction: number; range: number; fractionalBits: number };
  /** Fraction of the selected clients that drop mid-round (after sharing keys), seeded. */
  dropoutFraction?: number;
  /** δ for the privacy report when dp is on. */
  dpDelta?: number;
}

export interface RoundRecord {
  round: number;
  selected: number;
  reported: number;
  auc: number;
  seconds: number;
  meanLoss: number;
  /** Median L2 norm of the clients' raw updates (before any clipping): what a clip norm is chosen from. */
  medianUpdateNorm: number;
  /** Bytes of the JSON messages one reporting client sends and receives this round (mean over clients). */
  bytesPerClient: { up: number; down: number };
  /** Privacy spent so far (dp on): against an observer of the aggregate only (with secure aggregation), and against the server seeing each update. */
  epsilon?: { aggregate: number; perUpdate: number };
}

export interface FederationResult {
  params: Float32Array;
  initialAuc: number;
  history: RoundRecord[];
}

const bytes = (m: unknown) => Buffer.byteLength(JSON.stringify(m));

/** Runs `rounds` rounds from the seeded initial parameters, evaluating on `heldOut` after each. */
export async function runFederation(shape: FlModelShape, clients: readonly ClientDataset[], heldOut: LabelledEvalSet, cfg: FederationConfig, onRound?: (r: RoundRecord) => void): Promise<FederationResult> {
  checkFederation(cfg, clients.length);
  let params = initialParameters(shape, cfg.seed);
  const initialAuc = evaluateParameters(shape, params, heldOut).auc;
  const optimizer = createServerOptimizer(cfg.server);
  const history: RoundRecord[] = [];
  const privacyAggregate: { noiseMultiplier: number; samplingRate: number }[] = [];
  const privacyPerUpdate: { noiseMultiplier: number; samplingRate: number }[] = [];
  const perRound = Math.min(clients.length, Math.max(cfg.minClients, Math.round(cfg.sampleFraction * clients.length)));
  for (let round = 1; round <= cfg.rounds; round++) {
    const started = Date.now();
    const rng = new Prng(cfg.seed, 'round', round);
    const selected = pickClients(clients, perRound, rng);
    const dropCount = Math.floor((cfg.dropoutFraction ?? 0) * selected.length);
    const dropping = new Set(pickClients(selected, dropCount, rng).map((c) => c.clientId));
    const roundId = `${cfg.seed}/round-${round}`;
    const task = { v: 1, roundId, params: encodeVector(params), local: cfg.local, dp: cfg.dp ?? null };
    const updates: { clientId: string; delta: Float32Array; samples: number; loss: number }[] = [];
    const norms: number[] = [];
    for (const c of selected) {
      if (dropping.has(c.clientId)) continue;
      const u = await trainLocally(shape, params, c.windows, { ...cfg.local, seed: `${roundId}/${c.clientId}` });
      norms.push(l2Norm(u.delta));
      // A deployed client draws its noise from a secret seed; a seeded one keeps this evaluation reproducible.
      const delta = cfg.dp ? clipAndNoise(u.delta, cfg.dp, `${roundId}/${c.clientId}/noise`).delta : u.delta;
      updates.push({ clientId: c.clientId, delta, samples: cfg.dp ? 1 : u.samples, loss: u.loss });
    }
    if (updates.length === 0) throw new ModelError('MODEL_ERR_FL_CONFIG', `round ${round}: every selected client dropped`);
    let aggregated: Float32Array;
    let up = 0;
    let down = bytes(task);
    if (cfg.secureAggregation) {
      const sa = secureRound(selected, updates, { roundId, vectorLength: params.length, range: cfg.secureAggregation.range, fractionalBits: cfg.secureAggregation.fractionalBits, threshold: Math.max(2, Math.ceil(cfg.secureAggregation.thresholdFraction * selected.length)) });
      aggregated = sa.mean;
      up = sa.upBytes;
      down += sa.downBytes;
    } else {
      aggregated = aggregate(updates, cfg.aggregator);
      up = bytes({ v: 1, roundId, clientId: updates[0]!.clientId, delta: encodeVector(updates[0]!.delta), samples: updates[0]!.samples, loss: updates[0]!.loss });
    }
    params = optimizer.step(params, aggregated);
    const auc = evaluateParameters(shape, params, heldOut).auc;
    let epsilon: RoundRecord['epsilon'];
    if (cfg.dp) {
      const q = perRound / clients.length;
      // Noise adds up over the m summed clients while one client still moves the sum by at most clipNorm.
      privacyAggregate.push({ noiseMultiplier: cfg.dp.noiseMultiplier * Math.sqrt(updates.length), samplingRate: q });
      privacyPerUpdate.push({ noiseMultiplier: cfg.dp.noiseMultiplier, samplingRate: 1 });
      const delta = cfg.dpDelta ?? 1e-5;
      epsilon = { aggregate: privacySpent(privacyAggregate, delta).epsilon, perUpdate: privacySpent(privacyPerUpdate, delta).epsilon };
    }
    const record: RoundRecord = {
      round,
      selected: selected.length,
      reported: updates.length,
      auc,
      seconds: (Date.now() - started) / 1000,
      meanLoss: updates.reduce((s, u) => s + u.loss, 0) / updates.length,
      medianUpdateNorm: norms.sort((a, b) => a - b)[norms.length >> 1]!,
      bytesPerClient: { up, down },
      ...(epsilon ? { epsilon } : {}),
    };
    history.push(record);
    onRound?.(record);
  }
  return { params, initialAuc, history };
}

/** One secure-aggregation round among the selected clients; the dropping ones share keys and then vanish. */
function secureRound(
  selected: readonly ClientDataset[],
  updates: readonly { clientId: string; delta: Float32Array; samples: number }[],
  cfg: { roundId: string; vectorLength: number; range: number; fractionalBits: number; threshold: number },
): { mean: Float32Array; upBytes: number; downBytes: number } {
  const server = new SecAggServer(cfg);
  const clients = new Map(selected.map((c) => [c.clientId, new SecAggClient(c.clientId, cfg)]));
  let up = 0;
  let down = 0;
  for (const cl of clients.values()) {
    const ad = cl.advertise();
    up += bytes(ad);
    server.addAdvertisement(ad);
  }
  const roster = server.roster();
  down += bytes(roster) * clients.size;
  const shares = [...clients.values()].flatMap((cl) => cl.shareKeys(roster));
  up += bytes(shares);
  const routed = server.routeShares(shares);
  for (const list of routed.values()) down += bytes(list);
  for (const u of updates) {
    const m = clients.get(u.clientId)!.maskedInput(u.delta, u.samples, routed.get(u.clientId)!);
    up += bytes(m);
    server.addMaskedInput(m);
  }
  const survivors = server.survivors();
  const dropped = server.dropped();
  for (const id of survivors) {
    down += bytes({ survivors, dropped });
    const r = clients.get(id)!.unmask(survivors, dropped);
    up += bytes(r);
    server.addUnmaskShares(r);
  }
  // Per reporting client: the survivors are the ones that paid for every step.
  return { mean: server.result().mean, upBytes: Math.round(up / clients.size), downBytes: Math.round(down / clients.size) };
}

function pickClients<T>(items: readonly T[], n: number, rng: Prng): T[] {
  const copy = [...items];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.next() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

function checkFederation(cfg: FederationConfig, clients: number): void {
  const bad = (what: string, v: unknown) => new ModelError('MODEL_ERR_FL_CONFIG', `federation ${what}: got ${String(v)}`);
  if (clients < 1) throw bad('clients (expected at least one)', clients);
  if (!(Number.isInteger(cfg.rounds) && cfg.rounds >= 1 && cfg.rounds <= 10_000)) throw bad('rounds (expected 1..10000)', cfg.rounds);
  if (!(cfg.sampleFraction > 0 && cfg.sampleFraction <= 1)) throw bad('sampleFraction (expected 0 < f ≤ 1)', cfg.sampleFraction);
  if (!(Number.isInteger(cfg.minClients) && cfg.minClients >= 1)) throw bad('minClients (expected ≥ 1)', cfg.minClients);
  if (cfg.dropoutFraction !== undefined && !(cfg.dropoutFraction >= 0 && cfg.dropoutFraction < 1)) throw bad('dropoutFraction (expected 0 ≤ f < 1)', cfg.dropoutFraction);
  if (cfg.secureAggregation && cfg.aggregator.kind !== 'fedavg') throw bad('aggregator (secure aggregation reveals only the weighted sum, so it needs fedavg)', cfg.aggregator.kind);
}
