import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { decodeVector, encodeVector, initialParameters, profileModelShape } from '@outpost/models/federated';
import { pino } from 'pino';
import { createHub, loadHubConfig } from '../src/index.js';
import { FlTestClient, syntheticWindows, until } from './helpers/fl-clients.js';
import { newClient } from './helpers/sync-client.js';

const SHAPE = profileModelShape('temperature');
const SEED = 'secagg-test';

interface FederationView {
  id: string;
  status: string;
  rounds: { status: string; reason: string | null; summary: { selected: number; completed: number; dropped: number; secureAggregation: boolean } }[];
}

/** A real hub in this process whose logs (debug and up) are kept for inspection. */
async function hubWithLogs() {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-hub-secagg-'));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = loadHubConfig({ env: {}, overrides: { dataDir, log: { level: 'debug' }, sync: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } } });
  const hub = createHub(config, { logger: pino({ level: 'debug' }, sink) });
  const addresses = await hub.start();
  const client = newClient(addresses.grpcPort);
  const api = async <T>(path: string, json?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`http://127.0.0.1:${addresses.httpPort}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${hub.apiToken.value}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return { hub, dataDir, client, api, lines };
}

async function fleet(h: Awaited<ReturnType<typeof hubWithLogs>>, n: number, options: (i: number) => Partial<ConstructorParameters<typeof FlTestClient>[3]> = () => ({})) {
  const out: FlTestClient[] = [];
  for (let i = 0; i < n; i++) {
    const token = (await h.api<{ token: string }>('/api/v1/enrollment-tokens', {})).body.token;
    const enrolled = await new Promise<{ gatewayId: string; credential: string }>((resolve, reject) =>
      (h.client as unknown as { Enroll: (r: unknown, cb: (e: Error | null, r: { gatewayId: string; credential: string }) => void) => void }).Enroll({ token, name: `sa-${i}`, softwareVersion: 'test/1' }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    const c = new FlTestClient(h.client, enrolled.gatewayId, enrolled.credential, { windows: syntheticWindows(20 + 12 * i, SHAPE.inputSize, 100 + i), ...options(i) });
    await c.connect();
    out.push(c);
  }
  return out;
}

/** Every text and blob cell of every table of the hub's database (and its WAL, read through SQLite). */
function databaseCells(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'hub.sqlite'), { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    const cells: string[] = [];
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
        for (const v of Object.values(row)) {
          if (typeof v === 'string') cells.push(v);
          else if (Buffer.isBuffer(v)) cells.push(v.toString('base64'), v.toString('latin1'));
        }
      }
    }
    return cells;
  } finally {
    db.close();
  }
}

/** Fingerprints of one update: its base64 (as a gateway sends it), a slice of it, and its raw float bytes. */
function fingerprints(delta: Float32Array): string[] {
  const b64 = encodeVector(delta);
  return [b64.slice(0, 48), b64.slice(b64.length / 2, b64.length / 2 + 48), Buffer.from(delta.buffer, delta.byteOffset, 64).toString('latin1')];
}

function assertNoIndividualUpdate(where: string, haystack: readonly string[], clients: readonly FlTestClient[]): void {
  for (const c of clients) {
    for (const [roundId, sent] of c.sent) {
      for (const f of fingerprints(sent.delta)) {
        assert.ok(!haystack.some((cell) => cell.includes(f)), `${where} holds ${c.gatewayId}'s update of round ${roundId}`);
      }
    }
  }
}

function weightedMean(sent: { delta: Float32Array; samples: number }[]): Float32Array {
  const total = sent.reduce((a, s) => a + s.samples, 0);
  const out = new Float32Array(sent[0]!.delta.length);
  for (const s of sent) for (let i = 0; i < out.length; i++) out[i]! += (s.samples * s.delta[i]!) / total;
  return out;
}

