import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { loadHubConfig, openHubStore } from '../src/index.js';
import type { IngestLog, LogBatch } from '../src/ingest-log/ingest-log.js';
import type { HubStore, IncomingRecord } from '../src/store/hub-store.js';
import { classOf, payloadFor } from './helpers/payloads.js';
import { record } from './helpers/sync-client.js';

/** The broker of `node scripts/services/kafka.mjs start` (what `npm test` starts), or OUTPOST_TEST_KAFKA_BROKERS. */
export const TEST_BROKERS = (process.env.OUTPOST_TEST_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

export const silent = pino({ level: 'silent' });

/** Fails (never skips) when no broker answers: a missing server must fail the suite. */
export async function requireBroker(): Promise<void> {
  const admin = new Kafka({ clientId: 'outpost-test-probe', brokers: TEST_BROKERS, connectionTimeout: 2000, retry: { retries: 2 }, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (err) {
    throw new Error(`no Kafka broker at ${TEST_BROKERS.join(',')}: start one with \`node scripts/services/kafka.mjs start\` (npm test does): ${(err as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

/** Records from..to of the mixed workload, as the hub receives them. */
export function incoming(from: number, to: number): IncomingRecord[] {
  const out: IncomingRecord[] = [];
  for (let seq = from; seq <= to; seq++) {
    const r = record(seq, classOf(seq), payloadFor(classOf(seq), seq));
    out.push({ seq: r.seq, dataClass: r.dataClass, hlcWallMs: r.hlc.wallMs, hlcLogical: r.hlc.logical, payload: r.payload });
  }
  return out;
}

export function batchOf(gatewayId: string, from: number, to: number): LogBatch {
  return { gatewayId, records: incoming(from, to), context: { sessionClockTrusted: true, clockToleranceMs: 300_000, nowMs: 1_700_000_100_000 } };
}

/** A real SQLite hub store in a temp dir with `n` enrolled gateways: the idempotent apply keyed by (gateway, seq). */
export function storeWithGateways(n: number): { store: HubStore; gateways: string[]; dispose: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-ingest-log-'));
  const store = openHubStore(loadHubConfig({ env: {}, overrides: { dataDir } }));
  const gateways: string[] = [];
  for (let i = 0; i < n; i++) {
    const { token } = store.enrollment.createToken(60_000, Date.now());
    const enrolled = store.enrollment.enroll(token, { name: `gw-${i}`, softwareVersion: 'test' }, Date.now());
    if (!enrolled) throw new Error('enrollment failed');
    gateways.push(enrolled.gatewayId);
  }
  return {
    store,
    gateways,
    dispose: () => {
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The handler a worker runs: apply through the store; a sequence gap is an error (retried, never skipped). */
export function applier(store: HubStore) {
  return (batch: LogBatch) => {
    const outcome = store.sync.applyBatch(batch.gatewayId, batch.records, batch.context);
    if (outcome.kind === 'sequence') throw new Error(`sequence gap for ${batch.gatewayId}: expected ${outcome.expectedSeq}, got ${outcome.gotSeq}`);
  };
}

/** Poll until `done()` or fail after `timeoutMs` (bounded in time and count). */
export async function waitFor(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (let i = 0; i < 10_000 && Date.now() - started < timeoutMs; i++) {
    if (done()) return;
    await delay(20);
  }
  if (!done()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function closeAll(...logs: (IngestLog | undefined)[]): Promise<void> {
  await Promise.all(logs.map((l) => l?.close()));
}

/** Drop the topics a test file made (they hold little, but a developer runs the suite many times). */
export async function dropTopics(topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new Kafka({ clientId: 'outpost-test-cleanup', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
