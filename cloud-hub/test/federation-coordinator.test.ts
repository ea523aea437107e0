import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeVector, initialParameters, parameterCount, profileModelShape } from '@outpost/models/federated';
import { FlTestClient, syntheticWindows, until } from './helpers/fl-clients.js';
import { type TestHub, startTestHub } from './helpers/test-hub.js';

const SHAPE = profileModelShape('temperature');
const BASE = {
  profile: 'temperature',
  minSamples: 16,
  retryDelayMs: 100,
  training: { epochs: 1, batchSize: 32, learningRate: 0.01 },
  seed: 'coordinator-test',
} as const;

interface RoundView {
  round: number;
  status: string;
  reason: string | null;
  summary: { selected: number; completed: number; dropped: number; candidates: number; aggregateNorm: number | null; bytesDown: number; bytesUp: number; refusals: Record<string, number> };
  startedAt: number;
}
interface FederationView {
  id: string;
  status: string;
  round: number;
  rounds: RoundView[];
}

async function clients(t: TestHub, n: number, options: (i: number) => Partial<ConstructorParameters<typeof FlTestClient>[3]> = () => ({})): Promise<FlTestClient[]> {
  const out: FlTestClient[] = [];
  for (let i = 0; i < n; i++) {
    const { gatewayId, credential } = await t.enrollGateway(`fl-${i}`);
    const c = new FlTestClient(t.client, gatewayId, credential, { windows: syntheticWindows(24 + 8 * i, SHAPE.inputSize, i + 1), ...options(i) });
    await c.connect();
    out.push(c);
  }
  return out;
}

const finished = (t: TestHub, id: string, timeoutMs = 30_000) =>
  until(
    async () => {
      const { body } = await t.api<FederationView>(`/api/v1/federations/${id}`);
      return body.status !== 'running' ? body : undefined;
    },
    timeoutMs,
    `federation ${id} to finish`,
  );

