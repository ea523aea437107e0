import * as grpc from '@grpc/grpc-js';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FEDERATED_DATASET_PLAN, evaluateParameters, federatedDatasets, initialParameters, profileModelShape, trainLocally } from '@outpost/models/federated';
import type { ProfileName } from '@outpost/models/signals';
import type { EnrollResponse } from '@outpost/protocols';
import { type HubHandle, startHub } from '../demo/hub-process.js';
import { SimError } from '../errors.js';
import type { HubApi } from '../gateways/gateway-load-options.js';
import { createEnrollmentToken } from '../gateways/hub-api.js';
import { SIM_SOFTWARE_VERSION, type SyncClient, createSyncClient } from '../gateways/sync-client.js';
import { FlSimGateway } from './fl-sim-gateway.js';

export interface FederationSimOptions {
  /** A running hub (gRPC address and HTTP API); unset: start one in a temporary data directory. */
  hub?: { grpc: string; api: HubApi };
  gateways: number;
  rounds: number;
  profile: ProfileName;
  /** Share of the selected gateways that drop out mid-round, drawn anew every round. */
  dropout: number;
  secureAggregation: boolean;
  dp: { clipNorm: number; noiseMultiplier: number } | null;
  sampleFraction: number;
  minClients: number;
  epochs: number;
  learningRate: number;
  proxMu: number;
  phaseTimeoutMs: number;
  /** Epochs of the central peer; unset: the federation's budget (rounds × sample fraction × local epochs). */
  centralEpochs?: number;
  /** The target: this share of the central model's AUC. */
  targetRatio: number;
  /** End the federation at the first round that reaches the target (the hub's `targetAuc`). */
  stopAtTarget: boolean;
  seed: string;
  progress: (line: string) => void;
}

interface RoundView {
  round: number;
  status: string;
  reason: string | null;
  startedAt: number;
  endedAt: number;
  summary: { selected: number; completed: number; dropped: number; auc: number | null; epsilon: number | null; bytesDown: number; bytesUp: number; bytesPerGateway: number };
}

export interface FederationSimReport {
  gateways: number;
  profile: string;
  secureAggregation: boolean;
  dropout: number;
  dp: FederationSimOptions['dp'];
  windowsPerGateway: { min: number; median: number; max: number };
  central: { auc: number; epochs: number; bestEpoch: number; seconds: number };
  /** Held-out AUC of the untrained (seeded initial) model: where both start. */
  initialAuc: number;
  bestAuc: number | null;
  targetAuc: number;
  /** First round whose held-out AUC reached the target; null when none did. */
  roundsToTarget: number | null;
  secondsToTarget: number | null;
  finalAuc: number | null;
  aucVsCentral: number | null;
  roundsRun: number;
  roundsFailed: number;
  wallSeconds: number;
  bytesPerGatewayPerRound: { median: number; max: number };
  federationId: string;
  /** The federation's final status and why (the hub's). */
  status: string;
  reason: string | null;
  rounds: { round: number; status: string; selected: number; completed: number; dropped: number; auc: number | null; epsilon: number | null; seconds: number; bytesPerGateway: number }[];
}

const POLL_MS = 500;
const EVALUATION_SEED = 'outpost-federated-eval';