async function runFederation(h: Awaited<ReturnType<typeof hubWithLogs>>, body: Record<string, unknown>): Promise<FederationView> {
  const created = await h.api<FederationView>('/api/v1/federations', { profile: 'temperature', rounds: 1, minSamples: 16, phaseTimeoutMs: 8000, seed: SEED, training: { epochs: 1, batchSize: 32 }, ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return until(
    async () => {
      const { body: v } = await h.api<FederationView>(`/api/v1/federations/${created.body.id}`);
      return v.status !== 'running' ? v : undefined;
    },
    40_000,
    'the federation',
  );
}

describe('secure aggregation through the hub', () => {
  it('gives the plain weighted average (within quantisation), also with a gateway dropping after sharing keys, and the hub stores and logs no individual update', async () => {
    const h = await hubWithLogs();
    try {
      // Gateway 0 disconnects when its masked-input task arrives: it shared keys, so the survivors reveal its
      // pairwise masks in the unmask phase and the sum of the other four still opens.
      const clients = await fleet(h, 5, (i) => (i === 0 ? { dropAt: 'masked-input' } : {}));
      const done = await runFederation(h, { minClients: 3, minCompletionRate: 0.6, secureAggregation: { enabled: true, range: 1, fractionalBits: 16 } });
      const [round] = done.rounds;
      assert.equal(round!.status, 'completed', round!.reason ?? '');
      assert.equal(round!.summary.secureAggregation, true);
      assert.equal(round!.summary.selected, 5);
      assert.equal(round!.summary.completed, 4);
      assert.equal(round!.summary.dropped, 1);

      const roundId = `${done.id}:1`;
      const survivors = clients.slice(1).map((c) => c.sent.get(roundId)!);
      assert.equal(clients[0]!.sent.size, 0, 'the dropped gateway never sent an update');
      const initial = initialParameters(SHAPE, SEED);
      const expected = weightedMean(survivors);
      const global = decodeVector(h.hub.federation.store.checkpoint(done.id)!.globalParams);
      let maxErr = 0;
      for (let i = 0; i < global.length; i++) maxErr = Math.max(maxErr, Math.abs(global[i]! - initial[i]! - expected[i]!));
      // Fixed point with 16 fractional bits: each update is off by at most 2^-17 per coordinate.
      assert.ok(maxErr < 1e-4, `secure aggregate equals the plain weighted mean (max error ${maxErr})`);

      // A plain (non-secure) federation on the same hub: the hub sees updates in memory, but keeps none.
      const plain = await runFederation(h, { minClients: 3, seed: `${SEED}-plain` });
      assert.equal(plain.rounds[0]!.status, 'completed', plain.rounds[0]!.reason ?? '');

      await h.hub.close();
      const files = readdirSync(h.dataDir);
      assert.ok(files.includes('hub.sqlite'));
      const cells = databaseCells(h.dataDir);
      assert.ok(cells.some((c) => c.length > 1000), 'the database holds the global parameters (the scan sees long values)');
      assertNoIndividualUpdate('the hub database', cells, clients);
      // Raw file bytes too: a deleted page or the WAL could still hold something.
      const raw = files.filter((f) => f.startsWith('hub.sqlite')).map((f) => readFileSync(join(h.dataDir, f)).toString('latin1'));
      assertNoIndividualUpdate('the hub database files', raw, clients);
      assert.ok(h.lines.some((l) => l.includes('federation-round')), 'the round was logged');
      assertNoIndividualUpdate('the hub log', h.lines, clients);
      for (const c of clients) c.disconnect();
    } finally {
      h.client.close();
      await h.hub.close().catch(() => {});
      rmSync(h.dataDir, { recursive: true, force: true });
    }
  });

  it('refuses secure aggregation with a robust aggregator, and other bad configurations, with HUB_ERR_FL_CONFIG', async () => {
    const h = await hubWithLogs();
    try {
      const bad = [
        { profile: 'temperature', aggregator: { kind: 'median' }, secureAggregation: { enabled: true } },
        { profile: 'temperature', minClients: 2, secureAggregation: { enabled: true } },
        { profile: 'temperature', aggregator: { kind: 'trimmed-mean' } },
        { profile: 'nonsense' },
        { profile: 'temperature', shape: { inputSize: 7, hidden: [4], activations: ['relu'] } },
        { profile: 'temperature', rounds: 0 },
        { profile: 'temperature', unknownField: 1 },
      ];
      for (const body of bad) {
        const res = await h.api<{ error: { code: string; message: string } }>('/api/v1/federations', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'HUB_ERR_FL_CONFIG', JSON.stringify(res.body));
      }
      const missing = await h.api<{ error: { code: string } }>('/api/v1/federations/fed-nope');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'HUB_ERR_FL_NOT_FOUND');
    } finally {
      h.client.close();
      await h.hub.close();
      rmSync(h.dataDir, { recursive: true, force: true });
    }
  });
});