describe('federation coordinator with simulated gateways on real sync streams', () => {
  it('runs a round: every connected gateway in performance mode is offered, trains, and the global model becomes the sample-weighted mean', async () => {
    const t = await startTestHub();
    try {
      const fleet = await clients(t, 4);
      const created = await t.api<FederationView>('/api/v1/federations', { method: 'POST', json: { ...BASE, rounds: 1, minClients: 3, phaseTimeoutMs: 10_000 } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const done = await finished(t, created.body.id);
      assert.equal(done.status, 'completed');
      const [r1] = done.rounds;
      assert.equal(r1!.status, 'completed', r1!.reason ?? '');
      assert.equal(r1!.summary.candidates, 4);
      assert.equal(r1!.summary.selected, 4);
      assert.equal(r1!.summary.completed, 4);
      assert.equal(r1!.summary.dropped, 0);
      assert.ok(r1!.summary.bytesDown > 4 * parameterCount(SHAPE) * 4, 'every gateway got the parameter vector');
      assert.ok(r1!.summary.bytesUp > 0);

      // sgd with learning rate 1 is plain FedAvg: global = initial + Σ samples·delta / Σ samples.
      const initial = initialParameters(SHAPE, BASE.seed);
      const roundId = `${done.id}:1`;
      const sent = fleet.map((c) => c.sent.get(roundId)!);
      for (const s of sent) assert.deepEqual(s.global, initial, 'the round started from the initial parameters');
      const total = sent.reduce((a, s) => a + s.samples, 0);
      const global = decodeVector(t.hub.federation.store.checkpoint(done.id)!.globalParams);
      let maxErr = 0;
      for (let i = 0; i < initial.length; i += 7) {
        const expected = initial[i]! + sent.reduce((a, s) => a + s.samples * s.delta[i]!, 0) / total;
        maxErr = Math.max(maxErr, Math.abs(global[i]! - expected));
      }
      assert.ok(maxErr < 1e-5, `global equals the weighted mean (max error ${maxErr})`);
      assert.ok(r1!.summary.aggregateNorm! > 0);

      // The global model as an artifact edge-runtime loads: ONNX, manifest with the shipped featurizer, card.
      const exported = await t.api<{ manifestPath: string; onnxPath: string; onnxBase64: string; card: string; manifest: { name: string; profile: string; inputSize: number; onnx: { sha256: string }; thresholds: { threshold: number } } }>(
        `/api/v1/federations/${done.id}/export`,
        { method: 'POST' },
      );
      assert.equal(exported.status, 200, JSON.stringify(exported.body).slice(0, 300));
      const m = exported.body.manifest;
      assert.deepEqual([m.name, m.profile, m.inputSize], ['ae-temperature-federated', 'temperature', SHAPE.inputSize]);
      const onnx = readFileSync(exported.body.onnxPath);
      assert.equal(createHash('sha256').update(onnx).digest('hex'), m.onnx.sha256);
      assert.equal(Buffer.from(exported.body.onnxBase64, 'base64').equals(onnx), true);
      assert.ok(m.thresholds.threshold > 0);
      assert.match(exported.body.card, /POST \/api\/v1\/runtime\/models\/offer/);
      const stopDone = await t.api<{ error: { code: string } }>(`/api/v1/federations/${done.id}/stop`, { method: 'POST' });
      assert.deepEqual([stopDone.status, stopDone.body.error.code], [409, 'HUB_ERR_FL_STATE']);
    } finally {
      await t.close();
    }
  });

  it('30% of the selected gateways dropping mid-round (3 silent, then 1 disconnected) does not stall it: the deadline ends the phase and the rest is aggregated', async () => {
    const t = await startTestHub();
    try {
      // 10 gateways: 2 stop answering at the train phase, 1 disconnects when its train task arrives.
      await clients(t, 10, (i) => (i < 2 ? { silentFrom: 'train' } : i === 2 ? { dropAt: 'train' } : {}));
      const created = await t.api<FederationView>('/api/v1/federations', { method: 'POST', json: { ...BASE, rounds: 2, minClients: 5, minCompletionRate: 0.7, phaseTimeoutMs: 2500 } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const done = await finished(t, created.body.id);
      const [r1, r2] = done.rounds;
      assert.equal(r1!.status, 'completed', r1!.reason ?? '');
      assert.equal(r1!.summary.selected, 10);
      assert.equal(r1!.summary.completed, 7);
      assert.equal(r1!.summary.dropped, 3);
      assert.equal(r1!.summary.refusals.E_FL_UNREACHABLE, 1, 'the disconnected one is known unreachable at once');
      // Round 2: the disconnected gateway is no candidate; the two silent ones answer no offer.
      assert.equal(r2!.status, 'completed', r2!.reason ?? '');
      assert.equal(r2!.summary.candidates, 9);
      assert.equal(r2!.summary.selected, 7);
      assert.equal(done.status, 'completed');
    } finally {
      await t.close();
    }
  });

  it('fails a round with a reason when too few gateways complete, and starts the next one', async () => {
    const t = await startTestHub();
    try {
      await clients(t, 4, (i) => (i < 2 ? { silentFrom: 'train' } : {}));
      const created = await t.api<FederationView>('/api/v1/federations', { method: 'POST', json: { ...BASE, rounds: 2, minClients: 3, minCompletionRate: 0.9, phaseTimeoutMs: 1500 } });
      const done = await finished(t, created.body.id);
      assert.deepEqual(
        done.rounds.map((r) => r.status),
        ['failed', 'failed'],
      );
      assert.match(done.rounds[0]!.reason!, /2 of 4 selected gateway\(s\) reported an update before the deadline; 4 needed/);
      assert.match(done.rounds[1]!.reason!, /eligible|reported/);
    } finally {
      await t.close();
    }
  });

  it('checkpoints after every round and resumes after a hub restart from the stored round', async () => {
    let t = await startTestHub();
    const dataDir = t.dataDir;
    const ids: { gatewayId: string; credential: string }[] = [];
    let fleet: FlTestClient[] = [];
    try {
      for (let i = 0; i < 3; i++) ids.push(await t.enrollGateway(`fl-r${i}`));
      const connectAll = async (hub: TestHub) => {
        fleet = ids.map((g, i) => new FlTestClient(hub.client, g.gatewayId, g.credential, { windows: syntheticWindows(32, SHAPE.inputSize, 50 + i) }));
        for (const c of fleet) await c.connect();
      };
      await connectAll(t);
      const created = await t.api<FederationView>('/api/v1/federations', { method: 'POST', json: { ...BASE, rounds: 3, minClients: 3, phaseTimeoutMs: 10_000 } });
      const id = created.body.id;
      await until(() => ((t.hub.federation.store.checkpoint(id)?.round ?? 0) >= 1 ? true : undefined), 30_000, 'round 1');
      // Closing the hub abandons the round in flight: it is not recorded, and runs again after the restart.
      await t.close({ keepData: true });

      const restartedAt = Date.now();
      t = await startTestHub({}, { dataDir });
      const stored = t.hub.federation.store.checkpoint(id)!;
      assert.ok(stored.round >= 1 && stored.round < 3, `checkpoint survived mid-federation: round ${stored.round}`);
      const storedGlobal = decodeVector(stored.globalParams);
      await connectAll(t);
      const done = await finished(t, id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(
        done.rounds.map((r) => r.round),
        [1, 2, 3],
        'each round recorded once',
      );
      assert.ok(done.rounds.every((r) => r.status === 'completed'));
      const resumedRound = stored.round + 1;
      assert.ok(done.rounds[resumedRound - 1]!.startedAt >= restartedAt, 'the next round ran on the new hub');
      const firstAfter = fleet[0]!.sent.get(`${id}:${resumedRound}`)!;
      assert.deepEqual(firstAfter.global, storedGlobal, 'the resumed round started from the checkpointed parameters');
    } finally {
      for (const c of fleet) c.disconnect();
      await t.close();
    }
  });
});