async function api<T>(hubApi: HubApi, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(`${hubApi.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${hubApi.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    throw new SimError('SIM_ERR_HUB_UNREACHABLE', `${method} ${path}: ${(cause as Error).message}`, { cause });
  }
  return { status: res.status, body: (await res.json()) as T };
}

function enroll(client: SyncClient, token: string, name: string): Promise<EnrollResponse> {
  return new Promise((resolve, reject) =>
    client.Enroll({ token, name, softwareVersion: SIM_SOFTWARE_VERSION, requestId: randomBytes(8).toString('hex') }, new grpc.Metadata(), { deadline: Date.now() + 15_000 }, (err, res) =>
      err || !res ? reject(new SimError('SIM_ERR_ENROLL', `${name}: ${err?.message ?? 'no answer'}`, { cause: err })) : resolve(res),
    ),
  );
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/**
 * A federation of simulated gateways against a real hub process: non-IID client data from the models
 * library, a central model trained on the pooled data as the peer, the federation created through the hub's
 * API, per-round progress, and a report (rounds and wall time to target, AUC against central, bytes).
 */
export async function runFederationSim(o: FederationSimOptions): Promise<FederationSimReport> {
  const started = performance.now();
  let ownHub: { handle: HubHandle; dataDir: string } | null = null;
  const gateways: FlSimGateway[] = [];
  const clients: SyncClient[] = [];
  const cleanups: (() => void)[] = [];
  try {
    let hub = o.hub;
    if (!hub) {
      const dataDir = mkdtempSync(join(tmpdir(), 'outpost-sim-hub-'));
      const handle = await startHub(dataDir);
      ownHub = { handle, dataDir };
      // Interrupted: stop the hub this run started, and leave no data behind.
      const own = ownHub;
      const onSignal = () =>
        void own.handle.stop().finally(() => {
          rmSync(own.dataDir, { recursive: true, force: true });
          process.exit(130);
        });
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      cleanups.push(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
      hub = { grpc: `127.0.0.1:${handle.grpcPort}`, api: { url: `http://127.0.0.1:${handle.httpPort}`, token: readFileSync(join(dataDir, 'api-token'), 'utf8').trim() } };
      o.progress(`hub started: gRPC ${hub.grpc}, API ${hub.api.url}`);
    }

    const plan = { ...DEFAULT_FEDERATED_DATASET_PLAN, profile: o.profile, clients: o.gateways, seed: o.seed };
    const { clients: datasets } = federatedDatasets(plan);
    // The hub evaluates on held-out data it generates from this seed; the central peer is measured on the same.
    const { heldOut } = federatedDatasets({ ...DEFAULT_FEDERATED_DATASET_PLAN, profile: o.profile, seed: EVALUATION_SEED, clients: 1 });
    const shape = profileModelShape(o.profile);
    const sizes = datasets.map((d) => d.windows.length);
    o.progress(`${o.gateways} gateways, ${o.profile}: ${sizes.reduce((a, b) => a + b, 0)} windows (per gateway ${Math.min(...sizes)}–${Math.max(...sizes)}), ${heldOut.inputs.length} held-out`);

    // Central peer: the same model and client optimiser on the pooled windows, for as many passes over the
    // data as the federation makes in total (rounds × share selected × local epochs).
    const centralEpochs = o.centralEpochs ?? Math.max(1, Math.round(o.rounds * o.sampleFraction * o.epochs));
    const centralStart = performance.now();
    const init = initialParameters(shape, o.seed);
    const pooled = datasets.flatMap((d) => d.windows);
    // An autoencoder trained too long learns to reconstruct anomalies too: the peer is the best epoch on the
    // held-out set, which flatters it, so the federation is measured against a strong peer.
    const initialAuc = evaluateParameters(shape, init, heldOut).auc;
    let centralParams = init;
    let centralAuc = 0;
    let bestEpoch = 0;
    for (let epoch = 1; epoch <= centralEpochs; epoch++) {
      const step = await trainLocally(shape, centralParams, pooled, { epochs: 1, batchSize: 32, learningRate: o.learningRate, proxMu: 0, seed: `${o.seed}/central/${epoch}` });
      centralParams = Float32Array.from(centralParams, (v, i) => v + step.delta[i]!);
      const auc = evaluateParameters(shape, centralParams, heldOut).auc;
      if (auc > centralAuc) [centralAuc, bestEpoch] = [auc, epoch];
    }
    const centralSeconds = (performance.now() - centralStart) / 1000;
    const targetAuc = o.targetRatio * centralAuc;
    o.progress(`central: best of ${centralEpochs} epochs on the pooled data (epoch ${bestEpoch}), AUC ${centralAuc.toFixed(4)} (${centralSeconds.toFixed(1)} s); untrained ${initialAuc.toFixed(4)}; target ${targetAuc.toFixed(4)}`);

    for (let i = 0; i < o.gateways; i++) {
      const client = createSyncClient(hub.grpc);
      clients.push(client);
      const name = `fl-sim-${i}`;
      const token = await createEnrollmentToken(hub.api);
      const { credential } = await enroll(client, token, name);
      // Deterministic dropouts: a stable hash of (seed, round, gateway) against the dropout share.
      const dropsOut = (roundId: string) => o.dropout > 0 && fraction(`${o.seed}|${roundId}|${i}`) < o.dropout;
      const g = new FlSimGateway({ name, client, credential, windows: datasets[i]!.windows, dropsOut });
      await g.connect();
      gateways.push(g);
    }
    o.progress(`${gateways.length} gateways connected`);

    const wallStart = performance.now();
    const created = await api<{ id: string; error?: { code: string; message: string } }>(hub.api, 'POST', '/api/v1/federations', {
      name: 'outpost-sim federation',
      profile: o.profile,
      rounds: o.rounds,
      sampleFraction: o.sampleFraction,
      minClients: o.minClients,
      minCompletionRate: o.dropout > 0 ? Math.max(0.05, Math.min(1, 1 - o.dropout - 0.1)) : 0.9,
      phaseTimeoutMs: o.phaseTimeoutMs,
      retryDelayMs: 500,
      minSamples: 1,
      training: { epochs: o.epochs, batchSize: 32, learningRate: o.learningRate, proxMu: o.proxMu },
      dp: o.dp,
      secureAggregation: { enabled: o.secureAggregation, range: 1, fractionalBits: 16 },
      seed: o.seed,
      evaluationSeed: EVALUATION_SEED,
      targetAuc: o.stopAtTarget ? targetAuc : null,
    });
    if (created.status !== 201) throw new SimError('SIM_ERR_HUB_API', `POST /api/v1/federations: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
    const id = created.body.id;
    o.progress(`federation ${id} created`);

    const printed = new Set<number>();
    let view: { status: string; reason: string | null; rounds: RoundView[] };
    const deadline = Date.now() + o.rounds * (o.phaseTimeoutMs * 6 + 1000) + 60_000;
    for (;;) {
      view = (await api<typeof view>(hub.api, 'GET', `/api/v1/federations/${id}`)).body;
      for (const r of view.rounds) {
        if (printed.has(r.round)) continue;
        printed.add(r.round);
        const s = r.summary;
        o.progress(
          `round ${String(r.round).padStart(3)}/${o.rounds} ${r.status.padEnd(9)} ${s.completed}/${s.selected} gateways, AUC ${s.auc?.toFixed(4) ?? 'n/a'}` +
            `${s.epsilon !== null ? `, ε ${s.epsilon.toFixed(2)}` : ''}, ${((r.endedAt - r.startedAt) / 1000).toFixed(1)} s, ${Math.round(s.bytesPerGateway / 1024)} KiB/gateway${r.reason ? ` (${r.reason})` : ''}`,
        );
      }
      if (view.status !== 'running') break;
      if (Date.now() > deadline) {
        await api(hub.api, 'POST', `/api/v1/federations/${id}/stop`);
        throw new SimError('SIM_ERR_BENCH', `federation ${id} still running after the time it could take; stopped`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    o.progress(`federation ${view.status}${view.reason ? `: ${view.reason}` : ''}`);
    const rounds = view.rounds;
    const reached = rounds.find((r) => r.summary.auc !== null && r.summary.auc >= targetAuc) ?? null;
    const last = [...rounds].reverse().find((r) => r.summary.auc !== null)?.summary.auc ?? null;
    const firstStart = rounds[0]?.startedAt ?? 0;
    const perRoundBytes = rounds.filter((r) => r.status === 'completed').map((r) => r.summary.bytesPerGateway);
    return {
      gateways: o.gateways,
      profile: o.profile,
      secureAggregation: o.secureAggregation,
      dropout: o.dropout,
      dp: o.dp,
      windowsPerGateway: { min: Math.min(...sizes), median: quantile(sizes, 0.5), max: Math.max(...sizes) },
      central: { auc: centralAuc, epochs: centralEpochs, bestEpoch, seconds: centralSeconds },
      initialAuc,
      bestAuc: rounds.reduce<number | null>((best, r) => (r.summary.auc !== null && (best === null || r.summary.auc > best) ? r.summary.auc : best), null),
      targetAuc,
      roundsToTarget: reached?.round ?? null,
      secondsToTarget: reached ? (reached.endedAt - firstStart) / 1000 : null,
      finalAuc: last,
      aucVsCentral: last === null ? null : last / centralAuc,
      roundsRun: rounds.length,
      roundsFailed: rounds.filter((r) => r.status === 'failed').length,
      wallSeconds: (performance.now() - wallStart) / 1000,
      bytesPerGatewayPerRound: { median: quantile(perRoundBytes, 0.5), max: Math.max(0, ...perRoundBytes) },
      federationId: id,
      status: view.status,
      reason: view.reason,
      rounds: rounds.map((r) => ({
        round: r.round,
        status: r.status,
        selected: r.summary.selected,
        completed: r.summary.completed,
        dropped: r.summary.dropped,
        auc: r.summary.auc,
        epsilon: r.summary.epsilon,
        seconds: (r.endedAt - r.startedAt) / 1000,
        bytesPerGateway: r.summary.bytesPerGateway,
      })),
    };
  } finally {
    for (const c of cleanups) c();
    for (const g of gateways) g.close();
    for (const c of clients) c.close();
    if (ownHub) {
      await ownHub.handle.stop();
      rmSync(ownHub.dataDir, { recursive: true, force: true });
    }
    o.progress(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** A number in [0, 1) from a string (its sha256), for reproducible dropouts. */
function fraction(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 4294967296;
}
